"""Rate buckets: how many requests a caller may make, as a token bucket per key.

A bucket holds up to ``burst`` tokens and refills at ``rate`` tokens per second; a request
takes ``cost`` tokens or is refused, and the refusal says when enough will be back::

    decision = store.take("consumer:ck!123", rate=50, burst=100)
    if not decision.allowed:
        answer 429 with Retry-After: decision.retry_after (seconds, rounded up)

The arithmetic is the same in every member (``refill``); each member keeps ``(tokens,
updated)`` per key and updates it atomically, so that every process sharing the store sees
one bucket. A bucket left alone refills completely, so a member may forget it then: no
bucket lives longer than it takes to fill.

A store that cannot answer raises ``ServiceUnavailableError``; what to do then (refuse, or
let the request through unmetered) is the caller's policy.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from xbsec.errors import ConfigurationError

__all__ = ["AsyncRateStore", "MemoryRateStore", "RateDecision", "RateStore", "check_limits",
           "refill"]


@dataclass(frozen=True, slots=True)
class RateDecision:
    """``allowed``; the tokens left after this request; seconds until ``cost`` tokens are
    back (0 when allowed)."""

    allowed: bool
    remaining: float
    retry_after: float


@runtime_checkable
class RateStore(Protocol):
    """Token buckets shared by every process that uses the store. ``take`` is atomic."""

    def take(self, key: str, *, rate: float, burst: int, cost: int = 1) -> RateDecision:
        """Take ``cost`` tokens from ``key``'s bucket, if it holds them."""
        ...


@runtime_checkable
class AsyncRateStore(Protocol):
    """``RateStore`` for event loops."""

    async def take(self, key: str, *, rate: float, burst: int, cost: int = 1) -> RateDecision:
        ...


def check_limits(rate: float, burst: int, cost: int) -> None:
    """A bucket that can work: a positive finite rate, ``1 <= cost <= burst``."""
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not (
            math.isfinite(rate) and rate > 0):
        raise ConfigurationError(f"a rate must be a positive number per second, not {rate!r}")
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ConfigurationError(f"a burst must be a positive integer, not {burst!r}")
    if isinstance(cost, bool) or not isinstance(cost, int) or not 1 <= cost <= burst:
        raise ConfigurationError(f"a cost must be an integer from 1 to the burst, not {cost!r}")


def refill(tokens: float | None, updated: float | None, now: float, *, rate: float,
           burst: int, cost: int) -> tuple[RateDecision, float]:
    """The decision for one request, and the tokens the bucket holds after it.

    ``tokens``/``updated`` are the stored state (``None`` for a bucket never seen: full).
    A clock that went backwards adds nothing (and takes nothing away).
    """
    if tokens is None or updated is None:
        level = float(burst)
    else:
        level = min(float(burst), tokens + max(0.0, now - updated) * rate)
    if level >= cost:
        level -= cost
        return RateDecision(True, level, 0.0), level
    return RateDecision(False, level, (cost - level) / rate), level


class MemoryRateStore:
    """Token buckets in this process's memory (one process; the embedded default).

    Buckets that have refilled completely are dropped as new ones arrive, so memory follows
    the number of callers active within ``burst / rate`` seconds.
    """

    process_local: ClassVar[bool] = True
    """Its state lives in this process: several server processes would each have their own."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float, float]] = {}  # tokens, updated, full at
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def __len__(self) -> int:
        with self._lock:
            return len(self._buckets)

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + 1.0
        for key in [key for key, (_, _, full) in self._buckets.items() if full <= now]:
            del self._buckets[key]

    def take(self, key: str, *, rate: float, burst: int, cost: int = 1) -> RateDecision:
        check_limits(rate, burst, cost)
        with self._lock:
            now = self._clock()
            self._sweep(now)
            tokens, updated, _ = self._buckets.get(key, (None, None, 0.0))
            decision, level = refill(tokens, updated, now, rate=rate, burst=burst, cost=cost)
            self._buckets[key] = (level, now, now + (burst - level) / rate)
            return decision

    def __repr__(self) -> str:
        return "MemoryRateStore()"
