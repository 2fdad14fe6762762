"""RedisTokenStore on fakeredis (unit tests): keys, expiry, the refresh lock, failures."""

from __future__ import annotations

import threading
import time
from typing import Any

import fakeredis
import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from xbsec.errors import AuthorizationError, ConfigurationError
from xbsec.oauth2.token_set import TokenSet
from xbsec.stores.redis.tokens import RedisTokenStore
from xbsec.stores.tokens import TokenStore, token_store_from_setting


def tokens(refresh_in: float | None = 3600) -> TokenSet:
    now = time.time()
    return TokenSet(access_token="at-secret", expires_at=now + 900, obtained_at=now,
                    refresh_token="rt-secret",
                    refresh_expires_at=None if refresh_in is None else now + refresh_in)


@pytest.fixture
def client() -> Any:
    return fakeredis.FakeRedis()


@pytest.fixture
def store(client: Any) -> RedisTokenStore:
    return RedisTokenStore(client, key="xbsec:oauth2:tokens:eu", lock_timeout=0.5)


def test_load_save_delete(store: RedisTokenStore, client: Any) -> None:
    assert isinstance(store, TokenStore)
    assert store.load() is None
    saved = tokens()
    store.save(saved)
    assert store.load() == saved
    assert client.get("xbsec:oauth2:tokens:eu") == saved.to_json()
    assert store.delete() is True
    assert store.delete() is False
    assert store.load() is None


def test_the_value_expires_with_the_refresh_token(store: RedisTokenStore, client: Any) -> None:
    store.save(tokens(refresh_in=3600))
    assert 3590_000 < client.pttl("xbsec:oauth2:tokens:eu") <= 3600_000
    store.save(tokens(refresh_in=None))
    assert client.pttl("xbsec:oauth2:tokens:eu") == -1  # no expiry known: kept


def test_a_client_that_decodes_responses_works_too() -> None:
    store = RedisTokenStore(fakeredis.FakeRedis(decode_responses=True), key="k")
    saved = tokens()
    store.save(saved)
    assert store.load() == saved
    with store.refresh_lock():
        pass
    with store.refresh_lock():  # released by its holder, even as str replies
        pass


def test_a_value_that_is_not_a_token_set_is_an_error(store: RedisTokenStore,
                                                     client: Any) -> None:
    client.set("xbsec:oauth2:tokens:eu", b"junk")
    with pytest.raises(AuthorizationError, match="key xbsec:oauth2:tokens:eu: not a token set"):
        store.load()


def test_the_lock_is_exclusive_between_stores(client: Any) -> None:
    first = RedisTokenStore(client, key="k", lock_timeout=0.2)
    second = RedisTokenStore(client, key="k", lock_timeout=0.2)
    with first.refresh_lock():
        assert client.get("k:lock") is not None
        assert client.pttl("k:lock") > 0  # a dead holder's lock expires by itself
        with pytest.raises(AuthorizationError, match="another instance"), \
                second.refresh_lock():
            pass
    assert client.get("k:lock") is None
    with second.refresh_lock():
        pass


def test_the_lock_serialises_threads(client: Any) -> None:
    stores = [RedisTokenStore(client, key="k", lock_timeout=10) for _ in range(8)]
    inside, most = 0, 0
    guard = threading.Lock()

    def work(store: RedisTokenStore) -> None:
        nonlocal inside, most
        with store.refresh_lock():
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


def test_an_expired_lock_taken_by_another_is_not_released_by_the_first(client: Any) -> None:
    first = RedisTokenStore(client, key="k")
    with first.refresh_lock():
        client.set("k:lock", b"someone-else")  # ours expired; another instance took it
    assert client.get("k:lock") == b"someone-else"


def test_a_redis_that_does_not_answer_is_an_authorization_error() -> None:
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                       retry=Retry(NoBackoff(), 0))
    store = RedisTokenStore(dead, key="k")
    for action in (store.load, lambda: store.save(tokens()), store.delete):
        with pytest.raises(AuthorizationError, match="the token store at <Redis> key k failed"):
            action()
    with pytest.raises(AuthorizationError, match="failed"), store.refresh_lock():
        pass


def test_a_url_store_names_redis_without_its_password() -> None:
    store = RedisTokenStore("redis://:hunter2@127.0.0.1:1/0", key="k")
    assert "hunter2" not in store.location
    assert "hunter2" not in repr(store)
    with pytest.raises(AuthorizationError) as caught:
        store.load()
    assert "hunter2" not in str(caught.value)
    assert "redis://***@127.0.0.1:1/0" in str(caught.value)
    store.close()


def test_a_bad_url_is_a_configuration_error_without_the_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        RedisTokenStore("redis://:hunter2@127.0.0.1:notaport/0", key="k")
    assert "hunter2" not in str(caught.value)


def test_an_empty_key_is_refused(client: Any) -> None:
    with pytest.raises(ConfigurationError, match="non-empty key"):
        RedisTokenStore(client, key="")


def test_the_setting_builds_a_redis_store() -> None:
    store = token_store_from_setting("redis://127.0.0.1:6379/3", path="unused",
                                     redis_key="xbsec:oauth2:tokens:eu")
    assert isinstance(store, RedisTokenStore)
    assert store.key == "xbsec:oauth2:tokens:eu"
    assert store.location == "redis://127.0.0.1:6379/3 key xbsec:oauth2:tokens:eu"
    store.close()
