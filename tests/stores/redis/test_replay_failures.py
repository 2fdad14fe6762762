"""Every failure of a Redis replay store is a 503 that names the store and hides its password."""

from __future__ import annotations

import time
from typing import Any

import fakeredis
import pytest
import redis

from tests.redis_server import free_port
from xbsec import ServiceUnavailableError
from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore
from xbsec.stores.replay import claim_nonce, claim_nonce_async

PASSWORD = "s3cret-Pa55"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> fakeredis.FakeServer:
    return fakeredis.FakeServer()


@pytest.fixture
def closed_url() -> str:
    """A Redis URL, with a password, to a port where nothing listens."""
    return f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/3"


def _assert_503(exc: ServiceUnavailableError, *phrases: str) -> None:
    assert (exc.status, exc.reason_code) == (503, "SERVICE_UNAVAILABLE")
    for phrase in phrases:
        assert phrase in str(exc)
    assert PASSWORD not in str(exc)


def _raiser(error: Exception) -> Any:
    def raise_it(*args: Any, **options: Any) -> Any:
        raise error
    return raise_it


def test_a_disconnected_redis_fails_closed(server) -> None:
    store = RedisReplayStore(fakeredis.FakeRedis(server=server))
    server.connected = False
    with pytest.raises(ServiceUnavailableError) as info:
        store.claim("k", 60)
    _assert_503(info.value, "the replay store at redis://", "cannot be reached",
                "ConnectionError")
    with pytest.raises(ServiceUnavailableError):
        claim_nonce(store, "k", 60)
    server.connected = True
    assert store.claim("k", 60)  # nothing was recorded while it was down


@pytest.mark.anyio
async def test_a_disconnected_redis_fails_closed_asynchronously(server) -> None:
    store = AsyncRedisReplayStore(fakeredis.FakeAsyncRedis(server=server))
    server.connected = False
    with pytest.raises(ServiceUnavailableError) as info:
        await store.claim("k", 60)
    _assert_503(info.value, "cannot be reached", "ConnectionError")
    with pytest.raises(ServiceUnavailableError):
        await claim_nonce_async(store, "k", 60)


def test_a_closed_port_fails_fast_without_showing_the_password(closed_url) -> None:
    store = RedisReplayStore(closed_url)  # does not connect yet
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError) as info:
        store.claim("k", 60)
    assert time.monotonic() - started < 1.0
    port = closed_url.rsplit(":", 1)[1].split("/")[0]
    _assert_503(info.value, f"the replay store at redis://127.0.0.1:{port}/3 cannot be reached")
    assert store.ping() is False
    assert PASSWORD not in repr(store)


@pytest.mark.anyio
async def test_a_closed_port_fails_fast_asynchronously(closed_url) -> None:
    store = AsyncRedisReplayStore(closed_url)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError) as info:
        await store.claim("k", 60)
    assert time.monotonic() - started < 1.0
    _assert_503(info.value, "cannot be reached")
    assert await store.ping() is False
    await store.aclose()


@pytest.mark.parametrize("error", [
    redis.ReadOnlyError("You can't write against a read only replica."),
    redis.ResponseError("OOM command not allowed when used memory > 'maxmemory'."),
])
def test_an_error_reply_is_a_refused_claim(server, monkeypatch, error) -> None:
    client = fakeredis.FakeRedis(server=server)
    monkeypatch.setattr(client, "set", _raiser(error))
    with pytest.raises(ServiceUnavailableError) as info:
        RedisReplayStore(client).claim("k", 60)
    _assert_503(info.value, "refused the claim", type(error).__name__, str(error))
    assert info.value.__cause__ is error


@pytest.mark.parametrize("error", [redis.TimeoutError("Timeout reading from socket"),
                                   redis.AuthenticationError("invalid username-password pair"),
                                   RuntimeError("attached to a different loop"), OSError(9)])
def test_any_other_failure_is_unreachable(server, monkeypatch, error) -> None:
    client = fakeredis.FakeRedis(server=server)
    monkeypatch.setattr(client, "set", _raiser(error))
    with pytest.raises(ServiceUnavailableError) as info:
        RedisReplayStore(client).claim("k", 60)
    _assert_503(info.value, "cannot be reached", type(error).__name__)


@pytest.mark.parametrize("reply", [b"OK", "OK", 1, False, b"", [b"1"]])
def test_an_unexpected_reply_fails_closed(server, monkeypatch, reply) -> None:
    client = fakeredis.FakeRedis(server=server)
    monkeypatch.setattr(client, "set", lambda *args, **options: reply)
    with pytest.raises(ServiceUnavailableError, match="unexpected reply"):
        RedisReplayStore(client).claim("k", 60)


@pytest.mark.anyio
async def test_an_unexpected_reply_fails_closed_asynchronously(server, monkeypatch) -> None:
    client = fakeredis.FakeAsyncRedis(server=server)

    async def weird(*args: Any, **options: Any) -> Any:
        return b"QUEUED"

    monkeypatch.setattr(client, "set", weird)
    with pytest.raises(ServiceUnavailableError, match="unexpected reply: b'QUEUED'"):
        await AsyncRedisReplayStore(client).claim("k", 60)


@pytest.mark.anyio
async def test_an_error_reply_is_a_refused_claim_asynchronously(server, monkeypatch) -> None:
    client = fakeredis.FakeAsyncRedis(server=server)
    error = redis.ReadOnlyError("You can't write against a read only replica.")

    async def refuse(*args: Any, **options: Any) -> Any:
        raise error

    monkeypatch.setattr(client, "set", refuse)
    with pytest.raises(ServiceUnavailableError, match="refused the claim: ReadOnlyError"):
        await AsyncRedisReplayStore(client).claim("k", 60)


def test_a_long_error_message_is_cut(server, monkeypatch) -> None:
    client = fakeredis.FakeRedis(server=server)
    monkeypatch.setattr(client, "set", _raiser(redis.ResponseError("x" * 10_000)))
    with pytest.raises(ServiceUnavailableError) as info:
        RedisReplayStore(client).claim("k", 60)
    assert len(str(info.value)) < 400



@pytest.mark.anyio
async def test_cancellation_is_not_a_store_failure(server, monkeypatch) -> None:
    import asyncio

    client = fakeredis.FakeAsyncRedis(server=server)

    async def cancelled(*args: Any, **options: Any) -> Any:
        raise asyncio.CancelledError

    monkeypatch.setattr(client, "set", cancelled)
    with pytest.raises(asyncio.CancelledError):
        await AsyncRedisReplayStore(client).claim("k", 60)
