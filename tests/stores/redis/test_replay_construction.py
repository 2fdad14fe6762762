"""Building a Redis replay store: from a URL (short timeouts, no retries, no connection yet)
or a client; who closes what; what the store says about itself; what it imports."""

from __future__ import annotations

import subprocess
import sys

import fakeredis
import pytest
import redis
import redis.asyncio

import xbsec.stores.redis.replay as redis_store
from tests.redis_server import free_port
from xbsec import ConfigurationError
from xbsec.stores.redis import connection
from xbsec.stores.redis.replay import (
    DEFAULT_PREFIX,
    DEFAULT_TIMEOUT,
    AsyncRedisReplayStore,
    RedisReplayStore,
    redact_url,
)

STORES = [RedisReplayStore, AsyncRedisReplayStore]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _kwargs(store: RedisReplayStore | AsyncRedisReplayStore) -> dict[str, object]:
    return dict(store.client.connection_pool.connection_kwargs)


def test_the_public_names_are_pinned() -> None:
    assert redis_store.__all__ == ["DEFAULT_PREFIX", "DEFAULT_TIMEOUT", "AsyncRedisReplayStore",
                                   "RedisReplayStore", "redact_url"]
    assert DEFAULT_PREFIX == "xbsec:replay:"


def test_neither_xbsec_nor_xbsec_server_imports_redis() -> None:
    code = ("import sys, xbsec, xbsec.server, xbsec.stores.replay; "
            "print(sorted(m for m in sys.modules if m == 'redis' or m.startswith('redis.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("store_class", STORES)
def test_a_url_gives_short_timeouts_and_no_retries(store_class) -> None:
    store = store_class("redis://127.0.0.1:6379/2")
    kwargs = _kwargs(store)
    assert kwargs["socket_timeout"] == kwargs["socket_connect_timeout"] == DEFAULT_TIMEOUT
    assert kwargs["retry"].get_retries() == 0  # type: ignore[attr-defined]
    assert kwargs["protocol"] == 2
    assert kwargs["db"] == 2


@pytest.mark.parametrize("store_class", STORES)
def test_from_url_passes_options_to_redis(store_class) -> None:
    store = store_class.from_url("redis://127.0.0.1:6379/0", prefix="p:", socket_timeout=2.5,
                                 max_connections=7)
    kwargs = _kwargs(store)
    assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (2.5, DEFAULT_TIMEOUT)
    assert store.client.connection_pool.max_connections == 7
    assert store.prefix == "p:"


def test_options_in_the_url_win() -> None:
    store = RedisReplayStore.from_url("redis://127.0.0.1:6379/0?socket_timeout=3",
                                      socket_timeout=2)
    assert _kwargs(store)["socket_timeout"] == 3


@pytest.mark.parametrize("store_class", STORES)
def test_a_url_store_does_not_connect_when_built(store_class) -> None:
    store_class(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens: no error yet


@pytest.mark.parametrize("store_class", STORES)
@pytest.mark.parametrize("url", ["http://:hunter2-pw@host:6379", "redis://:hunter2-pw@host:x/0",
                                 "redis://host:6379/0?db=zero&password=hunter2-pw"])
def test_an_unusable_url_is_a_configuration_error_without_its_password(store_class,
                                                                        url) -> None:
    with pytest.raises(ConfigurationError, match="as a replay store") as info:
        store_class(url)
    assert "hunter2-pw" not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_a_client_of_the_other_kind_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="AsyncRedisReplayStore"):
        RedisReplayStore(redis.asyncio.Redis())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="goes to RedisReplayStore"):
        AsyncRedisReplayStore(redis.Redis())  # type: ignore[arg-type]


@pytest.mark.parametrize(("url", "where"), [
    ("redis://:pw@127.0.0.1:6390/4", "redis://127.0.0.1:6390/4"),
    ("redis://user:pw@redis.internal", "redis://redis.internal:6379/0"),
    ("rediss://:pw@redis.internal:6380/1", "rediss://redis.internal:6380/1"),
    ("unix://:pw@/run/redis.sock?db=2", "unix:///run/redis.sock?db=2"),
    ("redis://[::1]:6390/0", "redis://[::1]:6390/0"),
])
@pytest.mark.parametrize("store_class", STORES)
def test_the_store_names_where_it_connects_without_credentials(store_class, url,
                                                               where) -> None:
    assert repr(store_class(url)) == f"{store_class.__name__}({where!r}, prefix='xbsec:replay:')"


def test_a_client_that_is_not_a_plain_redis_is_named_by_its_class() -> None:
    class Clustered:
        pass

    assert connection.describe(Clustered()) == "<Clustered>"


@pytest.mark.parametrize(("url", "redacted"), [
    ("redis://:secret@host:6379/0", "redis://***@host:6379/0"),
    ("redis://user:secret@host", "redis://***@host"),
    ("rediss://user@host:6380", "rediss://***@host:6380"),
    ("redis://:p@ss/w?rd@host:6379/0", "redis://***@host:6379/0"),
    ("unix://:secret@/run/redis.sock?db=0", "unix://***@/run/redis.sock?db=0"),
    ("redis://host:6379/0?password=secret&db=1", "redis://host:6379/0?password=***&db=1"),
    ("redis://host/0?db=1&PASSWORD=secret", "redis://host/0?db=1&PASSWORD=***"),
    (":secret@host:6379", "***@host:6379"),
    ("redis://host:6379/0", "redis://host:6379/0"),
    ("redis://host:6379/0?socket_timeout=1", "redis://host:6379/0?socket_timeout=1"),
])
def test_redact_url_hides_credentials(url, redacted) -> None:
    assert redact_url(url) == redacted


def test_close_closes_only_a_client_the_store_built(monkeypatch) -> None:
    closed: list[object] = []
    own = RedisReplayStore("redis://127.0.0.1:6379/0")
    monkeypatch.setattr(own.client, "close", lambda: closed.append(own.client))
    given = fakeredis.FakeRedis()
    monkeypatch.setattr(given, "close", lambda: closed.append(given))
    with own, RedisReplayStore(given) as borrowed:
        assert borrowed.client is given
    assert closed == [own.client]
    from_url = RedisReplayStore.from_url("redis://127.0.0.1:6379/0")
    monkeypatch.setattr(from_url.client, "close", lambda: closed.append(from_url.client))
    from_url.close()
    assert closed[-1] is from_url.client


@pytest.mark.anyio
async def test_aclose_closes_only_a_client_the_store_built(monkeypatch) -> None:
    closed: list[object] = []

    def recorder(client: object) -> object:
        async def aclose() -> None:
            closed.append(client)
        return aclose

    own = AsyncRedisReplayStore("redis://127.0.0.1:6379/0")
    monkeypatch.setattr(own.client, "aclose", recorder(own.client))
    given = fakeredis.FakeAsyncRedis()
    monkeypatch.setattr(given, "aclose", recorder(given))
    async with own, AsyncRedisReplayStore(given):
        pass
    assert closed == [own.client]
    from_url = AsyncRedisReplayStore.from_url("redis://127.0.0.1:6379/0")
    monkeypatch.setattr(from_url.client, "aclose", recorder(from_url.client))
    await from_url.aclose()
    assert closed[-1] is from_url.client
