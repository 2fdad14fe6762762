"""The access token through each HTTP integration: requests, httpx (sync and async),
aiohttp and the OpenAPI signer layer. Real HTTP to the fake server, which records headers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace

import httpx
import pytest

from tests.client.oauth2.conftest import Clock, tokens_from
from tests.client.oauth2.fake_server import FakeAuthorizationServer
from xbsec.client.oauth2.access_token import AccessTokenAuth, AsyncAccessTokenAuth
from xbsec.client.oauth2.token_client import AsyncTokenClient, TokenClient
from xbsec.client.pipeline import ClientPipeline
from xbsec.errors import ConfigurationError
from xbsec.oauth2.token_endpoint import TokenEndpoint
from xbsec.stores.tokens import MemoryTokenStore

ACCOUNTS = "/send/partners/SANDBOX_PSD2_1/crossborder/accounts"


@pytest.fixture
def sync_auth(server: FakeAuthorizationServer, endpoint: TokenEndpoint,
              clock: Clock) -> Iterator[AccessTokenAuth]:
    auth = AccessTokenAuth(TokenClient(endpoint), MemoryTokenStore(tokens_from(server, clock)),
                           clock=clock)
    yield auth
    auth.close()


@pytest.fixture
async def async_auth(server: FakeAuthorizationServer, endpoint: TokenEndpoint,
                     clock: Clock) -> AsyncIterator[AsyncAccessTokenAuth]:
    auth = AsyncAccessTokenAuth(AsyncTokenClient(endpoint),
                                MemoryTokenStore(tokens_from(server, clock)), clock=clock)
    yield auth
    await auth.aclose()


def bearer_of(server: FakeAuthorizationServer) -> str:
    header = server.seen[-1].authorization or ""
    assert header.startswith("Bearer ")
    token = header.removeprefix("Bearer ")
    assert token in server.access_tokens
    return token


def test_requests_signing_only(server: FakeAuthorizationServer, sync_auth: AccessTokenAuth,
                               clock: Clock) -> None:
    import requests

    from xbsec.integrations.requests import XBSAuth

    with requests.Session() as session:
        session.auth = XBSAuth(sync_auth)
        assert session.get(server.url + ACCOUNTS, timeout=5).status_code == 200
        first = bearer_of(server)
        clock.advance(850)
        session.get(server.url + ACCOUNTS, timeout=5)
    assert bearer_of(server) != first
    assert server.refreshes == 1


def test_httpx_sync_client(server: FakeAuthorizationServer, sync_auth: AccessTokenAuth,
                           clock: Clock) -> None:
    from xbsec.integrations.httpx import XBSAuth

    with httpx.Client(auth=XBSAuth(sync_auth)) as client:
        client.get(server.url + ACCOUNTS)
        first = bearer_of(server)
        clock.advance(850)
        client.get(server.url + ACCOUNTS)
    assert bearer_of(server) != first
    assert server.refreshes == 1


@pytest.mark.anyio
async def test_httpx_async_client_refreshes_once_for_many_requests(
        server: FakeAuthorizationServer, async_auth: AsyncAccessTokenAuth,
        clock: Clock) -> None:
    from xbsec.integrations.httpx import XBSAuth

    server.delay = 0.1
    async with httpx.AsyncClient(auth=XBSAuth(async_auth)) as client:
        await client.get(server.url + ACCOUNTS)  # the first request makes it ready
        first = bearer_of(server)
        clock.advance(850)
        answers = await asyncio.gather(*(client.get(server.url + ACCOUNTS)
                                         for _ in range(20)))
    assert all(answer.status_code == 200 for answer in answers)
    assert server.refreshes == 1
    assert {seen.authorization for seen in server.seen[1:]} == {"Bearer " + bearer_of(server)}
    assert bearer_of(server) != first


def test_httpx_sync_client_with_the_async_auth_says_what_to_do(
        server: FakeAuthorizationServer, endpoint: TokenEndpoint, clock: Clock) -> None:
    from xbsec.integrations.httpx import XBSAuth

    auth = AsyncAccessTokenAuth(AsyncTokenClient(endpoint, http=httpx.AsyncClient()),
                                MemoryTokenStore(tokens_from(server, clock)), clock=clock)
    with httpx.Client(auth=XBSAuth(auth)) as client, pytest.raises(
            ConfigurationError, match=r"await auth.ready\(\)"):
        client.get(server.url + ACCOUNTS)
    assert server.seen == []


@pytest.mark.anyio
async def test_aiohttp_middleware(server: FakeAuthorizationServer,
                                  async_auth: AsyncAccessTokenAuth, clock: Clock) -> None:
    import aiohttp

    from xbsec.integrations.aiohttp import exchange_of, xbsec_middleware

    pipeline = ClientPipeline(async_auth)
    async with aiohttp.ClientSession(middlewares=[xbsec_middleware(pipeline)]) as session:
        async with session.get(server.url + ACCOUNTS) as response:
            assert exchange_of(response).document() == {"accounts": {"path": ACCOUNTS}}
        first = bearer_of(server)
        clock.advance(850)
        async with session.get(server.url + ACCOUNTS) as response:
            assert response.status == 200
    assert bearer_of(server) != first
    assert server.refreshes == 1


@pytest.mark.anyio
async def test_aiohttp_middleware_keeps_the_loop_running_during_a_refresh(
        server: FakeAuthorizationServer, async_auth: AsyncAccessTokenAuth,
        clock: Clock) -> None:
    import aiohttp

    from xbsec.integrations.aiohttp import xbsec_middleware

    server.delay = 0.3
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async with aiohttp.ClientSession(
            middlewares=[xbsec_middleware(ClientPipeline(async_auth))]) as session:
        clock.advance(850)
        running = asyncio.create_task(ticker())
        started = time.monotonic()
        async with session.get(server.url + ACCOUNTS) as response:
            assert response.status == 200
        running.cancel()
        elapsed = time.monotonic() - started
    assert server.refreshes == 1
    assert elapsed >= 0.3
    assert ticks >= 10  # a blocked loop would not have ticked during the 0.3 s refresh


def test_openapi_signer_layer(server: FakeAuthorizationServer, sync_auth: AccessTokenAuth,
                              clock: Clock) -> None:
    import urllib3

    from xbsec.integrations.openapi import add_signer_layer

    # What add_signer_layer reaches into: api_client.rest_client.pool_manager (urllib3).
    pool = urllib3.PoolManager()
    api_client = SimpleNamespace(rest_client=SimpleNamespace(pool_manager=pool))
    add_signer_layer(api_client, ClientPipeline(sync_auth))
    answer = pool.request("GET", server.url + ACCOUNTS)
    assert answer.status == 200
    first = bearer_of(server)
    clock.advance(850)
    pool.request("GET", server.url + ACCOUNTS)
    assert bearer_of(server) != first
    assert server.refreshes == 1
    pool.clear()
