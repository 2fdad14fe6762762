"""The Redis members of the event and rate kinds beyond the shared contract: asyncio, URLs,
keys, expiry, and failures that fail closed without a password."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis

from tests.redis_server import free_port, redis_url_fixture  # noqa: F401  (registers it)
from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.stores import AsyncEventStore, AsyncRateStore
from xbsec.stores.redis.events import AsyncRedisEventStore, RedisEventStore
from xbsec.stores.redis.rates import AsyncRedisRateStore, RedisRateStore


@pytest.fixture
def prefix() -> str:
    return f"xbsec-test:{uuid.uuid4().hex}:"


def test_the_asyncio_event_store_follows_the_same_rules(redis_url: str, prefix: str) -> None:
    async def scenario() -> list[str]:
        async with AsyncRedisEventStore(redis_url, prefix=prefix) as store:
            assert isinstance(store, AsyncEventStore)
            first = await store.begin("evt", lease=30)
            states = [first.state, (await store.begin("evt", lease=30)).state]
            await store.release("evt", first.token)
            second = await store.begin("evt", lease=30)
            states.append(second.state)
            await store.finish("evt", second.token, keep=60)
            states.append((await store.begin("evt", lease=30)).state)
            return states

    assert asyncio.run(scenario()) == ["new", "in_progress", "new", "done"]


def test_the_asyncio_rate_store_follows_the_same_rules(redis_url: str, prefix: str) -> None:
    async def scenario() -> list[bool]:
        async with AsyncRedisRateStore(redis_url, prefix=prefix) as store:
            assert isinstance(store, AsyncRateStore)
            return [(await store.take("ck", rate=0.01, burst=2)).allowed for _ in range(3)]

    assert asyncio.run(scenario()) == [True, True, False]


def test_an_event_is_one_key_under_the_prefix_with_the_lease_as_expiry(redis_url: str,
                                                                       prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    store = RedisEventStore(client, prefix=prefix)
    claim = store.begin("evt-1", lease=30)
    assert client.keys(prefix + "*") == [(prefix + "evt-1").encode()]
    assert 29_000 < client.pttl(prefix + "evt-1") <= 30_000
    store.finish("evt-1", claim.token, keep=3600)
    assert client.get(prefix + "evt-1") == b"d"
    assert 3_599_000 < client.pttl(prefix + "evt-1") <= 3_600_000


def test_a_bucket_expires_once_it_would_be_full_again(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url)
    store = RedisRateStore(client, prefix=prefix)
    store.take("ck", rate=2, burst=10, cost=4)  # 4 tokens short: full in 2 s
    assert 2_000 < client.pttl(prefix + "ck") <= 3_000


def _dead_url() -> str:
    return f"redis://:hunter2-pw@127.0.0.1:{free_port()}/0"


@pytest.mark.parametrize("action", ["begin", "finish", "release"])
def test_an_unreachable_event_store_fails_closed_without_its_password(action: str) -> None:
    store = RedisEventStore(_dead_url())
    call = {"begin": lambda: store.begin("evt", lease=30),
            "finish": lambda: store.finish("evt", "t" * 32, keep=30),
            "release": lambda: store.release("evt", "t" * 32)}[action]
    with pytest.raises(ServiceUnavailableError,
                       match=r"event store at redis://127\.0\.0\.1") as info:
        call()
    assert "hunter2-pw" not in str(info.value)


def test_an_unreachable_rate_store_fails_closed_without_its_password() -> None:
    with pytest.raises(ServiceUnavailableError,
                       match=r"rate store at redis://127\.0\.0\.1") as info:
        RedisRateStore(_dead_url()).take("ck", rate=1, burst=1)
    assert "hunter2-pw" not in str(info.value)


@pytest.mark.parametrize("store_class", [RedisEventStore, RedisRateStore,
                                         AsyncRedisEventStore, AsyncRedisRateStore])
def test_an_unusable_url_is_a_configuration_error_without_its_password(store_class: type
                                                                       ) -> None:
    with pytest.raises(ConfigurationError) as info:
        store_class("http://:hunter2-pw@host:6379")
    assert "hunter2-pw" not in str(info.value)


def test_repr_names_the_server_without_credentials() -> None:
    url = f"redis://:hunter2-pw@127.0.0.1:{free_port()}/2"
    for store in (RedisEventStore(url), RedisRateStore(url)):
        assert "hunter2-pw" not in repr(store)
        assert "127.0.0.1" in repr(store)


def test_a_reply_that_is_not_a_decision_fails_closed(redis_url: str, prefix: str) -> None:
    store = RedisRateStore(redis_url, prefix=prefix)
    with pytest.raises(ServiceUnavailableError, match="answered unexpectedly"):
        store.decision([b"1", b"not a number", b"0"])
    store.close()


def test_a_client_that_decodes_responses_reads_done_events(redis_url: str, prefix: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    store = RedisEventStore(client, prefix=prefix)
    claim = store.begin("evt", lease=30)
    assert store.begin("evt", lease=30).state == "in_progress"
    store.finish("evt", claim.token, keep=60)
    assert store.begin("evt", lease=30).state == "done"
    client.close()
