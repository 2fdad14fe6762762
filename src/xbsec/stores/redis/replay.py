"""Replay stores in Redis, shared by every gateway instance behind a load balancer.

::

    from xbsec.oauth1 import OAuth1Verifier
    from xbsec.stores import AsyncRedisReplayStore, RedisReplayStore, claim_nonce_async

    store = RedisReplayStore("redis://replay.internal:6379/0")
    verifier = OAuth1Verifier(credentials, replay_store=store)
    verifier.verify(method, url, authorization, body)       # claims the nonce in Redis

    # under asyncio: authenticate, then claim through the asynchronous store
    store = AsyncRedisReplayStore("redis://replay.internal:6379/0")   # one per event loop
    verified = verifier.authenticate(method, url, authorization, body)
    await claim_nonce_async(store, verified.replay_key, verified.replay_ttl)

A claim is one command, ``SET <prefix><key> 1 NX PX <ttl in ms, rounded up>``. Redis runs
each command alone, so of any number of concurrent claims of a key, from any number of
processes and hosts, exactly one is told it came first. The key is kept as given after the
prefix (UTF-8; consumer keys contain ``!``). Expiry is counted by the Redis server, so the
gateways' clocks do not matter.

Failures fail closed (SPEC §2.7 step 4): whatever goes wrong (connection refused, timeout,
authentication, a read-only replica, an out-of-memory refusal, an unexpected reply) raises
``ServiceUnavailableError`` (503), whose message names the store without its password.
``ping()`` is for health checks: True or False, never an exception.

A store built from a URL has short timeouts (0.5 s to connect, 0.5 s per reply) and no
retries, so a dead Redis costs a request at most about a second. It does not connect until
the first claim. Retries are off because a claim is not idempotent: if a reply is lost, the
retried ``SET NX`` finds the key its own first attempt set, and a fresh request would be
refused as a replay. An idle connection that Redis closed (a restart, its idle ``timeout``)
is replaced by the connection pool before it is used, so a restart costs no claim. A client
you build and pass in keeps its own settings (redis-py's defaults: 5 s timeouts and 10
retries, which make a dead Redis slow to report).

Consistency model. Exactly once holds while every gateway talks to one Redis primary.
Redis replication is asynchronous: when a replica is promoted (Sentinel, a managed
failover), claims that the old primary acknowledged but had not yet replicated are lost,
and a request replayed after the failover, while its timestamp is still in the window, is
accepted once more. A Redis restarted without persistence forgets every claim the same way.
Configure ``maxmemory-policy noeviction``: every replay key has a TTL, so the ``volatile-*``
and ``allkeys-*`` policies would evict live nonces under memory pressure; with
``noeviction`` a full Redis refuses the claim and the gateway answers 503, as
``MemoryReplayStore`` does when full. Give each deployment (sandbox, production) its own
``prefix`` when they share a Redis.
"""

from __future__ import annotations

import math
from types import TracebackType
from typing import Any, Final, Self

import redis
import redis.asyncio

from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.stores.redis.connection import (
    DEFAULT_TIMEOUT,
    async_client,
    describe,
    failure_text,
    is_refusal,
    redact_url,
    sync_client,
)

__all__ = ["DEFAULT_PREFIX", "DEFAULT_TIMEOUT", "AsyncRedisReplayStore", "RedisReplayStore",
           "redact_url"]

DEFAULT_PREFIX: Final = "xbsec:replay:"

_VALUE: Final = b"1"
_PURPOSE: Final = "a replay store"
_NO_RETRIES: Final = 0  # a claim is not idempotent (see above)


def _milliseconds(ttl: float) -> int:
    """The claim's lifetime in ms, rounded up: remembering a nonce too long is the safe side."""
    if not math.isfinite(ttl) or ttl <= 0:
        raise ConfigurationError(f"a replay ttl must be a positive number of seconds, not {ttl!r}")
    return max(1, math.ceil(round(ttl * 1000, 3)))


def _failure(where: str, exc: Exception) -> ServiceUnavailableError:
    """A 503 naming the store and what went wrong."""
    if is_refusal(exc):  # it answered, with an error (READONLY, OOM, ...)
        return ServiceUnavailableError(
            f"the replay store at {where} refused the claim: {failure_text(exc)}")
    return ServiceUnavailableError(
        f"the replay store at {where} cannot be reached: {failure_text(exc)}")


def _fresh(reply: object, where: str) -> bool:
    # redis-py reads the OK of a SET as True and the nil of a refused NX as None.
    if reply is True:
        return True
    if reply is None:
        return False
    raise ServiceUnavailableError(
        f"the replay store at {where} answered SET NX with an unexpected reply: "
        f"{reply!r}"[:200])


