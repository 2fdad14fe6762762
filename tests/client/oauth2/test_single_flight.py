"""Single-flight refresh: many callers find the token due at once, exactly one refreshes.

The token endpoint is real HTTP on 127.0.0.1 and holds each answer back 200 ms, so that
every caller arrives while the refresh is in flight. The fake server counts refresh grants;
it also rotates refresh tokens, so a second refresh with the old token would be refused
and would revoke the family: a count of one and no error is the whole claim.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from tests.client.oauth2.conftest import Clock, tokens_from
from tests.client.oauth2.fake_server import FakeAuthorizationServer
from xbsec.client.oauth2.access_token import AccessTokenAuth, AsyncAccessTokenAuth
from xbsec.client.oauth2.token_client import AsyncTokenClient, TokenClient
from xbsec.oauth2.token_endpoint import TokenEndpoint
from xbsec.oauth2.token_set import TokenSet
from xbsec.stores.tokens import FileTokenStore, MemoryTokenStore

CALLERS = 100


@pytest.fixture
def slow(server: FakeAuthorizationServer) -> FakeAuthorizationServer:
    server.delay = 0.2
    return server


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


class LocklessStore(MemoryTokenStore):
    """A store without a shared lock: the auth's own lock alone must keep refreshes single."""

    def refresh_lock(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()


STORES = [pytest.param(MemoryTokenStore, id="memory"), pytest.param(LocklessStore, id="lockless")]


@pytest.mark.parametrize("store_class", STORES)
def test_a_hundred_threads_cause_exactly_one_refresh(slow: FakeAuthorizationServer,
                                                     endpoint: TokenEndpoint, clock: Clock,
                                                     http: httpx.Client,
                                                     store_class: type[MemoryTokenStore]
                                                     ) -> None:
    stale = tokens_from(slow, clock)
    auth = AccessTokenAuth(TokenClient(endpoint, http=http), store_class(stale), clock=clock)
    assert auth.access_token() == stale.access_token  # first use: read from the store
    clock.advance(841)  # 59 s before expiry: due
    start = threading.Barrier(CALLERS)

    def call() -> str:
        start.wait()
        return auth.authorization("GET", "https://xbs.example/accounts", b"")

    with ThreadPoolExecutor(CALLERS) as pool:
        headers = list(pool.map(lambda _: call(), range(CALLERS)))
    assert slow.refreshes == 1
    assert len(set(headers)) == 1
    assert headers[0] != "Bearer " + stale.access_token
    assert headers[0].removeprefix("Bearer ") in slow.access_tokens


def test_two_processes_sharing_a_token_file_refresh_once(slow: FakeAuthorizationServer,
                                                         endpoint: TokenEndpoint,
                                                         clock: Clock, tmp_path: Path,
                                                         http: httpx.Client) -> None:
    # Two AccessTokenAuth with their own FileTokenStore stand for two processes: only the
    # file and its lock are shared. Without the lock and the re-read under it, the second
    # would present the rotated refresh token and revoke both.
    path = tmp_path / "eu.json"
    FileTokenStore(path).save(tokens_from(slow, clock))
    auths = [AccessTokenAuth(TokenClient(endpoint, http=http), FileTokenStore(path),
                             clock=clock) for _ in range(2)]
    clock.advance(850)
    start = threading.Barrier(CALLERS)

    def call(index: int) -> str:
        start.wait()
        return auths[index % 2].access_token()

    with ThreadPoolExecutor(CALLERS) as pool:
        tokens = list(pool.map(call, range(CALLERS)))
    assert slow.refreshes == 1
    assert len(set(tokens)) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("store_class", STORES)
async def test_a_hundred_tasks_cause_exactly_one_refresh(slow: FakeAuthorizationServer,
                                                         endpoint: TokenEndpoint,
                                                         clock: Clock,
                                                         store_class: type[MemoryTokenStore]
                                                         ) -> None:
    stale = tokens_from(slow, clock)
    async with httpx.AsyncClient() as http:
        auth = AsyncAccessTokenAuth(AsyncTokenClient(endpoint, http=http),
                                    store_class(stale), clock=clock)
        await auth.ready()
        clock.advance(841)

        async def call() -> str:
            await auth.ready()
            return auth.authorization("GET", "https://xbs.example/accounts", b"")

        headers = await asyncio.gather(*(call() for _ in range(CALLERS)))
    assert slow.refreshes == 1
    assert len(set(headers)) == 1
    assert headers[0] != "Bearer " + stale.access_token


@pytest.mark.anyio
async def test_the_event_loop_keeps_running_during_a_refresh(slow: FakeAuthorizationServer,
                                                             endpoint: TokenEndpoint,
                                                             clock: Clock,
                                                             tmp_path: Path) -> None:
    # A file store (locked and read in a worker thread) and a 200 ms token answer: a loop
    # blocked by either would not tick in the meantime.
    store = FileTokenStore(tmp_path / "eu.json")
    store.save(tokens_from(slow, clock))
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            await asyncio.sleep(0.01)
            ticks += 1

    async with httpx.AsyncClient() as http:
        auth = AsyncAccessTokenAuth(AsyncTokenClient(endpoint, http=http), store, clock=clock)
        clock.advance(850)
        running = asyncio.create_task(ticker())
        await auth.ready()
        done.set()
        await running
    assert slow.refreshes == 1
    assert ticks >= 10


class CountingLock:
    """A store lock that counts entries and exits; entering waits until ``open`` is set.

    A class, not a generator: nothing releases it when it is dropped, so a leak shows.
    """

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.entered = 0
        self.exited = 0

    def __enter__(self) -> None:
        self.open.wait(5)
        self.entered += 1

    def __exit__(self, *exc: object) -> None:
        self.exited += 1


class CountingStore(MemoryTokenStore):
    def __init__(self, tokens: TokenSet) -> None:
        super().__init__(tokens)
        self.lock = CountingLock()

    def refresh_lock(self) -> CountingLock:  # type: ignore[override]
        return self.lock


@pytest.mark.anyio
async def test_a_refresh_cancelled_inside_the_shared_lock_releases_it(
        slow: FakeAuthorizationServer, endpoint: TokenEndpoint, clock: Clock) -> None:
    store = CountingStore(tokens_from(slow, clock))
    async with httpx.AsyncClient() as http:
        auth = AsyncAccessTokenAuth(AsyncTokenClient(endpoint, http=http), store, clock=clock)
        clock.advance(850)
        refreshing = asyncio.create_task(auth.ready())
        await asyncio.sleep(0.1)  # inside the lock, waiting for the token endpoint
        assert store.lock.entered == 1
        refreshing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await refreshing
        await asyncio.sleep(0.05)
    assert store.lock.exited == 1


@pytest.mark.anyio
async def test_cancelled_while_waiting_for_the_lock_gives_it_back_once_taken(
        server: FakeAuthorizationServer, endpoint: TokenEndpoint, clock: Clock) -> None:
    store = CountingStore(tokens_from(server, clock))
    store.lock.open.clear()  # another process holds it
    async with httpx.AsyncClient() as http:
        auth = AsyncAccessTokenAuth(AsyncTokenClient(endpoint, http=http), store, clock=clock)
        clock.advance(850)
        waiting = asyncio.create_task(auth.ready())
        await asyncio.sleep(0.1)  # its worker thread waits for the lock
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        store.lock.open.set()  # the other process is done: the worker takes the lock...
        for _ in range(100):
            if store.lock.exited:
                break
            await asyncio.sleep(0.01)
    assert (store.lock.entered, store.lock.exited) == (1, 1)  # ...and gives it back
    assert server.refreshes == 0


@pytest.mark.anyio
async def test_two_event_loops_processes_sharing_a_token_file_refresh_once(
        slow: FakeAuthorizationServer, endpoint: TokenEndpoint, clock: Clock,
        tmp_path: Path) -> None:
    path = tmp_path / "eu.json"
    FileTokenStore(path).save(tokens_from(slow, clock))
    async with httpx.AsyncClient() as http:
        auths = [AsyncAccessTokenAuth(AsyncTokenClient(endpoint, http=http),
                                      FileTokenStore(path), clock=clock) for _ in range(2)]
        clock.advance(850)
        tokens = await asyncio.gather(*(auths[i % 2].access_token() for i in range(20)))
    assert slow.refreshes == 1
    assert len(set(tokens)) == 1
