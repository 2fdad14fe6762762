"""``RedisTokenStore``: one client's tokens in Redis, shared by every instance of a service.

::

    store = RedisTokenStore("redis://tokens.internal:6379/0", key="xbsec:oauth2:tokens:eu")
    auth = AccessTokenAuth(token_client, store)

The token set is one string value (its JSON, ``token_set.py``) under ``key``; it expires
with the refresh token when the server said when, so Redis forgets tokens nobody can use.
``refresh_lock()`` is ``SET <key>:lock <random> NX PX <ttl>``, polled until it is free; it
is released only by its holder (``WATCH``, compare, ``DEL``; on a cluster, one Lua script
that compares and deletes), and it expires by itself if the holder dies. Every command
names one key, so the store works on a Redis Cluster (``redis+cluster://``) and behind
Sentinel (``redis+sentinel://``) as on one server. While one instance refreshes, the
others wait, then read its new tokens: the authorization server rotates refresh tokens and
would revoke the family if two instances used the same one.

As for every Redis store (``connection.py``): a store built from a URL has short timeouts,
messages name Redis without its password, and any failure is an ``AuthorizationError`` that
says which store could not be reached.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, Final, cast

import redis

from xbsec.errors import AuthorizationError, ConfigurationError
from xbsec.oauth2.token_set import TokenSet
from xbsec.stores.redis.connection import (
    SyncClient,
    close_client,
    failure_text,
    is_cluster,
    redact_url,
    sync_client,
)

__all__ = ["RedisTokenStore"]

_TIMEOUT: Final = 2.0
_LOCK_TTL_MS: Final = 30_000
_POLL: Final = 0.05
_MAX_VALUE: Final = 256 * 1024
# KEYS[1] lock key; ARGV[1] the holder's value: the lock is deleted only while it is theirs.
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisTokenStore:
    """A ``TokenStore`` in Redis (redis-py's ``redis.Redis``), safe to share between threads.

    ``client_or_url``: a ``redis.Redis`` (yours to close) or a ``redis://``, ``rediss://``
    or ``unix://`` URL (the store builds its client, with 2 s timeouts and one retry, and
    closes it).
    ``lock_timeout``: seconds to wait for another instance's refresh.
    """

    def __init__(self, client_or_url: SyncClient | str, *, key: str,
                 lock_timeout: float = 30.0) -> None:
        if not isinstance(key, str) or not key:
            raise ConfigurationError("a Redis token store needs a non-empty key")
        self.key = key
        self._lock_key = key + ":lock"
        self._lock_timeout = lock_timeout
        self._owns_client = isinstance(client_or_url, str)
        client: SyncClient
        if isinstance(client_or_url, str):
            self._where = redact_url(client_or_url)
            # One immediate retry replaces a connection Redis closed while idle; every
            # command here may be repeated safely (GET, SET, DEL, SET NX of our own value).
            client = sync_client(client_or_url, purpose="a token store", retries=1,
                                 timeout=_TIMEOUT)
        else:
            self._where = f"<{type(client_or_url).__name__}>"
            client = client_or_url
        self._client = client
        self._release_script = client.register_script(_RELEASE) if is_cluster(client) else None

    @property
    def location(self) -> str:
        return f"{self._where} key {self.key}"

    @property
    def client(self) -> SyncClient:
        return self._client

    def _fail(self, exc: Exception) -> AuthorizationError:
        return AuthorizationError(f"the token store at {self.location} failed: "
                                  f"{failure_text(exc)}")

    def load(self) -> TokenSet | None:
        try:
            raw: Any = self._client.get(self.key)
        except Exception as exc:
            raise self._fail(exc) from None
        if raw is None:
            return None
        if isinstance(raw, str):  # a client made with decode_responses=True
            raw = raw.encode("utf-8")
        if not isinstance(raw, bytes) or len(raw) > _MAX_VALUE:
            raise AuthorizationError(f"{self.location}: not a token set")
        return TokenSet.from_json(raw, source=self.location)

    def save(self, tokens: TokenSet) -> None:
        ttl_ms = None
        if tokens.refresh_expires_at is not None:
            ttl_ms = max(1, math.ceil((tokens.refresh_expires_at - time.time()) * 1000))
        try:
            self._client.set(self.key, tokens.to_json(), px=ttl_ms)
        except Exception as exc:
            raise self._fail(exc) from None

    def delete(self) -> bool:
        try:
            return bool(self._client.delete(self.key))
        except Exception as exc:
            raise self._fail(exc) from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        mine = os.urandom(16).hex().encode("ascii")
        deadline = time.monotonic() + self._lock_timeout
        try:
            while not self._client.set(self._lock_key, mine, nx=True, px=_LOCK_TTL_MS):
                if time.monotonic() >= deadline:
                    raise AuthorizationError(
                        f"another instance has been refreshing the tokens in {self.location}"
                        f" for more than {self._lock_timeout:g} s")
                time.sleep(_POLL)
        except AuthorizationError:
            raise
        except Exception as exc:
            raise self._fail(exc) from None
        try:
            yield
        finally:
            self._release(mine)

    def _release(self, mine: bytes) -> None:
        # Delete the lock only while it is still ours: if it expired and another instance
        # took it, a plain DEL would free that instance's lock.
        try:
            if self._release_script is not None:  # a cluster: one script on the lock's slot
                self._release_script(keys=[self._lock_key], args=[mine])
                return
            with cast(redis.Redis, self._client).pipeline() as pipe:
                pipe.watch(self._lock_key)  # type: ignore[no-untyped-call]  # redis-py stub gap
                if pipe.get(self._lock_key) in (mine, mine.decode("ascii")):
                    pipe.multi()
                    pipe.delete(self._lock_key)
                    pipe.execute()
                else:
                    pipe.unwatch()
        except redis.WatchError:
            pass  # changed meanwhile: it was no longer ours
        except Exception:  # noqa: S110 - the lock expires by itself; the refresh went fine
            pass

    def refresh_lock(self) -> AbstractContextManager[None]:
        return self._locked()

    def close(self) -> None:
        """Close the client if the store built it; a client passed in is left open."""
        if self._owns_client:
            close_client(self._client)

    def __repr__(self) -> str:
        return f"RedisTokenStore({self._where!r}, key={self.key!r})"
