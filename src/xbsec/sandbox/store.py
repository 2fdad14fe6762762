"""The sandbox's SQLite database: durable, shared by processes, one transaction per request.

- Durable: a file database in WAL mode with ``synchronous=FULL``, so that a payment the
  sandbox acknowledged survives a crash of the process (and of the machine).
- Shared: several processes or workers may serve one file. A request that may write opens
  its transaction with ``BEGIN IMMEDIATE``, which takes the write lock *before* reading, so
  check-then-insert sequences (is this transaction reference taken?) cannot interleave;
  other writers wait up to ``busy_timeout`` and then get a 503 ``SERVICE_UNAVAILABLE``
  (Recoverable). Readers are never blocked by WAL.
- Whole or nothing: ``transaction()`` commits when its block ends and rolls back when it
  raises, so a failing request leaves no row behind.
- Unavailable is not a bug: a database that is busy, read-only, full or failing its I/O
  answers 503 ``SERVICE_UNAVAILABLE`` (Recoverable: the same request may succeed later),
  and the cause goes to the log (``xbsec.sandbox.store``), never to the client.
- Private: the file is created mode 0600 (it holds every partner's payments).

Connections are pooled; each is used by one thread at a time (the application runs each
request's work in a worker thread, see ``xbsec.sandbox.app``), hence
``check_same_thread=False``. ``":memory:"`` is refused: each connection would get a database
of its own.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from xbsec.errors import ConfigurationError
from xbsec.sandbox.business_errors import SERVICE_UNAVAILABLE, Refusal
from xbsec.sandbox.schema import ensure_schema
from xbsec.stores.sqlite import create_private as _create_private

__all__ = ["Store"]

_BUSY_CODES: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_UNAVAILABLE_CODES: Final = _BUSY_CODES | frozenset({
    sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOTADB})
"""Primary result codes that mean the storage, not the request, is the problem."""
_log = logging.getLogger("xbsec.sandbox.store")


def _storage_failure(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and (code & 0xFF) in _UNAVAILABLE_CODES


def _unavailable(exc: sqlite3.Error, path: str) -> Refusal:
    if (exc.sqlite_errorcode & 0xFF) in _BUSY_CODES:
        description = "the sandbox database is busy; try again"
    else:
        description = "the sandbox database is unavailable; try again later"
    _log.error("the sandbox database %s cannot serve a request: %s: %s", path,
               type(exc).__name__, exc)
    return Refusal.one(503, "Service", SERVICE_UNAVAILABLE, description, recoverable=True)


class Store:
    """A pool of connections to one sandbox database file."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout: float = 10.0,
                 max_idle: int = 8) -> None:
        self.path = os.fspath(path)
        if not self.path or self.path == ":memory:" or self.path.startswith("file:"):
            raise ConfigurationError("the sandbox needs a database file path (an in-memory "
                                     "database is not shared between connections)")
        self.busy_timeout = busy_timeout
        self.max_idle = max_idle
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            _create_private(self.path)
        except OSError as exc:
            raise ConfigurationError(f"cannot open the sandbox database {self.path}: "
                                     f"{exc.strerror or exc}") from None
        try:
            with self.transaction(write=True) as connection:
                ensure_schema(connection)
                connection.execute("CREATE TABLE IF NOT EXISTS heartbeat "
                                   "(id INTEGER PRIMARY KEY CHECK (id = 1), at REAL NOT NULL)")
        except Refusal:
            raise ConfigurationError(f"the sandbox database {self.path} cannot be "
                                     "written") from None

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout,
                                         isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise ConfigurationError(f"cannot open the sandbox database {self.path}: "
                                     f"{exc}") from None
        try:
            mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ConfigurationError(f"the sandbox database {self.path} cannot use WAL "
                                         f"mode (got {mode})")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise ConfigurationError(f"{self.path} is not a usable sandbox database: "
                                     f"{exc}") from None
        except BaseException:
            connection.close()
            raise
        connection.row_factory = sqlite3.Row
        return connection

    def _acquire(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def _release(self, connection: sqlite3.Connection) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(connection)
                return
        connection.close()

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction: ``BEGIN IMMEDIATE`` to write, a consistent snapshot to read."""
        connection = self._acquire()
        try:
            try:
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            if not _storage_failure(exc):  # a bug, not the storage: an opaque 500
                raise
            raise _unavailable(exc, self.path) from None
        finally:
            # A connection whose rollback failed is in an unknown state: drop it.
            if connection.in_transaction:
                connection.close()
            else:
                self._release(connection)

    def heartbeat(self) -> None:
        """Write to the database, committed (a health check): raises ``Refusal`` (503) when
        it cannot be written."""
        with self.transaction(write=True) as connection:
            connection.execute("INSERT OR REPLACE INTO heartbeat (id, at) VALUES (1, ?)",
                               (time.time(),))

    def close(self) -> None:
        """Close the idle connections (the store opens new ones if used again)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
