"""The SQLite members of the store family: state shared by the processes of one host.

``xbsec sandbox serve --workers N`` runs N processes; an in-memory store would give each its
own memory, and a request replayed to another worker would be accepted again. A SQLite file
is one store for all of them, with no server to run::

    SQLiteReplayStore(path)   claim(key, ttl)                      replay claims
    SQLiteEventStore(path)    begin / finish / release             event de-duplication
    SQLiteRateStore(path)     take(key, rate=, burst=, cost=)      token buckets

Several stores may share one file (each has its own table). Every operation is one
statement (a replay claim) or one ``BEGIN IMMEDIATE`` transaction, so it is atomic across
processes; WAL lets readers go on while one writes. ``synchronous=FULL`` by default: an
acknowledged claim survives a power cut, not only a crash (``durability="normal"`` trades
that for speed). The file is created 0600, as it may hold who called whom.

A database that cannot answer (locked beyond ``timeout``, read-only, disk full, corrupt)
raises ``ServiceUnavailableError`` naming the file and the cause: callers fail closed.
Expired rows are deleted as the store is used, through an index, a bounded number at a time.
Times are wall-clock seconds (``time.time``), which every process of a host shares.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final, Literal

from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.stores.events import (
    EventClaim,
    check_event_ref,
    check_seconds,
    new_claim_token,
)
from xbsec.stores.rates import RateDecision, check_limits, refill

__all__ = ["SQLiteEventStore", "SQLiteRateStore", "SQLiteReplayStore", "create_private"]

Durability = Literal["full", "normal"]

_SWEEP_EVERY: Final = 256
"""Operations between two deletions of expired rows."""
_SWEEP_LIMIT: Final = 1000
"""Expired rows deleted at most per sweep, so that no request pays for a large backlog."""


def create_private(path: str | os.PathLike[str]) -> None:
    """Create the database file mode 0600 before SQLite does (it would use the umask).

    Only a file that does not exist yet is touched (``O_EXCL``). Opening and closing an
    existing database file beside SQLite would drop every POSIX lock this process holds on
    it, including those of its other connections, and another process could then take
    itself for the last one and remove the live write-ahead log.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class _SQLiteStore:
    """One connection per store, used under a lock; one transaction per operation."""

    _table: str = ""
    _schema: tuple[str, ...] = ()

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 5.0,
                 durability: Durability = "full",
                 clock: Callable[[], float] = time.time) -> None:
        if durability not in ("full", "normal"):
            raise ConfigurationError("durability must be 'full' or 'normal'")
        self.path = Path(os.fspath(path))
        self._clock = clock
        self._lock = threading.Lock()
        self._operations = 0
        try:
            create_private(self.path)
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None,
                                       check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigurationError(f"{self.path}: cannot open the store: "
                                     f"{_cause(exc)}") from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={durability.upper()}")
            with self._transaction():
                for statement in self._schema:
                    self._db.execute(statement)
        except ServiceUnavailableError as exc:
            self._db.close()
            raise ConfigurationError(str(exc)) from None
        except sqlite3.Error as exc:
            self._db.close()
            raise ConfigurationError(f"{self.path}: cannot prepare the store: "
                                     f"{_cause(exc)}") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._operations += 1
                    if self._table and self._operations % _SWEEP_EVERY == 0:
                        self._sweep(self._clock())
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                raise ServiceUnavailableError(
                    f"the store at {self.path} cannot answer: {_cause(exc)}") from exc

    def _sweep(self, now: float) -> None:
        self._db.execute(
            f"DELETE FROM {self._table} WHERE rowid IN (SELECT rowid FROM {self._table} "  # noqa: S608 - a constant
            "WHERE expires_at <= ? LIMIT ?)", (now, _SWEEP_LIMIT))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"


