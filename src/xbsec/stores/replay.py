"""Replay stores: remember a (consumer key, nonce) or a token ``jti`` for a while.

A store has one operation, ``claim(key, ttl) -> bool``: True the first time a key is
claimed within ``ttl`` seconds, False on every later claim. It must be atomic: two
concurrent claims of one key give one True. ``MemoryReplayStore`` is the embedded default
(one process); a Redis store (``SET key 1 NX EX ttl``) serves many gateway instances.

A store that cannot answer raises ``ServiceUnavailableError``: the gateway then refuses
the request (fails closed) rather than accepting a possible replay.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import ClassVar, Protocol, runtime_checkable

from xbsec.errors import NonceReplayError, ServiceUnavailableError

__all__ = ["AsyncReplayStore", "MemoryReplayStore", "ReplayStore", "claim_nonce",
           "claim_nonce_async"]


@runtime_checkable
class ReplayStore(Protocol):
    """Where seen nonces are kept. ``claim`` is atomic."""

    def claim(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; True if it was not already recorded."""
        ...


@runtime_checkable
class AsyncReplayStore(Protocol):
    """A replay store for event loops (a gateway under asyncio). ``claim`` is atomic."""

    async def claim(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; True if it was not already recorded."""
        ...


_REPLAYED = "this nonce was already used; every request needs a new one"


def claim_nonce(store: ReplayStore, key: str, ttl: float) -> None:
    """Claim ``key`` or refuse: ``NonceReplayError`` if seen, 503 if the store fails."""
    try:
        fresh = store.claim(key, ttl)
    except ServiceUnavailableError:
        raise
    except Exception:  # any store failure fails closed (SPEC §2.7 step 4)
        raise ServiceUnavailableError("the replay store cannot be reached") from None
    if not fresh:
        raise NonceReplayError(_REPLAYED)


async def claim_nonce_async(store: AsyncReplayStore, key: str, ttl: float) -> None:
    """``claim_nonce`` for an asynchronous store."""
    try:
        fresh = await store.claim(key, ttl)
    except ServiceUnavailableError:
        raise
    except Exception:  # any store failure fails closed
        raise ServiceUnavailableError("the replay store cannot be reached") from None
    if not fresh:
        raise NonceReplayError(_REPLAYED)


class MemoryReplayStore:
    """A bounded, thread-safe, in-process replay store.

    Entries expire after their ttl. When ``max_entries`` live entries are held, a new claim
    raises ``ServiceUnavailableError`` instead of forgetting a live entry: forgetting one
    would let that nonce be replayed. Only verified requests are recorded (SPEC §2.7), so
    filling the store takes valid signatures.
    """

    process_local: ClassVar[bool] = True
    """Its state lives in this process: several server processes would each have their own."""

    def __init__(self, *, max_entries: int = 1_000_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries < 1:
            from xbsec.errors import ConfigurationError

            raise ConfigurationError("max_entries must be >= 1")
        self._max = max_entries
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._evict(self._clock())
            return len(self._expiry)

    def _evict(self, now: float) -> None:
        heap, expiry = self._heap, self._expiry
        while heap and heap[0][0] <= now:
            when, key = heapq.heappop(heap)
            if expiry.get(key) == when:
                del expiry[key]

    def claim(self, key: str, ttl: float) -> bool:
        with self._lock:
            now = self._clock()
            if self._heap and self._heap[0][0] <= now:
                self._evict(now)
            current = self._expiry.get(key)
            if current is not None and current > now:
                return False
            if len(self._expiry) >= self._max:
                raise ServiceUnavailableError(
                    "replay store is full; refusing rather than forgetting a live nonce"
                )
            when = now + ttl
            self._expiry[key] = when
            heapq.heappush(self._heap, (when, key))
            return True
