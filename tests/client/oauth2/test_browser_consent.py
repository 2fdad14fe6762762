"""The Balance authorization code flow in a real headless Chromium.

``xbsec sandbox serve`` and ``xbsec oauth2 login --no-browser`` run as a user runs them; the
system's Chromium (Debian's ``chromium``, driven by Playwright; never a downloaded browser)
opens the printed URL, shows the consent page, and a click on Approve (or Deny) sends it
through the redirect to the command's loopback listener. Then Balance calls, a refresh,
and Balance calls again.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sandbox_process import Project, SandboxServer, Servers, init_project, xbsec_command
from tests.redis_server import free_port
from xbsec.client.xbs import XBSClient
from xbsec.profile import load_profile
from xbsec.stores.tokens import FileTokenStore

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (.ci/run installs Debian's chromium)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return init_project(tmp_path / "project", auth="request-token", port=free_port())


@pytest.fixture
def sandbox(project: Project, tmp_path: Path) -> Iterator[SandboxServer]:
    servers = Servers(tmp_path)
    port = int(project.profile().base_url.rsplit(":", 1)[1])
    yield servers.start(project, port=port)
    problems = servers.close()
    assert not problems, "\n".join(problems)


def _rows(project: Project) -> dict[str, int]:
    """Rows per table of the authorization server's database."""
    with sqlite3.connect(project.folder / "server" / "oauth2.db") as db:
        names = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                for name in names}


def login_in_browser(project: Project, browser: Any, button: str) -> tuple[int, str, str]:
    """Run the login command, answer its consent page in Chromium; (exit, output, page)."""
    command = subprocess.Popen(
        [xbsec_command(), "oauth2", "login", "--profile-file", project.made["profile"],
         "--no-browser", "--port", "0", "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    page = browser.new_page()
    try:
        assert command.stdout is not None
        printed, url = "", None
        while url is None:
            line = command.stdout.readline()
            assert line, printed
            printed += line
            if "/oauth2/authorize?" in line:
                url = line.strip()
        before = _rows(project)
        page.goto(url)
        consent = page.content()
        assert "Approve" in consent
        assert "SANDBOX_" in consent  # the partner asking is named on the page
        page.reload()  # showing the page again costs nothing either
        assert _rows(project) == before  # showing the page wrote nothing
        page.click(f"#{button}")
        page.wait_for_url("**/callback?**")
        landed = page.content()
        rest, _ = command.communicate(timeout=60)
    finally:
        page.close()
        if command.poll() is None:
            command.kill()
        command.communicate()  # also closes the pipe when the command had already ended
    return command.returncode, printed + rest, landed


def test_approve_in_chromium_then_balances_refresh_and_balances_again(
        project: Project, sandbox: SandboxServer, browser: Any) -> None:
    code, output, landed = login_in_browser(project, browser, "approve")
    assert code == 0, output
    assert "Logged in" in landed
    store = FileTokenStore(project.folder / "tokens.json")
    first = store.load()
    assert first is not None
    assert first.access_token not in output

    profile = load_profile(path=project.made["profile"], environ={})
    with XBSClient(profile) as xbs:
        accounts = xbs.balances()
    assert accounts

    store.save(replace(first, expires_at=time.time() + 30))  # due: refreshed 60 s early
    with XBSClient(profile) as xbs:
        again = xbs.balances()
    assert [a["accountId"] for a in again] == [
        a["accountId"] for a in accounts]
    renewed = store.load()
    assert renewed is not None
    assert renewed.access_token != first.access_token
    assert renewed.refresh_token != first.refresh_token  # rotated on use


def test_deny_in_chromium_stores_nothing(project: Project, sandbox: SandboxServer,
                                         browser: Any) -> None:
    code, output, landed = login_in_browser(project, browser, "deny")
    assert code == 2
    assert "access_denied" in output
    assert "Login not completed" in landed  # the listener's page reached the browser
    assert not (project.folder / "tokens.json").exists()