def _cause(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


_CLAIM: Final = (
    "INSERT INTO replay_claims (key, expires_at) VALUES (?, ?) ON CONFLICT (key) "
    "DO UPDATE SET expires_at = excluded.expires_at WHERE replay_claims.expires_at <= ?")


class SQLiteReplayStore(_SQLiteStore):
    """A ``ReplayStore`` in a SQLite file: one replay store for every process of a host."""

    _table = "replay_claims"
    _schema = (
        "CREATE TABLE IF NOT EXISTS replay_claims (key TEXT PRIMARY KEY, expires_at REAL "
        "NOT NULL) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS replay_claims_expiry ON replay_claims (expires_at)",
    )

    def _sweep(self, now: float) -> None:
        # WITHOUT ROWID: delete by key.
        self._db.execute(
            "DELETE FROM replay_claims WHERE key IN (SELECT key FROM replay_claims "
            "WHERE expires_at <= ? LIMIT ?)", (now, _SWEEP_LIMIT))

    def claim(self, key: str, ttl: float) -> bool:
        """Record ``key`` for ``ttl`` seconds; True if it was not already recorded.

        One statement, atomic on its own: insert the claim, or take over an expired one;
        a live claim is left as it is and changes no row. (A transaction around a SELECT
        and an INSERT did the same in four statements, at twice the cost.)
        """
        ttl = check_seconds(ttl, "a replay ttl")
        with self._lock:
            try:
                now = self._clock()
                fresh = self._db.execute(_CLAIM, (key, now + ttl, now)).rowcount == 1
                self._operations += 1
                if self._operations % _SWEEP_EVERY == 0:
                    self._sweep(now)
            except sqlite3.Error as exc:
                raise ServiceUnavailableError(
                    f"the store at {self.path} cannot answer: {_cause(exc)}") from exc
        return fresh


class SQLiteEventStore(_SQLiteStore):
    """An ``EventStore`` in a SQLite file (see ``xbsec.stores.events``)."""

    _table = "event_claims"
    _schema = (
        "CREATE TABLE IF NOT EXISTS event_claims (ref TEXT PRIMARY KEY, state TEXT NOT NULL, "
        "token TEXT, expires_at REAL NOT NULL)",
        "CREATE INDEX IF NOT EXISTS event_claims_expiry ON event_claims (expires_at)",
    )

    def begin(self, event_ref: str, *, lease: float) -> EventClaim:
        check_event_ref(event_ref)
        lease = check_seconds(lease, "lease")
        with self._transaction() as db:
            now = self._clock()
            row = db.execute("SELECT state, expires_at FROM event_claims WHERE ref = ?",
                             (event_ref,)).fetchone()
            if row is not None and row[1] > now:
                return EventClaim("done" if row[0] == "done" else "in_progress")
            token = new_claim_token()
            db.execute("INSERT OR REPLACE INTO event_claims (ref, state, token, expires_at) "
                       "VALUES (?, 'in_progress', ?, ?)", (event_ref, token, now + lease))
            return EventClaim("new", token)

    def finish(self, event_ref: str, token: str, *, keep: float) -> None:
        keep = check_seconds(keep, "keep")
        with self._transaction() as db:
            now = self._clock()
            row = db.execute("SELECT token, expires_at FROM event_claims WHERE ref = ?",
                             (event_ref,)).fetchone()
            # A lapsed claim nobody took over is still ours to finish: the work was done.
            if row is None or row[0] == token or row[1] <= now:
                db.execute("INSERT OR REPLACE INTO event_claims (ref, state, token, "
                           "expires_at) VALUES (?, 'done', NULL, ?)", (event_ref, now + keep))

    def release(self, event_ref: str, token: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM event_claims WHERE ref = ? AND state = 'in_progress' "
                       "AND token = ?", (event_ref, token))


class SQLiteRateStore(_SQLiteStore):
    """A ``RateStore`` in a SQLite file (see ``xbsec.stores.rates``)."""

    _table = "rate_buckets"
    _schema = (
        "CREATE TABLE IF NOT EXISTS rate_buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, "
        "updated REAL NOT NULL, expires_at REAL NOT NULL)",
        "CREATE INDEX IF NOT EXISTS rate_buckets_expiry ON rate_buckets (expires_at)",
    )

    def take(self, key: str, *, rate: float, burst: int, cost: int = 1) -> RateDecision:
        check_limits(rate, burst, cost)
        with self._transaction() as db:
            now = self._clock()
            row = db.execute("SELECT tokens, updated FROM rate_buckets WHERE key = ?",
                             (key,)).fetchone()
            tokens, updated = (row[0], row[1]) if row is not None else (None, None)
            decision, level = refill(tokens, updated, now, rate=rate, burst=burst, cost=cost)
            db.execute("INSERT OR REPLACE INTO rate_buckets (key, tokens, updated, expires_at) "
                       "VALUES (?, ?, ?, ?)", (key, level, now, now + (burst - level) / rate))
            return decision
