"""The loopback redirect listener: real HTTP GETs to 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from xbsec.client.oauth2.login import LoopbackListener, loopback_port
from xbsec.errors import AuthorizationError, ConfigurationError
from xbsec.oauth2.authorization import AuthorizationRequest


def request_for(listener: LoopbackListener) -> AuthorizationRequest:
    return AuthorizationRequest.create("https://xbs.example/oauth2/authorize", client_id="ck",
                                       redirect_uri=listener.redirect_uri)


def later(seconds: float, action: object) -> threading.Thread:
    def run() -> None:
        time.sleep(seconds)
        action()  # type: ignore[operator]

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_callback_delivers_code_and_state() -> None:
    with LoopbackListener() as listener:
        request = request_for(listener)
        listener.expect(request)
        answer = httpx.get(f"{listener.redirect_uri}?code=the-code&state={request.state}")
        assert answer.status_code == 200
        assert "You can close this window" in answer.text
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        query = listener.wait(request, timeout=1)
    assert request.code_from(query) == "the-code"


def test_wait_returns_when_the_browser_arrives() -> None:
    with LoopbackListener() as listener:
        request = request_for(listener)
        url = f"{listener.redirect_uri}?code=c1&state={request.state}"
        thread = later(0.2, lambda: httpx.get(url))
        started = time.monotonic()
        query = listener.wait(request, timeout=5)
        thread.join()
    assert 0.1 < time.monotonic() - started < 4
    assert request.code_from(query) == "c1"


def test_another_state_is_refused_and_the_wait_goes_on() -> None:
    with LoopbackListener() as listener:
        request = request_for(listener)
        listener.expect(request)
        forged = httpx.get(f"{listener.redirect_uri}?code=evil&state=not-this-one")
        assert forged.status_code == 400
        assert "another login attempt" in forged.text
        assert listener.refused == 1
        good = f"{listener.redirect_uri}?code=good&state={request.state}"
        thread = later(0.1, lambda: httpx.get(good))
        query = listener.wait(request, timeout=5)
        thread.join()
    assert request.code_from(query) == "good"


def test_a_callback_before_the_login_is_expected_is_refused() -> None:
    with LoopbackListener() as listener:
        assert httpx.get(f"{listener.redirect_uri}?code=c&state=s").status_code == 400


def test_an_error_answer_ends_the_wait_and_is_reported() -> None:
    with LoopbackListener() as listener:
        request = request_for(listener)
        listener.expect(request)
        page = httpx.get(f"{listener.redirect_uri}?error=access_denied&state={request.state}")
        assert page.status_code == 200
        assert "not given" in page.text
        query = listener.wait(request, timeout=1)
    with pytest.raises(AuthorizationError, match="denied"):
        request.code_from(query)


def test_only_the_first_matching_answer_counts() -> None:
    with LoopbackListener() as listener:
        request = request_for(listener)
        listener.expect(request)
        httpx.get(f"{listener.redirect_uri}?code=first&state={request.state}")
        httpx.get(f"{listener.redirect_uri}?code=second&state={request.state}")
        assert request.code_from(listener.wait(request, timeout=1)) == "first"


def test_other_paths_and_bad_queries() -> None:
    with LoopbackListener() as listener:
        assert httpx.get(f"http://127.0.0.1:{listener.port}/favicon.ico").status_code == 404
        assert httpx.get(f"{listener.redirect_uri}?code=a&code=b").status_code == 400


def test_no_answer_times_out_cleanly() -> None:
    with LoopbackListener() as listener:
        started = time.monotonic()
        with pytest.raises(AuthorizationError, match=r"no answer from the browser within 0.3 s"):
            listener.wait(request_for(listener), timeout=0.3)
    assert time.monotonic() - started < 2
    with pytest.raises(httpx.ConnectError):  # closed: nothing listens any more
        httpx.get(listener.redirect_uri)


def test_a_silent_connection_does_not_block_the_answer() -> None:
    with LoopbackListener() as listener:
        request = request_for(listener)
        listener.expect(request)
        with socket.create_connection(("127.0.0.1", listener.port)):  # a browser preconnect
            answer = httpx.get(f"{listener.redirect_uri}?code=c&state={request.state}",
                               timeout=2)
        assert answer.status_code == 200


def test_a_given_port_is_used_and_a_busy_one_is_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with LoopbackListener(port=port, path="/cb") as listener:
        assert listener.redirect_uri == f"http://127.0.0.1:{port}/cb"
        with pytest.raises(ConfigurationError, match=f"cannot listen on 127.0.0.1:{port}.*"
                                                     r"--port 0"):
            LoopbackListener(port=port)


def test_it_listens_on_loopback_only() -> None:
    with LoopbackListener() as listener:
        assert listener._server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize(("uri", "expected"), [
    ("http://127.0.0.1:8765/callback", (8765, "/callback")),
    ("http://127.0.0.1/cb", (80, "/cb")),
    ("http://127.0.0.1:0", (0, "/")),
])
def test_loopback_port_reads_a_redirect_uri(uri: str, expected: tuple[int, str]) -> None:
    assert loopback_port(uri) == expected


@pytest.mark.parametrize("uri", ["https://127.0.0.1:8765/callback",
                                 "http://localhost:8765/callback",
                                 "http://xbs.example/callback", "http://127.0.0.1:99999/cb"])
def test_a_redirect_uri_off_loopback_is_refused(uri: str) -> None:
    with pytest.raises(ConfigurationError):
        loopback_port(uri)


def test_a_path_must_be_absolute() -> None:
    with pytest.raises(ConfigurationError, match="start with '/'"):
        LoopbackListener(path="callback")
