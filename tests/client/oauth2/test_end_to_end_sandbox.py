"""The whole Balance flow against the project's own authorization server, in real processes.

``xbsec sandbox init --auth request-token`` and ``xbsec sandbox serve`` run as a user runs
them; ``xbsec oauth2 login --no-browser`` prints the URL; the "browser" is httpx: it opens
the consent page, presses Approve (or Deny) in the form, and follows the redirect to the
command's loopback listener. Then ``XBSClient`` calls the Balance APIs with the stored
access token, refreshes it when due (the server rotates the refresh token), and calls
everything else with request tokens, all through the sandbox's gateway.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from tests.e2e.sandbox_process import Project, SandboxServer, Servers, init_project, xbsec_command
from tests.redis_server import free_port
from xbsec.client.xbs import AsyncXBSClient, XBSClient
from xbsec.profile import load_profile
from xbsec.stores.tokens import FileTokenStore

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Project:
    # init --auth request-token writes an [oauth2] table storing tokens in the project
    return init_project(tmp_path / "project", auth="request-token", port=free_port())


@pytest.fixture
def sandbox(project: Project, tmp_path: Path) -> Iterator[SandboxServer]:
    servers = Servers(tmp_path)
    port = int(project.profile().base_url.rsplit(":", 1)[1])
    yield servers.start(project, port=port)
    problems = servers.close()
    assert not problems, "\n".join(problems)


def login(project: Project, decision: str) -> tuple[int, str]:
    """Run `xbsec oauth2 login --no-browser` and answer the consent page with ``decision``."""
    command = subprocess.Popen(
        [xbsec_command(), "oauth2", "login", "--profile-file", project.made["profile"],
         "--no-browser", "--port", "0", "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert command.stdout is not None
        printed = ""
        url = None
        while url is None:
            line = command.stdout.readline()
            assert line, printed
            printed += line
            if "/oauth2/authorize?" in line:
                url = line.strip()
        with httpx.Client() as browser:
            consent = browser.get(url)
            assert consent.status_code == 200, consent.text
            action = html.unescape(re.search(r'<form method="post" action="([^"]+)"',
                                             consent.text).group(1))  # type: ignore[union-attr]
            fields = {html.unescape(name): html.unescape(value) for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"', consent.text)}
            answer = browser.post(urljoin(url, action), data={**fields, "decision": decision})
            assert answer.status_code in (302, 303), answer.text
            landed = browser.get(answer.headers["Location"])
            assert landed.status_code == 200
        rest, _ = command.communicate(timeout=30)
    finally:
        if command.poll() is None:
            command.kill()
        command.communicate()  # also closes the pipe when the command had already ended
    return command.returncode, printed + rest


def test_login_then_balances_with_access_tokens_and_the_rest_with_request_tokens(
        project: Project, sandbox: SandboxServer) -> None:
    code, output = login(project, "approve")
    assert code == 0, output
    tokens_file = project.folder / "tokens.json"
    assert f"refresh token valid 90 days; stored in {tokens_file}" in output
    store = FileTokenStore(tokens_file)
    first = store.load()
    assert first is not None
    assert first.access_token not in output
    assert first.refresh_token is not None
    assert first.refresh_token not in output

    profile = load_profile(path=project.made["profile"], environ={})
    with XBSClient(profile) as xbs:
        accounts = xbs.balances()
        assert accounts
    # Make the stored access token due: a new client's first Balance call refreshes it.
    store.save(replace(first, expires_at=time.time() + 30))
    with XBSClient(profile) as xbs:
        again = xbs.balances()
        assert [a["accountId"] for a in again] == [
            a["accountId"] for a in accounts]
        quote = xbs.create_quote({
            "transaction_reference": f"E2E{int(time.time() * 1000)}",
            "sender_account_uri": "tel:+254108989", "recipient_account_uri": "tel:+254208989",
            "payment_amount": {"amount": "10.00", "currency": "USD"},
            "payment_origination_country": "USA", "payment_type": "P2P",
            "quote_type": {"forward": {"receiver_currency": "EUR"}}})
        assert quote
    renewed = store.load()
    assert renewed is not None
    assert renewed.access_token != first.access_token
    assert renewed.refresh_token != first.refresh_token  # rotated


@pytest.mark.anyio
async def test_async_balances_after_login(project: Project, sandbox: SandboxServer) -> None:
    code, output = login(project, "approve")
    assert code == 0, output
    async with AsyncXBSClient(load_profile(path=project.made["profile"], environ={})) as xbs:
        assert await xbs.balances()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_a_denied_consent_stores_nothing(project: Project, sandbox: SandboxServer) -> None:
    code, output = login(project, "deny")
    assert code == 2
    assert "denied in the browser (access_denied)" in output
    assert not (project.folder / "tokens.json").exists()
