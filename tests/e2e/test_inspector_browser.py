"""The inspector in a real headless Chromium, against ``xbsec sandbox serve`` as a user runs it.

The page is opened with the URL ``serve`` printed, then a good request and the usual
mistakes (a body re-serialised after signing, a replay, a wrong key, a tampered ciphertext)
are sent: each appears in the list by itself, with the right step marked refused and the
right ReasonCode; the filters narrow the list; the good request's detail shows its
decrypted document; the copy button's command, run in a shell, sends the call again. The
screenshots of the list and of one detail are written to ``tests/artifacts/`` (ignored by
git).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.client.oauth2.test_browser_consent import browser  # noqa: F401 - a fixture
from tests.e2e.sandbox_process import (
    SIGNING_PASSWORD,
    Project,
    SandboxServer,
    Servers,
    init_project,
)
from tests.redis_server import free_port
from tests.sandbox.inspector.calls import Calls

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
STEPS_REFUSED = [("body hash", "INVALID_BODY_HASH"), ("nonce", "NONCE_REPLAYED"),
                 ("signature", "AUTHENTICATION_FAILED"),
                 ("decryption", "REQUEST_DECRYPT_FAILED")]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return init_project(tmp_path / "project", port=free_port())


@pytest.fixture
def sandbox(project: Project, tmp_path: Path) -> Iterator[SandboxServer]:
    servers = Servers(tmp_path)
    port = int(project.profile().base_url.rsplit(":", 1)[1])
    yield servers.start(project, port=port, extra=("--rate-limit", "0"))
    problems = servers.close()
    assert not problems, "\n".join(problems)


def inspector_url(server: SandboxServer) -> str:
    found = re.findall(r"^inspector: (http://\S+/_inspector/\?token=\S+)$", server.log_text(),
                       re.MULTILINE)
    assert found, server.log_text()
    return found[-1]


def rows(page: Any) -> Any:
    return page.locator("#rows tr[data-id]")


def wait_for_rows(page: Any, count: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#rows tr[data-id]').length === n", arg=count,
        timeout=15_000)


def test_the_inspector_in_chromium(project: Project, sandbox: SandboxServer,
                                   browser: Any) -> None:  # noqa: F811
    url = inspector_url(sandbox)
    assert url.startswith(f"{sandbox.url}/_inspector/?token=")
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=sandbox.url)
    dialogs: list[str] = []
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        # No token, no page.
        refused = page.goto(f"{sandbox.url}/_inspector/")
        assert refused is not None
        assert refused.status == 403
        # The printed URL: a cookie, then the list (empty), which follows what arrives.
        page.goto(url)
        assert page.url == f"{sandbox.url}/_inspector/"
        assert "token" not in page.url

        calls = Calls(project.made["profile"], sandbox.url)
        with httpx.Client(timeout=20) as http:
            good = calls.good()
            assert good.send(http).status_code == 200
            assert calls.reserialised_body().send(http).status_code == 401
            assert good.send(http).status_code == 401
            assert calls.wrong_key().send(http).status_code == 403
            assert calls.tampered_ciphertext().send(http).status_code == 400
        wait_for_rows(page, 5)  # by polling: the page was not reloaded

        listed = rows(page)
        newest_first = [listed.nth(i) for i in range(5)]
        good_row = newest_first[4]
        assert good_row.locator(".mark.refused").count() == 0
        assert good_row.locator("td.status").inner_text() == "200"
        for row, (step, reason) in zip(reversed(newest_first[:4]), STEPS_REFUSED,
                                       strict=True):
            marked = row.locator(".mark.refused")
            assert marked.count() == 1, step
            assert marked.get_attribute("data-step") == step
            assert row.locator("td.reason").inner_text() == reason
        page.screenshot(path=str(ARTIFACTS / "inspector-list.png"), full_page=True)

        # Filters.
        page.select_option("select[name=status]", "refused")
        page.click("form.filters button[type=submit]")
        wait_for_rows(page, 4)
        page.select_option("select[name=reason]", "NONCE_REPLAYED")
        page.click("form.filters button[type=submit]")
        wait_for_rows(page, 1)
        assert rows(page).first.locator("td.reason").inner_text() == "NONCE_REPLAYED"
        page.click("a.clear")
        page.fill("input[name=path]", "nothing-like-this")
        page.click("form.filters button[type=submit]")
        page.wait_for_selector("#rows tr.empty")
        page.click("a.clear")
        page.select_option("select[name=status]", "ok")
        page.click("form.filters button[type=submit]")
        wait_for_rows(page, 1)

        # The good one: every step green, its decrypted document, its answer.
        rows(page).first.locator("td.target a").click()
        page.wait_for_selector("#checks")
        assert page.locator("li.step.refused").count() == 0
        assert page.locator("li.step.ok").count() == 14
        document = page.locator("#document pre.document").inner_text()
        assert '"transaction_reference"' in document
        assert '"quoterequest"' in document
        assert '"quote"' in page.locator("#response pre.document").inner_text()
        page.screenshot(path=str(ARTIFACTS / "inspector-detail.png"), full_page=True)

        # The copy buttons, and what they copied, run in a shell: the call again, signed
        # anew, with curl and with xbsec request.
        page.click("button[data-copy=reproduce-command]")
        page.wait_for_function(
            "() => document.querySelectorAll('button[data-copy]')[1].textContent !== 'Copy'")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#reproduce-command").inner_text()
        environment = {**os.environ, "XBSEC_KEY_PASSWORD": SIGNING_PASSWORD,
                       "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                               f"{os.environ.get('PATH', '')}"}
        # Past the gateway, the sandbox refuses the quote's reference: it was used already.
        ran = subprocess.run(["bash", "-c", copied], capture_output=True, text=True,
                             timeout=60, env=environment, check=False)
        assert ran.returncode == 0, ran.stderr
        assert "Duplicate Transaction Reference" in ran.stdout, ran.stdout[:300]
        page.click("button[data-copy=request-command]")
        page.wait_for_function(
            "() => document.querySelectorAll('button[data-copy]')[0].textContent !== 'Copy'")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("xbsec request POST ")
        ran = subprocess.run(["bash", "-c", copied], capture_output=True, text=True,
                             timeout=60, env=environment, check=False)
        assert ran.returncode == 1, ran.stderr
        assert "Duplicate Transaction Reference" in ran.stderr, ran.stderr[:300]

        # A refused one: its step and what it saw.
        page.goto(f"{sandbox.url}/_inspector/?reason=INVALID_BODY_HASH")
        rows(page).first.locator("td.target a").click()
        refused_step = page.locator("li.step.refused")
        assert refused_step.count() == 1
        assert refused_step.get_attribute("data-step") == "body hash"
        assert "serialise once" in refused_step.inner_text()

        page.goto(f"{sandbox.url}/_inspector/")
        wait_for_rows(page, 7)  # the two reproduced calls are listed too
        for again in (rows(page).nth(0), rows(page).nth(1)):  # every check of the gateway held
            assert again.locator(".mark.refused").get_attribute("data-step") == "application"
            assert again.locator("td.reason").inner_text() == "DECLINE"
        assert dialogs == []
    finally:
        page.close()
        context.close()
    print(f"\nscreenshots: {ARTIFACTS / 'inspector-list.png'}, "
          f"{ARTIFACTS / 'inspector-detail.png'}")


def test_markup_in_a_request_runs_nowhere(project: Project, sandbox: SandboxServer,
                                          browser: Any) -> None:  # noqa: F811
    calls = Calls(project.made["profile"], sandbox.url)
    with httpx.Client(timeout=20) as http:
        calls.hostile().send(http)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(inspector_url(sandbox))
        wait_for_rows(page, 1)
        assert "<script>alert(1)" in rows(page).first.inner_text()  # shown, as text
        rows(page).first.locator("td.target a").click()
        page.wait_for_selector("#checks")
        assert "<script>alert(2)</script>" in page.locator("#request").inner_text()
        assert "<script>alert(3)</script>" in page.locator("#document").inner_text()
        time.sleep(0.3)
        assert dialogs == []
        assert page.evaluate("document.querySelectorAll('script').length") == 1
    finally:
        page.close()
