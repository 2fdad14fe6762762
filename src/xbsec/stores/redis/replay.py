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
from typing import Final

from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.stores.redis.base import AsyncRedisStore, SyncRedisStore
from xbsec.stores.redis.connection import DEFAULT_TIMEOUT, failure_text, is_refusal, redact_url

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


class RedisReplayStore(SyncRedisStore):
    """A ``ReplayStore`` in Redis (redis-py's ``redis.Redis``), safe to share between threads.

    ``client_or_url``: a ``redis.Redis`` (yours to close) or a ``redis://``, ``rediss://`` or
    ``unix://`` URL (the store builds, and closes, its client: see ``from_url``).
    """

    default_prefix = DEFAULT_PREFIX
    purpose = _PURPOSE
    retries = _NO_RETRIES

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


class AsyncRedisReplayStore(AsyncRedisStore):
    """An ``AsyncReplayStore`` in Redis (``redis.asyncio.Redis``); one per event loop."""

    default_prefix = DEFAULT_PREFIX
    purpose = _PURPOSE
    retries = _NO_RETRIES

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
