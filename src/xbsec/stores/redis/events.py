"""Event claims in Redis, shared by every receiver process and host (``xbsec.stores.events``).

One key per event, ``<prefix><event ref>``: ``i:<token>`` while a receiver holds it (with the
lease as its expiry), ``d`` once handled (kept for ``keep``). ``begin`` is one
``SET NX PX``; ``finish`` and ``release`` are short Lua scripts that compare the token
before they change anything, so each is one atomic step on one key (and each key lives in
one Redis Cluster slot). ``begin`` is not retried (it is not idempotent, as a replay claim);
``finish`` and ``release`` are.

Failures raise ``ServiceUnavailableError`` naming the store, never its password.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Final

from xbsec.errors import ServiceUnavailableError
from xbsec.stores.events import EventClaim, check_event_ref, check_seconds, new_claim_token
from xbsec.stores.redis.base import AsyncRedisStore, SyncRedisStore
from xbsec.stores.redis.connection import failure_text

__all__ = ["DEFAULT_PREFIX", "AsyncRedisEventStore", "RedisEventStore"]

DEFAULT_PREFIX: Final = "xbsec:events:"
_PURPOSE: Final = "an event store"
_DONE: Final = b"d"

# KEYS[1] event key; ARGV[1] "i:<token>", ARGV[2] keep in ms. A lapsed claim that nobody
# took over is still ours to finish: the work was done.
_FINISH: Final = """
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2])
  return 1
end
return 0
"""
# KEYS[1] event key; ARGV[1] "i:<token>".
_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def _ms(seconds: float, name: str) -> int:
    return max(1, math.ceil(check_seconds(seconds, name) * 1000))


class _Events:
    """What both event stores share: keys, values, replies, failures."""

    _where: str
    redis_key: Callable[[str], bytes]  # the store's (base.py)

    def key(self, event_ref: str) -> bytes:
        return self.redis_key(check_event_ref(event_ref))

    @staticmethod
    def held(token: str) -> bytes:
        return b"i:" + token.encode("ascii")

    def fail(self, exc: Exception) -> ServiceUnavailableError:
        return ServiceUnavailableError(f"the event store at {self._where} cannot answer: "
                                       f"{failure_text(exc)}")

    @staticmethod
    def state_of(current: Any) -> EventClaim:
        if isinstance(current, str):
            current = current.encode("utf-8")
        return EventClaim("done" if current == _DONE else "in_progress")


class RedisEventStore(_Events, SyncRedisStore):
    """An ``EventStore`` in Redis (``redis.Redis``, or a URL: the store builds and closes its
    client, with short timeouts and no retries)."""

    default_prefix = DEFAULT_PREFIX
    purpose = _PURPOSE

    def __init__(self, client_or_url: Any, *, prefix: str | None = None,
                 options: dict[str, Any] | None = None) -> None:
        super().__init__(client_or_url, prefix=prefix, options=options)
        self._finish = self._client.register_script(_FINISH)
        self._release = self._client.register_script(_RELEASE)

    def begin(self, event_ref: str, *, lease: float) -> EventClaim:
        key, lease_ms, token = self.key(event_ref), _ms(lease, "lease"), new_claim_token()
        try:
            # A claim that lapses between the SET and the GET is tried once more.
            for _ in range(2):
                if self._client.set(key, self.held(token), nx=True, px=lease_ms):
                    return EventClaim("new", token)
                current = self._client.get(key)
                if current is not None:
                    return self.state_of(current)
        except Exception as exc:
            raise self.fail(exc) from exc
        return EventClaim("in_progress")

    def finish(self, event_ref: str, token: str, *, keep: float) -> None:
        key, keep_ms = self.key(event_ref), _ms(keep, "keep")
        try:
            self._finish(keys=[key], args=[self.held(token), keep_ms])
        except Exception as exc:
            raise self.fail(exc) from exc

    def release(self, event_ref: str, token: str) -> None:
        key = self.key(event_ref)
        try:
            self._release(keys=[key], args=[self.held(token)])
        except Exception as exc:
            raise self.fail(exc) from exc


class AsyncRedisEventStore(_Events, AsyncRedisStore):
    """An ``AsyncEventStore`` in Redis (``redis.asyncio.Redis``); one per event loop."""

    default_prefix = DEFAULT_PREFIX
    purpose = _PURPOSE

    def __init__(self, client_or_url: Any, *, prefix: str | None = None,
                 options: dict[str, Any] | None = None) -> None:
        super().__init__(client_or_url, prefix=prefix, options=options)
        self._finish = self._client.register_script(_FINISH)
        self._release = self._client.register_script(_RELEASE)

    async def begin(self, event_ref: str, *, lease: float) -> EventClaim:
        key, lease_ms, token = self.key(event_ref), _ms(lease, "lease"), new_claim_token()
        try:
            for _ in range(2):
                if await self._client.set(key, self.held(token), nx=True, px=lease_ms):
                    return EventClaim("new", token)
                current = await self._client.get(key)
                if current is not None:
                    return self.state_of(current)
        except Exception as exc:
            raise self.fail(exc) from exc
        return EventClaim("in_progress")

    async def finish(self, event_ref: str, token: str, *, keep: float) -> None:
        key, keep_ms = self.key(event_ref), _ms(keep, "keep")
        try:
            await self._finish(keys=[key], args=[self.held(token), keep_ms])
        except Exception as exc:
            raise self.fail(exc) from exc

    async def release(self, event_ref: str, token: str) -> None:
        key = self.key(event_ref)
        try:
            await self._release(keys=[key], args=[self.held(token)])
        except Exception as exc:
            raise self.fail(exc) from exc
