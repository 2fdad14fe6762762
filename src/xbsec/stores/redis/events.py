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
from types import TracebackType
from typing import Any, Final, Self

import redis
import redis.asyncio

from xbsec.errors import ServiceUnavailableError
from xbsec.stores.events import EventClaim, check_event_ref, check_seconds, new_claim_token
from xbsec.stores.redis.connection import (
    async_client,
    describe,
    failure_text,
    sync_client,
)

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


class _EventKeys:
    def __init__(self, prefix: str, where: str) -> None:
        self.prefix = prefix
        self._where = where

    def key(self, event_ref: str) -> bytes:
        return (self.prefix + check_event_ref(event_ref)).encode("utf-8", "surrogatepass")

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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where!r}, prefix={self.prefix!r})"


class RedisEventStore(_EventKeys):
    """An ``EventStore`` in Redis (``redis.Redis``, or a URL: the store builds and closes its
    client, with short timeouts and no retries)."""

    def __init__(self, client_or_url: redis.Redis | str, *,
                 prefix: str = DEFAULT_PREFIX) -> None:
        self._owns_client = isinstance(client_or_url, str)
        if isinstance(client_or_url, str):
            client_or_url = sync_client(client_or_url, purpose=_PURPOSE, retries=0)
        self._client = client_or_url
        super().__init__(prefix, describe(client_or_url))
        self._finish = client_or_url.register_script(_FINISH)
        self._release = client_or_url.register_script(_RELEASE)

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

    def close(self) -> None:
        """Close the client if the store built it; a client passed in is left open."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class AsyncRedisEventStore(_EventKeys):
    """An ``AsyncEventStore`` in Redis (``redis.asyncio.Redis``); one per event loop."""

    def __init__(self, client_or_url: redis.asyncio.Redis | str, *,
                 prefix: str = DEFAULT_PREFIX) -> None:
        self._owns_client = isinstance(client_or_url, str)
        if isinstance(client_or_url, str):
            client_or_url = async_client(client_or_url, purpose=_PURPOSE, retries=0)
        self._client = client_or_url
        super().__init__(prefix, describe(client_or_url))
        self._finish = client_or_url.register_script(_FINISH)
        self._release = client_or_url.register_script(_RELEASE)

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

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()
