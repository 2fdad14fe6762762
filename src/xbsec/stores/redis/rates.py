"""Token buckets in Redis, shared by every gateway instance (``xbsec.stores.rates``).

One hash per bucket, ``<prefix><key>`` with the tokens left (``t``) and when that was (``u``),
updated by one Lua script: read, refill, take, write, as one atomic step on one key (one
Redis Cluster slot). The script reads the time from Redis itself (``TIME``), so the
gateways' clocks do not matter; the arithmetic is that of ``xbsec.stores.rates.refill``. A
bucket expires once it would be full again, so Redis holds only the active callers.

Failures raise ``ServiceUnavailableError`` naming the store, never its password; the script
is not retried on a lost reply (taking twice would charge twice).
"""

from __future__ import annotations

from typing import Any, Final

from xbsec.errors import ServiceUnavailableError
from xbsec.stores.rates import RateDecision, check_limits
from xbsec.stores.redis.base import AsyncRedisStore, SyncRedisStore
from xbsec.stores.redis.connection import failure_text

__all__ = ["DEFAULT_PREFIX", "AsyncRedisRateStore", "RedisRateStore"]

DEFAULT_PREFIX: Final = "xbsec:rates:"
_PURPOSE: Final = "a rate store"

# KEYS[1] bucket; ARGV rate (tokens/s), burst, cost. Returns {allowed, level, retry after}.
_TAKE: Final = """
if redis.replicate_commands then redis.replicate_commands() end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local level = burst
if state[1] and state[2] then
  local elapsed = now - tonumber(state[2])
  if elapsed < 0 then elapsed = 0 end
  level = math.min(burst, tonumber(state[1]) + elapsed * rate)
end
local allowed = 0
local retry = 0
if level >= cost then
  level = level - cost
  allowed = 1
else
  retry = (cost - level) / rate
end
redis.call('HSET', KEYS[1], 't', tostring(level), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - level) / rate * 1000) + 1000)
return {allowed, tostring(level), tostring(retry)}
"""


class _Buckets:
    """What both rate stores share: the reply and the failures."""

    _where: str

    def fail(self, exc: Exception) -> ServiceUnavailableError:
        return ServiceUnavailableError(f"the rate store at {self._where} cannot answer: "
                                       f"{failure_text(exc)}")

    def decision(self, reply: Any) -> RateDecision:
        try:
            allowed, level, retry = reply
            return RateDecision(int(allowed) == 1, float(level), float(retry))
        except (TypeError, ValueError):
            raise ServiceUnavailableError(f"the rate store at {self._where} answered "
                                          f"unexpectedly: {reply!r}"[:200]) from None


class RedisRateStore(_Buckets, SyncRedisStore):
    """A ``RateStore`` in Redis (``redis.Redis``, or a URL: the store builds and closes its
    client, with short timeouts and no retries)."""

    default_prefix = DEFAULT_PREFIX
    purpose = _PURPOSE

    def __init__(self, client_or_url: Any, *, prefix: str | None = None,
                 options: dict[str, Any] | None = None) -> None:
        super().__init__(client_or_url, prefix=prefix, options=options)
        self._take = self._client.register_script(_TAKE)

    def take(self, key: str, *, rate: float, burst: int, cost: int = 1) -> RateDecision:
        check_limits(rate, burst, cost)
        try:
            reply = self._take(keys=[self.redis_key(key)],
                               args=[repr(float(rate)), burst, cost])
        except Exception as exc:
            raise self.fail(exc) from exc
        return self.decision(reply)


class AsyncRedisRateStore(_Buckets, AsyncRedisStore):
    """An ``AsyncRateStore`` in Redis (``redis.asyncio.Redis``); one per event loop."""

    default_prefix = DEFAULT_PREFIX
    purpose = _PURPOSE

    def __init__(self, client_or_url: Any, *, prefix: str | None = None,
                 options: dict[str, Any] | None = None) -> None:
        super().__init__(client_or_url, prefix=prefix, options=options)
        self._take = self._client.register_script(_TAKE)

    async def take(self, key: str, *, rate: float, burst: int, cost: int = 1) -> RateDecision:
        check_limits(rate, burst, cost)
        try:
            reply = await self._take(keys=[self.redis_key(key)],
                                     args=[repr(float(rate)), burst, cost])
        except Exception as exc:
            raise self.fail(exc) from exc
        return self.decision(reply)