class _Keys:
    """What both stores share: the prefix and how a replay key becomes a Redis key."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._prefix_bytes = prefix.encode("utf-8", "surrogatepass")

    @property
    def prefix(self) -> str:
        return self._prefix

    def redis_key(self, key: str) -> bytes:
        """``prefix + key`` as bytes, so the client's own encoding settings cannot change it.

        ``surrogatepass`` keeps the mapping one-to-one for any ``str``: distinct replay keys
        never share a Redis key.
        """
        return self._prefix_bytes + key.encode("utf-8", "surrogatepass")


class RedisReplayStore(_Keys):
    """A ``ReplayStore`` in Redis (redis-py's ``redis.Redis``), safe to share between threads.

    ``client_or_url``: a ``redis.Redis`` (yours to close) or a ``redis://``, ``rediss://`` or
    ``unix://`` URL (the store builds, and closes, its client: see ``from_url``).
    """

    def __init__(self, client_or_url: redis.Redis | str, *,
                 prefix: str = DEFAULT_PREFIX) -> None:
        super().__init__(prefix)
        given: object = client_or_url  # callers may pass anything at run time
        if isinstance(given, redis.asyncio.Redis):
            raise ConfigurationError("a redis.asyncio.Redis client goes to AsyncRedisReplayStore")
        self._owns_client = isinstance(client_or_url, str)
        if isinstance(client_or_url, str):
            client_or_url = self._client_from_url(client_or_url, {})
        self._client = client_or_url
        self._where = describe(client_or_url)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX, **options: Any) -> Self:
        """A store with its own client; ``options`` go to ``redis.Redis.from_url``.

        Defaults: ``socket_timeout`` and ``socket_connect_timeout`` of ``DEFAULT_TIMEOUT``,
        no retries, ``protocol=2``. Options in the URL's query win over these.
        """
        store = cls(cls._client_from_url(url, options), prefix=prefix)
        store._owns_client = True
        return store

    @staticmethod
    def _client_from_url(url: str, options: dict[str, Any]) -> redis.Redis:
        return sync_client(url, purpose=_PURPOSE, retries=_NO_RETRIES, options=options)

    @property
    def client(self) -> redis.Redis:
        return self._client

    def claim(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; True if it was not already recorded.

        Raises ``ServiceUnavailableError`` if Redis cannot record it.
        """
        ms = _milliseconds(ttl)
        try:
            reply = self._client.set(self.redis_key(key), _VALUE, nx=True, px=ms)
        except Exception as exc:  # any failure fails closed
            raise _failure(self._where, exc) from exc
        return _fresh(reply, self._where)

    def ping(self) -> bool:
        """True if Redis answers a PING now (for health checks); never raises."""
        try:
            return bool(self._client.ping())
        except Exception:
            return False

    def close(self) -> None:
        """Close the client if the store built it; a client passed in is left open."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where!r}, prefix={self.prefix!r})"


class AsyncRedisReplayStore(_Keys):
    """An ``AsyncReplayStore`` in Redis (``redis.asyncio.Redis``).

    Use one per event loop: redis-py's asynchronous connections belong to the loop that
    opened them, and using them from another loop is an error.
    """

    def __init__(self, client_or_url: redis.asyncio.Redis | str, *,
                 prefix: str = DEFAULT_PREFIX) -> None:
        super().__init__(prefix)
        given: object = client_or_url  # callers may pass anything at run time
        if isinstance(given, redis.Redis):
            raise ConfigurationError("a redis.Redis client goes to RedisReplayStore")
        self._owns_client = isinstance(client_or_url, str)
        if isinstance(client_or_url, str):
            client_or_url = self._client_from_url(client_or_url, {})
        self._client = client_or_url
        self._where = describe(client_or_url)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX, **options: Any) -> Self:
        """As ``RedisReplayStore.from_url``; ``options`` go to ``redis.asyncio.Redis.from_url``."""
        store = cls(cls._client_from_url(url, options), prefix=prefix)
        store._owns_client = True
        return store

    @staticmethod
    def _client_from_url(url: str, options: dict[str, Any]) -> redis.asyncio.Redis:
        return async_client(url, purpose=_PURPOSE, retries=_NO_RETRIES, options=options)

    @property
    def client(self) -> redis.asyncio.Redis:
        return self._client

    async def claim(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; True if it was not already recorded.

        Raises ``ServiceUnavailableError`` if Redis cannot record it.
        """
        ms = _milliseconds(ttl)
        try:
            reply = await self._client.set(self.redis_key(key), _VALUE, nx=True, px=ms)
        except Exception as exc:  # any failure fails closed; cancellation passes through
            raise _failure(self._where, exc) from exc
        return _fresh(reply, self._where)

    async def ping(self) -> bool:
        """True if Redis answers a PING now (for health checks); never raises."""
        try:
            return bool(await self._client.ping())
        except Exception:
            return False

    async def aclose(self) -> None:
        """Close the client if the store built it; a client passed in is left open."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where!r}, prefix={self.prefix!r})"
