"""Redis replay stores on fakeredis: claim once, the TTL set, the keys written, the prefix."""

from __future__ import annotations

from typing import Any

import fakeredis
import pytest

from xbsec import ConfigurationError, NonceReplayError
from xbsec.stores.redis.replay import DEFAULT_PREFIX, AsyncRedisReplayStore, RedisReplayStore
from xbsec.stores.replay import AsyncReplayStore, ReplayStore, claim_nonce, claim_nonce_async

CONSUMER_KEY = "a" * 48 + "!" + "b" * 48
REPLAY_KEY = f"oauth1:{CONSUMER_KEY}:N0nceN0nceN0nce1"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> fakeredis.FakeServer:
    return fakeredis.FakeServer()


@pytest.fixture
def client(server: fakeredis.FakeServer) -> fakeredis.FakeRedis:
    return fakeredis.FakeRedis(server=server)


@pytest.fixture
def store(client: fakeredis.FakeRedis) -> RedisReplayStore:
    return RedisReplayStore(client)


@pytest.fixture
def async_store(server: fakeredis.FakeServer) -> AsyncRedisReplayStore:
    return AsyncRedisReplayStore(fakeredis.FakeAsyncRedis(server=server))


def test_the_stores_are_replay_stores(store, async_store) -> None:
    assert isinstance(store, ReplayStore)
    assert isinstance(async_store, AsyncReplayStore)


def test_a_key_is_claimed_once(store) -> None:
    assert store.claim(REPLAY_KEY, 600)
    assert not store.claim(REPLAY_KEY, 600)
    assert not store.claim(REPLAY_KEY, 1)
    assert store.claim(REPLAY_KEY + "x", 600)


@pytest.mark.anyio
async def test_a_key_is_claimed_once_asynchronously(async_store) -> None:
    assert await async_store.claim(REPLAY_KEY, 600)
    assert not await async_store.claim(REPLAY_KEY, 600)
    assert await async_store.claim(REPLAY_KEY + "x", 600)


@pytest.mark.anyio
async def test_sync_and_async_stores_on_one_redis_see_each_other(store, async_store) -> None:
    assert store.claim("k", 60)
    assert not await async_store.claim("k", 60)


def test_the_key_is_written_verbatim_after_the_prefix(store, client) -> None:
    store.claim(REPLAY_KEY, 600)
    assert client.keys() == [f"{DEFAULT_PREFIX}{REPLAY_KEY}".encode()]
    assert client.get(f"{DEFAULT_PREFIX}{REPLAY_KEY}") == b"1"


def test_keys_are_utf8_whatever_the_clients_encoding(server) -> None:
    latin = fakeredis.FakeRedis(server=server, encoding="latin-1")
    RedisReplayStore(latin).claim("clé", 60)
    assert latin.keys() == [f"{DEFAULT_PREFIX}clé".encode()]


def test_distinct_strings_are_distinct_keys(store) -> None:
    # A lone surrogate must neither fail nor collide with the pair it is half of.
    assert store.claim("\ud83d\ude00", 60)
    assert store.claim("\U0001f600", 60)
    assert not store.claim("\ud83d\ude00", 60)


def test_a_client_decoding_responses_works_too(server) -> None:
    store = RedisReplayStore(fakeredis.FakeRedis(server=server, decode_responses=True))
    assert store.claim("k", 60)
    assert not store.claim("k", 60)


@pytest.mark.parametrize(("ttl", "expected_ms"), [(600, 600_000), (1, 1000), (0.25, 250),
                                                   (0.3, 300), (0.0001, 1), (1.0004, 1001)])
def test_the_ttl_is_set_in_milliseconds_rounded_up(store, client, ttl, expected_ms) -> None:
    store.claim("k", ttl)
    assert expected_ms - 50 < client.pttl(f"{DEFAULT_PREFIX}k") <= expected_ms


def test_a_claim_is_one_set_nx_px_command(store, client, monkeypatch) -> None:
    sent: list[tuple[Any, ...]] = []
    execute = client.execute_command

    def record(*args: Any, **options: Any) -> Any:
        sent.append(args)
        return execute(*args, **options)

    monkeypatch.setattr(client, "execute_command", record)
    store.claim("k", 600)
    store.claim("k", 600)
    assert len(sent) == 2
    for command in sent:
        assert command[:3] == ("SET", f"{DEFAULT_PREFIX}k".encode(), b"1")
        options = command[3:]  # in whatever order redis-py writes them
        assert len(options) == 3
        assert "NX" in options
        assert options[options.index("PX") + 1] == 600_000


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf")])
def test_a_ttl_that_is_not_a_positive_duration_is_refused(store, client, ttl) -> None:
    with pytest.raises(ConfigurationError, match="positive"):
        store.claim("k", ttl)
    assert client.keys() == []


def test_a_prefix_keeps_deployments_apart(server, client) -> None:
    sandbox = RedisReplayStore(client, prefix="sandbox:")
    production = RedisReplayStore(fakeredis.FakeRedis(server=server), prefix="production:")
    assert sandbox.prefix == "sandbox:"
    assert sandbox.claim("k", 60)
    assert production.claim("k", 60)
    assert not RedisReplayStore(client, prefix="sandbox:").claim("k", 60)
    assert sorted(client.keys()) == [b"production:k", b"sandbox:k"]


def test_two_store_instances_on_one_redis_share_their_claims(server) -> None:
    first = RedisReplayStore(fakeredis.FakeRedis(server=server))
    second = RedisReplayStore(fakeredis.FakeRedis(server=server))
    assert first.claim("k", 60)
    assert not second.claim("k", 60)


def test_claim_nonce_refuses_the_second_claim(store) -> None:
    claim_nonce(store, REPLAY_KEY, 600)
    with pytest.raises(NonceReplayError) as info:
        claim_nonce(store, REPLAY_KEY, 600)
    assert (info.value.status, info.value.reason_code) == (401, "NONCE_REPLAYED")


@pytest.mark.anyio
async def test_claim_nonce_async_refuses_the_second_claim(async_store) -> None:
    await claim_nonce_async(async_store, REPLAY_KEY, 600)
    with pytest.raises(NonceReplayError):
        await claim_nonce_async(async_store, REPLAY_KEY, 600)


def test_ping_answers_true_when_redis_answers(store, server) -> None:
    assert store.ping() is True
    server.connected = False
    assert store.ping() is False


@pytest.mark.anyio
async def test_async_ping_answers_true_when_redis_answers(async_store, server) -> None:
    assert await async_store.ping() is True
    server.connected = False
    assert await async_store.ping() is False
