"""AccessTokenAuth and AsyncAccessTokenAuth against a real token endpoint on 127.0.0.1.

The clock is injected: "60 s before expiry" is tested to the second, without waiting.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.client.oauth2.conftest import Clock, tokens_from
from tests.client.oauth2.fake_server import FakeAuthorizationServer
from xbsec.client.auth import AsyncRefreshableAuth, RequestAuth
from xbsec.client.oauth2.access_token import AccessTokenAuth, AsyncAccessTokenAuth
from xbsec.client.oauth2.token_client import AsyncTokenClient, TokenClient
from xbsec.errors import (
    AuthorizationError,
    ConfigurationError,
    LoginRequiredError,
    TokenEndpointError,
)
from xbsec.oauth2.token_endpoint import TokenEndpoint
from xbsec.oauth2.token_set import TokenSet
from xbsec.stores.tokens import FileTokenStore, MemoryTokenStore

LOGIN = "run `xbsec oauth2 login --profile eu` again"


@pytest.fixture(autouse=True)
def _http() -> Iterator[None]:
    # One connection pool for every auth a test makes, closed when the test ends.
    global _SYNC
    with httpx.Client() as _SYNC:
        yield


_SYNC: httpx.Client


def sync_auth(endpoint: TokenEndpoint, store: Any, clock: Clock,
              **options: Any) -> AccessTokenAuth:
    return AccessTokenAuth(TokenClient(endpoint, http=_SYNC), store, clock=clock, **options)


def test_it_is_a_request_auth_giving_bearer(server: FakeAuthorizationServer,
                                            endpoint: TokenEndpoint, clock: Clock) -> None:
    stored = tokens_from(server, clock)
    auth = sync_auth(endpoint, MemoryTokenStore(stored), clock)
    assert isinstance(auth, RequestAuth)
    assert not isinstance(auth, AsyncRefreshableAuth)
    assert auth.authorization("GET", "https://x/accounts", b"") == "Bearer " + stored.access_token
    assert server.refreshes == 0


def test_no_refresh_until_sixty_seconds_before_expiry(server: FakeAuthorizationServer,
                                                      endpoint: TokenEndpoint,
                                                      clock: Clock) -> None:
    stored = tokens_from(server, clock)
    auth = sync_auth(endpoint, MemoryTokenStore(stored), clock)
    clock.advance(900 - 60 - 1)
    assert auth.access_token() == stored.access_token
    assert server.refreshes == 0
    clock.advance(1)  # now exactly 60 s before expiry
    renewed = auth.access_token()
    assert renewed != stored.access_token
    assert renewed in server.access_tokens
    assert server.refreshes == 1
    assert auth.access_token() == renewed
    assert server.refreshes == 1


def test_the_margin_is_configurable(server: FakeAuthorizationServer, endpoint: TokenEndpoint,
                                    clock: Clock) -> None:
    auth = sync_auth(endpoint, MemoryTokenStore(tokens_from(server, clock)), clock,
                     refresh_margin=300)
    clock.advance(599)
    auth.access_token()
    assert server.refreshes == 0
    clock.advance(1)
    auth.access_token()
    assert server.refreshes == 1


@pytest.mark.parametrize("margin", [-1, 900, True])
def test_a_margin_outside_the_token_lifetime_is_refused(endpoint: TokenEndpoint, clock: Clock,
                                                        margin: Any) -> None:
    with pytest.raises(ConfigurationError, match="refresh_margin"):
        sync_auth(endpoint, MemoryTokenStore(), clock, refresh_margin=margin)


def test_a_refresh_stores_the_rotated_refresh_token(server: FakeAuthorizationServer,
                                                    endpoint: TokenEndpoint, clock: Clock,
                                                    tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "eu.json")
    first = tokens_from(server, clock)
    store.save(first)
    auth = sync_auth(endpoint, store, clock)
    clock.advance(850)
    auth.access_token()
    saved = store.load()
    assert saved is not None
    assert saved == auth.tokens
    assert saved.refresh_token != first.refresh_token
    assert saved.expires_at == clock.now + 900
    assert saved.refresh_expires_at == clock.now + 90 * 86400
    assert server.forms[-1]["refresh_token"] == first.refresh_token


def test_reusing_the_old_refresh_token_would_have_been_refused(
        server: FakeAuthorizationServer, endpoint: TokenEndpoint, clock: Clock) -> None:
    # The fake server does rotate: the token the auth gave back is dead after one use.
    stored = tokens_from(server, clock)
    clock.advance(850)
    sync_auth(endpoint, MemoryTokenStore(stored), clock).access_token()
    with pytest.raises(LoginRequiredError):
        sync_auth(endpoint, MemoryTokenStore(stored), clock).access_token()


def test_nothing_stored_means_a_login_is_required(endpoint: TokenEndpoint,
                                                  clock: Clock) -> None:
    with pytest.raises(LoginRequiredError, match=f"no tokens are stored in memory: {LOGIN}"):
        sync_auth(endpoint, MemoryTokenStore(), clock).access_token()


def test_an_expired_refresh_token_is_not_even_sent(server: FakeAuthorizationServer,
                                                   endpoint: TokenEndpoint,
                                                   clock: Clock) -> None:
    stored = tokens_from(server, clock, expires_in=900, refresh_in=3600)
    auth = sync_auth(endpoint, MemoryTokenStore(stored), clock)
    clock.advance(3600)
    with pytest.raises(LoginRequiredError) as caught:
        auth.access_token()
    assert str(caught.value) == ("the refresh token has expired or was revoked: "
                                 "run `xbsec oauth2 login --profile eu` again")
    assert server.refreshes == 0


def test_invalid_grant_means_a_login_is_required_and_is_not_retried(
        server: FakeAuthorizationServer, endpoint: TokenEndpoint, clock: Clock) -> None:
    stored = tokens_from(server, clock)
    server.inject.append((400, b'{"error":"invalid_grant","error_description":"revoked"}',
                          "application/json"))
    auth = sync_auth(endpoint, MemoryTokenStore(stored), clock)
    clock.advance(850)
    with pytest.raises(LoginRequiredError, match=LOGIN) as caught:
        auth.authorization("GET", "https://x", b"")
    assert caught.value.error == "invalid_grant"
    assert stored.refresh_token not in str(caught.value)
    assert server.refreshes == 1
    with pytest.raises(LoginRequiredError, match="expired or was revoked"):
        auth.access_token()
    assert server.refreshes == 1  # the refused token was not sent again


def test_a_new_login_is_picked_up_after_a_refusal(server: FakeAuthorizationServer,
                                                  endpoint: TokenEndpoint,
                                                  clock: Clock) -> None:
    store = MemoryTokenStore(tokens_from(server, clock))
    server.inject.append((400, b'{"error":"invalid_grant"}', "application/json"))
    auth = sync_auth(endpoint, store, clock)
    clock.advance(850)
    with pytest.raises(LoginRequiredError):
        auth.access_token()
    fresh = tokens_from(server, clock)  # `xbsec oauth2 login` ran meanwhile
    store.save(fresh)
    assert auth.access_token() == fresh.access_token


def test_other_endpoint_errors_are_token_endpoint_errors(server: FakeAuthorizationServer,
                                                         endpoint: TokenEndpoint,
                                                         clock: Clock) -> None:
    server.inject.append((503, b"<html>down</html>", "text/html"))
    auth = sync_auth(endpoint, MemoryTokenStore(tokens_from(server, clock)), clock)
    clock.advance(850)
    with pytest.raises(TokenEndpointError, match="HTTP 503") as caught:
        auth.access_token()
    assert not isinstance(caught.value, LoginRequiredError)
    assert auth.access_token()  # the refresh token was not refused: the next try works
    assert server.refreshes == 2


def test_an_unreachable_endpoint_is_a_token_endpoint_error(endpoint: TokenEndpoint,
                                                           clock: Clock,
                                                           signing_key: Any) -> None:
    from xbsec.oauth2.client_assertion import ClientAssertionMinter

    gone = TokenEndpoint("http://127.0.0.1:1/oauth2/token",
                         ClientAssertionMinter("ck", signing_key), clock=clock)
    stale = TokenSet(access_token="a", expires_at=clock.now, obtained_at=clock.now - 900,
                     refresh_token="r")
    with pytest.raises(TokenEndpointError, match="cannot be reached") as caught:
        sync_auth(gone, MemoryTokenStore(stale), clock).access_token()
    assert caught.value.status is None


def test_tokens_of_another_endpoint_or_client_are_not_used(server: FakeAuthorizationServer,
                                                           endpoint: TokenEndpoint,
                                                           clock: Clock) -> None:
    stored = tokens_from(server, clock)
    for other in ({"token_url": "https://elsewhere/oauth2/token"}, {"client_id": "other"}):
        moved = TokenSet(**{**{f: getattr(stored, f) for f in stored.__dataclass_fields__},
                            **other})
        with pytest.raises(LoginRequiredError, match="issued by another token endpoint"):
            sync_auth(endpoint, MemoryTokenStore(moved), clock).access_token()


def test_a_refresh_done_by_another_process_is_used_not_repeated(
        server: FakeAuthorizationServer, endpoint: TokenEndpoint, clock: Clock,
        tmp_path: Path) -> None:
    path = tmp_path / "eu.json"
    FileTokenStore(path).save(tokens_from(server, clock))
    one = sync_auth(endpoint, FileTokenStore(path), clock)
    two = sync_auth(endpoint, FileTokenStore(path), clock)
    assert one.access_token() == two.access_token()
    clock.advance(850)
    renewed = one.access_token()
    assert two.access_token() == renewed
    assert server.refreshes == 1


def test_the_store_files_tokens_without_showing_them(server: FakeAuthorizationServer,
                                                     endpoint: TokenEndpoint, clock: Clock,
                                                     tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "eu.json")
    store.save(tokens_from(server, clock))
    auth = sync_auth(endpoint, store, clock)
    auth.access_token()
    assert auth.tokens is not None
    assert auth.tokens.access_token not in repr(auth.tokens)
    assert json.loads((tmp_path / "eu.json").read_bytes())["access_token"] == (
        auth.tokens.access_token)


# -- asyncio ------------------------------------------------------------------------------

@pytest.fixture
async def async_auth() -> AsyncIterator[Any]:
    made: list[AsyncAccessTokenAuth] = []

    def make(endpoint: TokenEndpoint, store: Any, clock: Clock) -> AsyncAccessTokenAuth:
        made.append(AsyncAccessTokenAuth(AsyncTokenClient(endpoint), store, clock=clock))
        return made[-1]

    yield make
    for auth in made:
        await auth.aclose()


@pytest.mark.anyio
async def test_async_refreshes_sixty_seconds_before_expiry(
        async_auth: Any, server: FakeAuthorizationServer, endpoint: TokenEndpoint,
        clock: Clock) -> None:
    stored = tokens_from(server, clock)
    auth = async_auth(endpoint, MemoryTokenStore(stored), clock)
    assert isinstance(auth, AsyncRefreshableAuth)
    await auth.ready()
    assert auth.authorization("GET", "https://x", b"") == "Bearer " + stored.access_token
    clock.advance(839)
    assert await auth.access_token() == stored.access_token
    assert server.refreshes == 0
    clock.advance(1)
    await auth.ready()
    assert server.refreshes == 1
    assert auth.authorization("GET", "https://x", b"") != "Bearer " + stored.access_token


@pytest.mark.anyio
async def test_async_authorization_needs_ready_first(
        async_auth: Any, server: FakeAuthorizationServer, endpoint: TokenEndpoint,
        clock: Clock) -> None:
    auth = async_auth(endpoint, MemoryTokenStore(tokens_from(server, clock)), clock)
    with pytest.raises(ConfigurationError, match=r"await auth.ready\(\)"):
        auth.authorization("GET", "https://x", b"")
    await auth.ready()
    clock.advance(899)  # within the margin, not expired: still handed out
    assert auth.authorization("GET", "https://x", b"").startswith("Bearer at-")
    clock.advance(1)
    with pytest.raises(ConfigurationError):
        auth.authorization("GET", "https://x", b"")


@pytest.mark.anyio
async def test_async_login_required_cases(async_auth: Any, server: FakeAuthorizationServer,
                                          endpoint: TokenEndpoint, clock: Clock) -> None:
    with pytest.raises(LoginRequiredError, match="no tokens are stored"):
        await async_auth(endpoint, MemoryTokenStore(), clock).ready()
    expired = async_auth(endpoint, MemoryTokenStore(
        tokens_from(server, clock, refresh_in=100)), clock)
    clock.advance(850)  # the access token is due and the refresh token has expired
    with pytest.raises(LoginRequiredError, match=LOGIN):
        await expired.ready()
    assert server.refreshes == 0
    refused = async_auth(endpoint, MemoryTokenStore(tokens_from(server, clock)), clock)
    server.inject.append((400, b'{"error":"invalid_grant"}', "application/json"))
    clock.advance(850)
    with pytest.raises(LoginRequiredError, match=LOGIN):
        await refused.ready()
    with pytest.raises(LoginRequiredError):
        await refused.ready()
    assert server.refreshes == 1


@pytest.mark.anyio
async def test_async_uses_the_given_async_client(server: FakeAuthorizationServer,
                                                 endpoint: TokenEndpoint,
                                                 clock: Clock) -> None:
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(str(request.url))

    async with httpx.AsyncClient(event_hooks={"request": [record]}) as http:
        auth = AsyncAccessTokenAuth(AsyncTokenClient(endpoint, http=http),
                                    MemoryTokenStore(tokens_from(server, clock)), clock=clock)
        clock.advance(850)
        await auth.ready()
        assert not http.is_closed
    assert sent == [server.token_url]


def test_store_errors_surface_as_authorization_errors(tmp_path: Path, clock: Clock,
                                                      endpoint: TokenEndpoint) -> None:
    (tmp_path / "eu.json").write_bytes(b"junk")
    (tmp_path / "eu.json").chmod(0o600)
    with pytest.raises(AuthorizationError, match="not a token set"):
        sync_auth(endpoint, FileTokenStore(tmp_path / "eu.json"), clock).access_token()


def test_the_store_must_be_a_token_store(endpoint: TokenEndpoint, clock: Clock) -> None:
    with pytest.raises(ConfigurationError, match="store must be a TokenStore, not dict"):
        sync_auth(endpoint, {}, clock)
