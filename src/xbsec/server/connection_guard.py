"""Deadlines and a cap for uvicorn's connections: a slow or silent client cannot hold the
server.

uvicorn closes a connection that stays idle *between* requests (``timeout_keep_alive``),
but not one that sends half a request line and stops, nor one that sends its headers and
then trickles (or never sends) its body; nor does it cap how many connections it holds.
A thousand silent sockets then hold a thousand file descriptors, and valid requests starve.
``guarded_protocol`` gives uvicorn's h11 protocol what nginx has:

- ``header_timeout`` (nginx ``client_header_timeout``, default 60 s): the whole request
  head must arrive within this time of its first byte (of the connection, for a new one);
- ``body_timeout`` (nginx ``client_body_timeout``, default 60 s): at most this long between
  two reads of the body (not counted while the application is not reading);
- ``max_connections``: past it, the connection that has waited longest for a request head
  is closed to make room; when every connection is busy with a request, the new one is
  answered 503 and closed.

A connection closed for a deadline gets ``408 Request Timeout`` when no answer is under
way; it never reaches the application.

Give uvicorn ``http="xbsec.server.connection_guard:GuardedH11Protocol"`` (an import string,
so that spawned workers load it too) after ``use_limits(limits)``, which the workers read
from the environment.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import h11

from xbsec.server.uvicorn_tls import TLSExtensionH11Protocol

__all__ = ["PROTOCOL", "ConnectionLimits", "GuardedH11Protocol", "raise_file_limit",
           "use_limits"]

PROTOCOL = "xbsec.server.connection_guard:GuardedH11Protocol"
"""uvicorn's ``http`` setting for the guarded protocol."""
_ENV = "XBSEC_CONNECTION_LIMITS"

_TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n"
                     b"connection: close\r\n\r\n")
_BUSY_RESPONSE = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n"
                  b"retry-after: 1\r\nconnection: close\r\n\r\n")


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    header_timeout: float = 60.0
    body_timeout: float = 60.0
    max_connections: int = 1000

    def __post_init__(self) -> None:
        from xbsec.errors import ConfigurationError

        if not (self.header_timeout > 0 and self.body_timeout > 0):
            raise ConfigurationError("the header and body timeouts must be positive")
        if self.max_connections < 1:
            raise ConfigurationError("max_connections must be at least 1")


def use_limits(limits: ConnectionLimits) -> None:
    """The limits of every ``GuardedH11Protocol`` of this process and of the processes it
    starts (through the environment)."""
    os.environ[_ENV] = json.dumps(asdict(limits))
    GuardedH11Protocol.limits = limits


def _limits() -> ConnectionLimits:
    raw = os.environ.get(_ENV)
    return ConnectionLimits(**json.loads(raw)) if raw else ConnectionLimits()


class GuardedH11Protocol(TLSExtensionH11Protocol):
    """uvicorn's h11 protocol (with the ASGI TLS extension) under ``ConnectionLimits``."""

    limits: ClassVar[ConnectionLimits | None] = None

    _limits: ConnectionLimits
    _deadline: asyncio.TimerHandle | None
    _reading_head: bool
    _since: float

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if GuardedH11Protocol.limits is None:
            GuardedH11Protocol.limits = _limits()
        self._limits = GuardedH11Protocol.limits
        super().connection_made(transport)
        self._deadline = None
        self._reading_head = True
        self._since = time.monotonic()
        self._arm(self._limits.header_timeout, self._head_too_slow)
        if len(self.connections) > self._limits.max_connections and not self._make_room():
            transport.write(_BUSY_RESPONSE)
            transport.close()

    def _make_room(self) -> bool:
        """Close the connection that has waited longest for a request head; False if none
        is waiting (every other connection is busy with a request)."""
        waiting = [c for c in self.connections
                   if c is not self and isinstance(c, GuardedH11Protocol) and c._idle()]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c._since)
        oldest._close(_TIMEOUT_RESPONSE)
        return True

    def _idle(self) -> bool:
        """No request is being handled: waiting for a head, or between two requests."""
        cycle: Any = self.cycle
        return (not self.transport.is_closing() and self.conn.their_state is h11.IDLE
                and (cycle is None or cycle.response_complete))

    def _arm(self, seconds: float, action: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, action)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _close(self, answer: bytes) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
        cycle: Any = self.cycle
        if cycle is None or cycle.response_complete:
            self.transport.write(answer)
        self.transport.close()

    def _head_too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE:
            self._close(_TIMEOUT_RESPONSE)

    def _body_too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state is not h11.SEND_BODY:
            return
        if self.flow.read_paused:  # the application is not reading: not the client's fault
            self._arm(self._limits.body_timeout, self._body_too_slow)
            return
        self._close(_TIMEOUT_RESPONSE)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            if not self._reading_head:  # the first bytes of the next request's head
                self._reading_head = True
                self._since = time.monotonic()
                self._arm(self._limits.header_timeout, self._head_too_slow)
        elif state is h11.SEND_BODY:
            self._reading_head = False
            self._arm(self._limits.body_timeout, self._body_too_slow)
        else:  # the whole request is in: the application and keep-alive take over
            self._reading_head = False
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._since = time.monotonic()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def raise_file_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards ``wanted`` (never past the hard limit);
    the limit it now has. A server holds a descriptor per connection."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return wanted if soft == resource.RLIM_INFINITY else int(soft)
