"""A real Redis that stops, restarts, hangs, refuses writes or wants a password: every claim
it cannot record is a 503 (fail closed), and the same store serves again once Redis does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest
import redis

from tests.oauth1.conftest import CONSUMER_KEY, NOW, make_certificate
from tests.redis_server import (  # noqa: F401 (registers the fixtures)
    RedisServer,
    free_port,
    make_redis_server_fixture,
    prefix_fixture,
    redis_server_fixture,
)
from xbsec import ServiceUnavailableError
from xbsec.oauth1 import OAuth1Signer, OAuth1Verifier
from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore
from xbsec.stores.replay import claim_nonce, claim_nonce_async

PASSWORD = "s3cret-Pa55"
URL = "https://sandbox.api.mastercard.com/send/v1/partners/P1/crossborder/quotes"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _refused_fast(claim: Callable[[], Any], *phrases: str, within: float = 1.0) -> str:
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError) as info:
        claim()
    assert time.monotonic() - started < within
    assert (info.value.status, info.value.reason_code) == (503, "SERVICE_UNAVAILABLE")
    message = str(info.value)
    for phrase in phrases:
        assert phrase in message
    assert PASSWORD not in message
    return message


def test_a_stopped_redis_fails_closed_and_the_same_store_serves_once_it_is_back(
        redis_server, prefix) -> None:
    store = RedisReplayStore(redis_server.url, prefix=prefix)
    assert store.claim("before", 60)
    redis_server.stop()
    for n in range(5):
        _refused_fast(lambda n=n: store.claim(f"down-{n}", 60),
                      f"the replay store at {redis_server.url} cannot be reached")
    _refused_fast(lambda: claim_nonce(store, "down", 60))
    assert store.ping() is False
    redis_server.start()  # same port, not rebuilt
    assert store.ping() is True
    assert store.claim("after", 60)
    assert not store.claim("after", 60)
    # Without persistence a restarted Redis has forgotten every claim (module docstring).
    assert store.claim("before", 60)


@pytest.mark.anyio
async def test_a_stopped_redis_fails_closed_asynchronously(redis_server, prefix) -> None:
    async with AsyncRedisReplayStore(redis_server.url, prefix=prefix) as store:
        assert await store.claim("before", 60)
        redis_server.stop()
        for n in range(5):
            started = time.monotonic()
            with pytest.raises(ServiceUnavailableError, match="cannot be reached"):
                await store.claim(f"down-{n}", 60)
            assert time.monotonic() - started < 1.0
        with pytest.raises(ServiceUnavailableError):
            await claim_nonce_async(store, "down", 60)
        assert await store.ping() is False
        redis_server.start()
        assert await store.ping() is True
        assert await store.claim("after", 60)
        assert not await store.claim("after", 60)


def test_a_restart_between_two_claims_costs_no_claim(redis_server, prefix) -> None:
    store = RedisReplayStore(redis_server.url, prefix=prefix)
    assert store.claim("a", 60)
    redis_server.stop()
    redis_server.start()
    assert store.claim("b", 60)  # the pool replaced the connection the restart closed


@pytest.mark.anyio
async def test_a_restart_between_two_async_claims_costs_no_claim(redis_server, prefix) -> None:
    async with AsyncRedisReplayStore(redis_server.url, prefix=prefix) as store:
        assert await store.claim("a", 60)
        redis_server.stop()
        # A gateway's loop runs on while Redis restarts, and so reads the close; stop() and
        # start() block this loop, so give it that moment.
        await anyio.sleep(0.05)
        redis_server.start()
        assert await store.claim("b", 60)  # the pool replaced the connection the restart closed


def test_a_verifier_on_a_stopped_redis_answers_503(redis_server, prefix,
                                                   rsa_key_2048) -> None:
    certificate = make_certificate(rsa_key_2048, not_before=NOW - 60, not_after=NOW + 60)
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW)
    store = RedisReplayStore(redis_server.url, prefix=prefix)
    verifier = OAuth1Verifier({CONSUMER_KEY: certificate}, replay_store=store,
                              clock=lambda: NOW)
    header = signer.authorization_header("GET", URL)
    redis_server.stop()
    _refused_fast(lambda: verifier.verify("GET", URL, header), "cannot be reached")
    redis_server.start()
    verifier.verify("GET", URL, header)  # refused while down, so not a replay now


@pytest.mark.slow
@pytest.mark.anyio
async def test_a_hung_redis_times_out_within_a_second(redis_server, prefix) -> None:
    store = RedisReplayStore(redis_server.url, prefix=prefix)
    async_store = AsyncRedisReplayStore(redis_server.url, prefix=prefix)
    assert store.ping()
    assert await async_store.ping()
    redis_server.pause()
    try:
        _refused_fast(lambda: store.claim("k", 60), "cannot be reached", "Timeout")
        started = time.monotonic()
        with pytest.raises(ServiceUnavailableError, match=r"cannot be reached: .*Timeout"):
            await async_store.claim("k", 60)
        assert time.monotonic() - started < 1.0
    finally:
        redis_server.resume()
    assert store.claim("after", 60)
    assert not await async_store.claim("after", 60)
    await async_store.aclose()


@pytest.mark.anyio
async def test_a_read_only_replica_refuses_the_claim(make_redis_server, prefix) -> None:
    replica = make_redis_server("--replicaof", "127.0.0.1", str(free_port()))
    store = RedisReplayStore(replica.url, prefix=prefix)
    assert store.ping() is True  # it answers, but will not write
    _refused_fast(lambda: store.claim("k", 60), "refused the claim: ReadOnlyError")
    async with AsyncRedisReplayStore(replica.url, prefix=prefix) as async_store:
        with pytest.raises(ServiceUnavailableError, match="refused the claim: ReadOnlyError"):
            await async_store.claim("k", 60)


def test_a_full_redis_with_noeviction_refuses_the_claim(make_redis_server, prefix) -> None:
    server: RedisServer = make_redis_server("--maxmemory-policy", "noeviction")
    with redis.Redis.from_url(server.url) as admin:
        admin.config_set("maxmemory", 1)  # anything written now exceeds it
    store = RedisReplayStore(server.url, prefix=prefix)
    _refused_fast(lambda: store.claim("k", 60), "refused the claim: OutOfMemoryError")


def test_a_password_protected_redis(make_redis_server, prefix) -> None:
    server: RedisServer = make_redis_server("--requirepass", PASSWORD)
    without = RedisReplayStore(server.url, prefix=prefix)
    _refused_fast(lambda: without.claim("k", 60))
    wrong = RedisReplayStore(f"redis://:wrong-Pa55@127.0.0.1:{server.port}/0", prefix=prefix)
    message = _refused_fast(lambda: wrong.claim("k", 60), "cannot be reached")
    assert "wrong-Pa55" not in message
    assert wrong.ping() is False
    right = RedisReplayStore(f"redis://:{PASSWORD}@127.0.0.1:{server.port}/0", prefix=prefix)
    assert right.claim("k", 60)
    assert not right.claim("k", 60)
    assert PASSWORD not in repr(right)
