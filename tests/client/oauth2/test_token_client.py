"""TokenClient and AsyncTokenClient over real HTTP: code exchange, limits, transport failures,
and who closes the connection pool."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from tests.client.oauth2.conftest import CLIENT_ID, Clock
from tests.client.oauth2.fake_server import FakeAuthorizationServer
from xbsec.client.oauth2.token_client import AsyncTokenClient, TokenClient
from xbsec.errors import LoginRequiredError, TokenEndpointError
from xbsec.oauth2.authorization import AuthorizationRequest
from xbsec.oauth2.client_assertion import ClientAssertionMinter
from xbsec.oauth2.token_endpoint import TokenEndpoint
from xbsec.oauth2.token_set import TokenSet


def authorized_code(server: FakeAuthorizationServer) -> tuple[str, AuthorizationRequest]:
    """A code the fake server issued for a fresh authorization request (the browser's part)."""
    request = AuthorizationRequest.create(server.url + "/oauth2/authorize", client_id=CLIENT_ID,
                                          redirect_uri="http://127.0.0.1:1/callback")
    redirect = httpx.get(request.url).headers["Location"]
    return request.code_from(redirect.split("?", 1)[1]), request


def test_a_code_is_exchanged_with_its_verifier(server: FakeAuthorizationServer,
                                               endpoint: TokenEndpoint) -> None:
    code, request = authorized_code(server)
    client = TokenClient(endpoint)
    try:
        tokens = client.exchange_code(code, redirect_uri=request.redirect_uri,
                                      code_verifier=request.pkce.verifier)
    finally:
        client.close()
    assert tokens.access_token in server.access_tokens
    assert server.forms[-1]["code_verifier"] == request.pkce.verifier


def test_a_wrong_verifier_is_refused_by_the_server(server: FakeAuthorizationServer,
                                                   endpoint: TokenEndpoint) -> None:
    code, request = authorized_code(server)
    with httpx.Client() as http, pytest.raises(TokenEndpointError, match="invalid_grant"):
        TokenClient(endpoint, http=http).exchange_code(
            code, redirect_uri=request.redirect_uri, code_verifier="x" * 43)


@pytest.mark.anyio
async def test_async_code_exchange(server: FakeAuthorizationServer,
                                   endpoint: TokenEndpoint) -> None:
    code, request = authorized_code(server)
    client = AsyncTokenClient(endpoint)
    try:
        tokens = await client.exchange_code(code, redirect_uri=request.redirect_uri,
                                            code_verifier=request.pkce.verifier)
    finally:
        await client.aclose()
    assert tokens.access_token in server.access_tokens
    assert client.http.is_closed  # made here, closed here


def test_a_client_passed_in_stays_open(endpoint: TokenEndpoint) -> None:
    with httpx.Client() as http:
        TokenClient(endpoint, http=http).close()
        assert not http.is_closed


@pytest.mark.anyio
async def test_an_async_client_passed_in_stays_open(endpoint: TokenEndpoint) -> None:
    async with httpx.AsyncClient() as http:
        await AsyncTokenClient(endpoint, http=http).aclose()
        assert not http.is_closed


def test_refreshing_without_a_refresh_token_asks_for_a_login(endpoint: TokenEndpoint,
                                                             clock: Clock) -> None:
    bare = TokenSet(access_token="a", expires_at=clock.now, obtained_at=clock.now)
    with httpx.Client() as http, pytest.raises(LoginRequiredError, match="no refresh token"):
        TokenClient(endpoint, http=http).refresh(bare)


@pytest.mark.anyio
async def test_async_refreshing_without_a_refresh_token_asks_for_a_login(
        endpoint: TokenEndpoint, clock: Clock) -> None:
    bare = TokenSet(access_token="a", expires_at=clock.now, obtained_at=clock.now)
    async with httpx.AsyncClient() as http:
        with pytest.raises(LoginRequiredError, match="no refresh token"):
            await AsyncTokenClient(endpoint, http=http).refresh(bare)


class Flood(BaseHTTPRequestHandler):
    """Answers 200 with a body larger than any token answer, or redirects elsewhere."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/redirect"):
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"{" + b" " * (300 * 1024) + b"}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def flood() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Flood)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def endpoint_at(url: str, signing_key: Any, clock: Clock) -> TokenEndpoint:
    return TokenEndpoint(url, ClientAssertionMinter(CLIENT_ID, signing_key), clock=clock)


STALE = TokenSet(access_token="a", expires_at=0, obtained_at=0, refresh_token="r")


def test_an_oversized_answer_is_refused(flood: str, signing_key: Any, clock: Clock) -> None:
    with httpx.Client() as http, pytest.raises(TokenEndpointError,
                                               match="answered more than 262144 bytes"):
        TokenClient(endpoint_at(flood + "/token", signing_key, clock), http=http).refresh(STALE)


@pytest.mark.anyio
async def test_an_oversized_answer_is_refused_async(flood: str, signing_key: Any,
                                                    clock: Clock) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(TokenEndpointError, match="answered more than"):
            await AsyncTokenClient(endpoint_at(flood + "/token", signing_key, clock),
                                   http=http).refresh(STALE)


def test_a_redirect_is_not_followed(flood: str, signing_key: Any, clock: Clock) -> None:
    # Following it would post the refresh token and the assertion to another place.
    with httpx.Client(follow_redirects=True) as http, pytest.raises(
            TokenEndpointError, match="HTTP 307") as caught:
        TokenClient(endpoint_at(flood + "/redirect", signing_key, clock), http=http).refresh(
            STALE)
    assert caught.value.status == 307


@pytest.mark.anyio
async def test_an_unreachable_endpoint_async(signing_key: Any, clock: Clock) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(TokenEndpointError, match="cannot be reached") as caught:
            await AsyncTokenClient(endpoint_at("http://127.0.0.1:1/token", signing_key, clock),
                                   http=http).refresh(STALE)
    assert caught.value.status is None
