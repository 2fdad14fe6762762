"""Event de-duplication: hand each event to its handler once, however often it is delivered.

A sender that retries (XBS push notifications: up to three retries, the same ``eventRef``
each time, SPEC §9) delivers some events twice or more, sometimes to two receiver processes
at once. A store of event claims makes the handling exactly-once-on-success::

    claim = store.begin(event_ref, lease=60)
    if claim.state == "done":         # handled before: answer 200, hand nothing over
        ...
    elif claim.state == "in_progress":  # another process is handling it now: ask for a retry
        ...
    else:                             # "new": ours to handle
        try:
            handle(event)
        except Exception:
            store.release(event_ref, claim.token)   # the next delivery may try again
            raise
        store.finish(event_ref, claim.token, keep=7 * 86400)

``begin`` is atomic across every process sharing the store: of any number of concurrent
deliveries of one event, exactly one is told ``new``. A claim that is never finished or
released (the process died) lapses after ``lease`` seconds, and the next delivery gets it.
``finish`` remembers the event as done for ``keep`` seconds; choose more than the sender's
whole retry schedule. ``token`` proves that the caller holds the claim: finishing or
releasing with another token does nothing, so a process whose lease lapsed cannot undo the
work of the one that took over.

A store that cannot answer raises ``ServiceUnavailableError``: the receiver then answers
with an error, the sender retries, and nothing is handed over twice.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol, runtime_checkable

from xbsec.errors import ConfigurationError, ServiceUnavailableError

__all__ = ["AsyncEventStore", "EventClaim", "EventState", "EventStore", "MemoryEventStore",
           "check_event_ref", "check_seconds", "new_claim_token"]

EventState = Literal["new", "in_progress", "done"]
"""What ``begin`` found: the event is ours now, someone else's for now, or already handled."""

_MAX_REF = 256


@dataclass(frozen=True, slots=True)
class EventClaim:
    """The answer of ``begin``. ``token`` is set only for ``new``: the caller holds it."""

    state: EventState
    token: str | None = None


@runtime_checkable
class EventStore(Protocol):
    """Claims on events, shared by every receiver process. Every method is atomic."""

    def begin(self, event_ref: str, *, lease: float) -> EventClaim:
        """Claim ``event_ref`` for ``lease`` seconds, or say who has it."""
        ...

    def finish(self, event_ref: str, token: str, *, keep: float) -> None:
        """Mark the event handled, for ``keep`` seconds, if ``token`` still holds it."""
        ...

    def release(self, event_ref: str, token: str) -> None:
        """Give the claim up (the handler failed), if ``token`` still holds it."""
        ...


@runtime_checkable
class AsyncEventStore(Protocol):
    """``EventStore`` for event loops."""

    async def begin(self, event_ref: str, *, lease: float) -> EventClaim:
        ...

    async def finish(self, event_ref: str, token: str, *, keep: float) -> None:
        ...

    async def release(self, event_ref: str, token: str) -> None:
        ...


def check_event_ref(event_ref: object) -> str:
    """``event_ref`` if it can be a key: a non-empty string of at most 256 characters."""
    if not isinstance(event_ref, str) or not event_ref or len(event_ref) > _MAX_REF:
        raise ConfigurationError(f"an event reference must be a string of 1 to {_MAX_REF} "
                                 "characters")
    return event_ref


def check_seconds(value: float, name: str) -> float:
    """``value`` if it is a positive, finite number of seconds."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value > 0):
        raise ConfigurationError(f"{name} must be a positive number of seconds, not {value!r}")
    return float(value)


def new_claim_token() -> str:
    """A claim's token: unguessable, so that no other holder can forge it."""
    return secrets.token_hex(16)


class MemoryEventStore:
    """Event claims in this process's memory (one receiver process; tests).

    Bounded: when ``max_events`` live entries are held, ``begin`` of a new event raises
    ``ServiceUnavailableError`` rather than forgetting one that was handled (forgetting would
    hand it over again if it is delivered once more).
    """

    process_local: ClassVar[bool] = True
    """Its state lives in this process: several server processes would each have their own."""

    def __init__(self, *, max_events: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_events < 1:
            raise ConfigurationError("max_events must be >= 1")
        self._max = max_events
        self._clock = clock
        self._entries: dict[str, tuple[EventState, str | None, float]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._entries)

    def _expire(self, now: float) -> None:
        for ref in [ref for ref, (_, _, until) in self._entries.items() if until <= now]:
            del self._entries[ref]

    def begin(self, event_ref: str, *, lease: float) -> EventClaim:
        check_event_ref(event_ref)
        lease = check_seconds(lease, "lease")
        with self._lock:
            now = self._clock()
            entry = self._entries.get(event_ref)
            if entry is not None and entry[2] > now:
                return EventClaim(entry[0] if entry[0] == "done" else "in_progress")
            if entry is None and len(self._entries) >= self._max:
                self._expire(now)
                if len(self._entries) >= self._max:
                    raise ServiceUnavailableError("the event store is full; refusing rather "
                                                  "than forgetting a handled event")
            token = new_claim_token()
            self._entries[event_ref] = ("in_progress", token, now + lease)
            return EventClaim("new", token)

    def finish(self, event_ref: str, token: str, *, keep: float) -> None:
        keep = check_seconds(keep, "keep")
        with self._lock:
            entry = self._entries.get(event_ref)
            now = self._clock()
            # A lapsed claim nobody took over is still ours to finish: the work was done.
            if entry is None or entry[1] == token or entry[2] <= now:
                self._entries[event_ref] = ("done", None, now + keep)

    def release(self, event_ref: str, token: str) -> None:
        with self._lock:
            entry = self._entries.get(event_ref)
            if entry is not None and entry[0] == "in_progress" and entry[1] == token:
                del self._entries[event_ref]

    def __repr__(self) -> str:
        return f"MemoryEventStore(max_events={self._max})"
