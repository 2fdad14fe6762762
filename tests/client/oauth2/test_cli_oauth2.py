"""`xbsec oauth2 login | status | logout`, with real HTTP: the command, a fake authorization
server that approves at once, and a "browser" that follows the printed URL.

The end-to-end test in a real browser-like run against the project's own authorization
server (``xbsec sandbox serve``) is separate; these tests pin the client's side of it.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from tests.client.oauth2.conftest import CLIENT_ID, write_psd2_profile
from tests.client.oauth2.fake_server import FakeAuthorizationServer
from xbsec.cli.app import cli
from xbsec.oauth2.token_set import TokenSet
from xbsec.stores.tokens import FileTokenStore


def _xbsec() -> str:
    found = shutil.which("xbsec") or str(Path(sys.executable).with_name("xbsec"))
    assert Path(found).exists(), "the xbsec console script is not installed"
    return found


def no_secret_in(text: str, server: FakeAuthorizationServer) -> None:
    for secret in [*server.access_tokens, *server.issued_codes]:
        assert secret not in text
    for form in server.forms:
        for name in ("client_assertion", "code_verifier", "refresh_token", "code"):
            if form.get(name):
                assert form[name] not in text, name


def test_login_no_browser_end_to_end(server: FakeAuthorizationServer, tmp_path: Path,
                                     key_files: Path) -> None:
    profile = write_psd2_profile(tmp_path, server.url, key_files)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1"}
    command = subprocess.Popen(
        [_xbsec(), "oauth2", "login", "--profile", "eu", "--profile-file", str(profile),
         "--no-browser", "--port", "0", "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert command.stdout is not None
        printed = []
        url = None
        while url is None:
            line = command.stdout.readline()
            assert line, "the command ended before printing the URL"
            printed.append(line)
            if line.strip().startswith(server.url + "/oauth2/authorize?"):
                url = line.strip()
        # The browser's part: follow the URL; the server approves and redirects to the
        # loopback listener, which answers the "you can close this window" page.
        page = httpx.get(url, follow_redirects=True, timeout=10)
        assert page.status_code == 200
        assert "You can close this window" in page.text
        out, err = command.communicate(timeout=30)
    finally:
        if command.poll() is None:
            command.kill()
            command.communicate()
    output = "".join(printed) + out + err
    assert command.returncode == 0, output
    assert "access token expires in 900 s; refresh token valid 90 days; stored in " \
           f"{tmp_path / 'tokens' / 'eu.json'}" in output
    assert server.exchanges == 1
    stored = FileTokenStore(tmp_path / "tokens" / "eu.json").load()
    assert stored is not None
    assert stored.access_token in server.access_tokens
    assert stat.S_IMODE((tmp_path / "tokens" / "eu.json").stat().st_mode) == 0o600
    no_secret_in(output, server)


@pytest.fixture
def run() -> Any:
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def browser_that_follows(opened: list[str]) -> Any:
    """A stand-in for webbrowser.open: it GETs the URL, redirects and all, in the background."""

    def open_url(url: str, new: int = 0) -> bool:
        opened.append(url)
        threading.Thread(target=httpx.get, args=(url,), kwargs={"follow_redirects": True},
                         daemon=True).start()
        return True

    return open_url


def test_login_opens_the_browser_when_there_is_a_display(
        server: FakeAuthorizationServer, tmp_path: Path, key_files: Path, run: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    profile = write_psd2_profile(tmp_path, server.url, key_files)
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", browser_that_follows(opened))
    monkeypatch.setenv("DISPLAY", ":0")
    result = run("oauth2", "login", "--profile-file", str(profile), "--port", "0")
    assert result.exit_code == 0, result.output
    assert len(opened) == 1
    assert opened[0] in result.output
    assert "access token expires in 900 s" in result.output
    no_secret_in(result.output, server)


def test_no_browser_is_opened_without_a_display(server: FakeAuthorizationServer,
                                                tmp_path: Path, key_files: Path, run: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    if sys.platform in ("darwin", "win32"):
        pytest.skip("these platforms always have a browser")
    profile = write_psd2_profile(tmp_path, server.url, key_files)
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", browser_that_follows(opened))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = run("oauth2", "login", "--profile-file", str(profile), "--port", "0",
                 "--timeout", "1")
    assert opened == []
    assert result.exit_code == 2
    assert "no answer from the browser within 1 s" in result.output


def test_a_denied_login_stores_nothing(server: FakeAuthorizationServer, tmp_path: Path,
                                       key_files: Path, run: Any,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    server.deny = True
    profile = write_psd2_profile(tmp_path, server.url, key_files)
    monkeypatch.setattr(webbrowser, "open", browser_that_follows([]))
    monkeypatch.setenv("DISPLAY", ":0")
    result = run("oauth2", "login", "--profile-file", str(profile), "--port", "0")
    assert result.exit_code == 2
    assert "Error: the authorization was denied in the browser (access_denied)" in (
        result.output)
    assert not (tmp_path / "tokens" / "eu.json").exists()
    assert server.exchanges == 0


def test_a_refused_code_exchange_is_reported_without_secrets(
        server: FakeAuthorizationServer, tmp_path: Path, key_files: Path, run: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    server.inject.append((401, b'{"error":"invalid_client","error_description":"unknown"}',
                          "application/json"))
    profile = write_psd2_profile(tmp_path, server.url, key_files)
    monkeypatch.setattr(webbrowser, "open", browser_that_follows([]))
    monkeypatch.setenv("DISPLAY", ":0")
    result = run("oauth2", "login", "--profile-file", str(profile), "--port", "0")
    assert result.exit_code == 2
    assert "refused the authorization_code grant: HTTP 401 invalid_client: unknown" in (
        result.output)
    no_secret_in(result.output, server)


def test_a_busy_registered_port_says_how_to_choose_another(
        server: FakeAuthorizationServer, tmp_path: Path, key_files: Path, run: Any) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        profile = write_psd2_profile(
            tmp_path, server.url, key_files,
            extra=f'redirect_uri = "http://127.0.0.1:{port}/callback"')
        result = run("oauth2", "login", "--profile-file", str(profile), "--no-browser")
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "--port 0" in result.output


def test_a_profile_without_oauth2_is_told_how_to_add_it(tmp_path: Path, key_files: Path,
                                                        run: Any) -> None:
    profile = write_psd2_profile(tmp_path, "http://127.0.0.1:1", key_files)
    profile.write_text(profile.read_text().split("[profiles.eu.oauth2]")[0])
    result = run("oauth2", "login", "--profile-file", str(profile), "--no-browser")
    assert result.exit_code == 2
    assert "no [profiles.eu.oauth2] table" in result.output


def stored(tmp_path: Path, **times: float) -> None:
    now = time.time()
    FileTokenStore(tmp_path / "tokens" / "eu.json").save(TokenSet(
        access_token="at-secret", refresh_token="rt-secret", obtained_at=now - 60,
        expires_at=now + times.get("access", 840),
        refresh_expires_at=now + times.get("refresh", 90 * 86400 - 60), scope="balances",
        client_id=CLIENT_ID))


def test_status_shows_expiry_times_and_no_tokens(tmp_path: Path, key_files: Path,
                                                 run: Any) -> None:
    profile = write_psd2_profile(tmp_path, "http://127.0.0.1:1", key_files)
    stored(tmp_path)
    result = run("oauth2", "status", "--profile", "eu", "--profile-file", str(profile))
    assert result.exit_code == 0, result.output
    assert f"Tokens in {tmp_path / 'tokens' / 'eu.json'}" in result.output
    assert "access token:  expires in 14 min" in result.output
    assert "refresh token: valid 90 days" in result.output
    assert "scope:         balances" in result.output
    assert "secret" not in result.output


def test_status_with_an_expired_access_token_but_a_live_refresh_token(
        tmp_path: Path, key_files: Path, run: Any) -> None:
    profile = write_psd2_profile(tmp_path, "http://127.0.0.1:1", key_files)
    stored(tmp_path, access=-300)
    result = run("oauth2", "status", "--profile-file", str(profile))
    assert result.exit_code == 0
    assert "access token:  expired 5 min ago" in result.output


def test_status_says_when_a_login_is_needed(tmp_path: Path, key_files: Path,
                                            run: Any) -> None:
    profile = write_psd2_profile(tmp_path, "http://127.0.0.1:1", key_files)
    result = run("oauth2", "status", "--profile-file", str(profile))
    assert result.exit_code == 1
    assert "No tokens in" in result.output
    assert "xbsec oauth2 login --profile eu" in result.output
    stored(tmp_path, access=-7200, refresh=-86400 * 3)
    result = run("oauth2", "status", "--profile-file", str(profile))
    assert result.exit_code == 1
    assert "refresh token: expired 3 days ago" in result.output
    assert "to authorize again" in result.output


def test_logout_deletes_the_tokens(tmp_path: Path, key_files: Path, run: Any) -> None:
    profile = write_psd2_profile(tmp_path, "http://127.0.0.1:1", key_files)
    stored(tmp_path)
    result = run("oauth2", "logout", "--profile-file", str(profile))
    assert result.exit_code == 0
    assert "Deleted the tokens in" in result.output
    assert not (tmp_path / "tokens" / "eu.json").exists()
    again = run("oauth2", "logout", "--profile-file", str(profile))
    assert "No tokens were stored in" in again.output


def test_a_login_then_the_stored_tokens_are_usable(server: FakeAuthorizationServer,
                                                   tmp_path: Path, key_files: Path, run: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    from xbsec.client.oauth2.access_token import AccessTokenAuth
    from xbsec.profile import load_profile

    profile_path = write_psd2_profile(tmp_path, server.url, key_files)
    monkeypatch.setattr(webbrowser, "open", browser_that_follows([]))
    monkeypatch.setenv("DISPLAY", ":0")
    assert run("oauth2", "login", "--profile-file", str(profile_path),
               "--port", "0").exit_code == 0
    auth = AccessTokenAuth.from_profile(load_profile(path=profile_path, environ={}))
    try:
        header = auth.authorization("GET", server.url + "/accounts", b"")
    finally:
        auth.close()
    assert header.removeprefix("Bearer ") in server.access_tokens
    saved = json.loads((tmp_path / "tokens" / "eu.json").read_bytes())
    assert saved["token_url"] == server.token_url
    assert saved["client_id"] == CLIENT_ID


def test_a_browser_that_cannot_be_opened_leaves_the_url_to_the_user(
        server: FakeAuthorizationServer, tmp_path: Path, key_files: Path, run: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    def broken(url: str, new: int = 0) -> bool:
        raise webbrowser.Error("could not locate runnable browser")

    profile = write_psd2_profile(tmp_path, server.url, key_files)
    monkeypatch.setattr(webbrowser, "open", broken)
    monkeypatch.setenv("DISPLAY", ":0")
    result = run("oauth2", "login", "--profile-file", str(profile), "--port", "0",
                 "--timeout", "1")
    assert "(no browser could be opened: open the URL yourself)" in result.output
    assert result.exit_code == 2


def test_status_without_a_refresh_expiry_or_a_refresh_token(tmp_path: Path, key_files: Path,
                                                            run: Any) -> None:
    profile = write_psd2_profile(tmp_path, "http://127.0.0.1:1", key_files)
    store = FileTokenStore(tmp_path / "tokens" / "eu.json")
    now = time.time()
    store.save(TokenSet(access_token="at", refresh_token="rt", obtained_at=now,
                        expires_at=now + 3 * 3600))
    result = run("oauth2", "status", "--profile-file", str(profile))
    assert result.exit_code == 0
    assert "access token:  expires in 3 h" in result.output
    assert "refresh token: present (the server did not say until when)" in result.output
    store.save(TokenSet(access_token="at", obtained_at=now - 1000, expires_at=now - 100))
    result = run("oauth2", "status", "--profile-file", str(profile))
    assert "refresh token: none" in result.output
    assert result.exit_code == 1
