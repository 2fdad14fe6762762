"""The inspector's history: the last requests the gateway answered, in a SQLite file.

``server/inspector.db`` in the project, created 0600 (it holds request documents); every
worker of ``xbsec sandbox serve`` writes to it and reads from it, and it outlives a restart.
It keeps ``keep`` requests (10,000 by default): each write drops the oldest beyond that.

One row per request: the columns the list shows and filters by (time, method, path, status,
ReasonCode, consumer, the step that refused it, the outcome of every step, latency), and
the whole inspection (``xbsec.server.inspection``) as JSON for the detail view. Ids only
grow (``AUTOINCREMENT``), so the newest id tells a page whether anything arrived.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from xbsec.errors import ConfigurationError, ServiceUnavailableError

__all__ = ["DEFAULT_KEEP", "Filters", "InspectorStore", "ListedRequest"]

DEFAULT_KEEP: Final = 10_000
LIST_LIMIT: Final = 200

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "received_at REAL NOT NULL, request_id TEXT NOT NULL, method TEXT NOT NULL, "
    "path TEXT NOT NULL, status INTEGER NOT NULL, reason TEXT, consumer TEXT, failed TEXT, "
    "steps TEXT NOT NULL, latency_ms REAL NOT NULL, detail TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS requests_consumer ON requests (consumer, id)",
    "CREATE INDEX IF NOT EXISTS requests_reason ON requests (reason, id)",
    "CREATE INDEX IF NOT EXISTS requests_status ON requests (status, id)",
)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the list is narrowed to; empty strings filter nothing.

    ``status``: ``ok`` (below 400), ``refused`` (400 and above) or a status code;
    ``path``: a part of the path.
    """

    consumer: str = ""
    status: str = ""
    reason: str = ""
    path: str = ""

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        values: list[Any] = []
        if self.consumer:
            clauses.append("consumer = ?")
            values.append(self.consumer)
        if self.status == "ok":
            clauses.append("status < 400")
        elif self.status == "refused":
            clauses.append("status >= 400")
        elif self.status.isdigit() and len(self.status) == 3:
            clauses.append("status = ?")
            values.append(int(self.status))
        if self.reason:
            clauses.append("reason = ?")
            values.append(self.reason)
        if self.path:
            clauses.append("path LIKE ? ESCAPE '\\'")
            escaped = (self.path.replace("\\", "\\\\").replace("%", "\\%")
                       .replace("_", "\\_"))
            values.append(f"%{escaped}%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


@dataclass(frozen=True, slots=True)
class ListedRequest:
    """One line of the list."""

    id: int
    received_at: float
    method: str
    path: str
    status: int
    reason: str | None
    consumer: str | None
    failed: str | None
    steps: list[list[str]]
    latency_ms: float


class InspectorStore:
    """The history file: written by the inspector's thread, read by the page."""

    def __init__(self, path: str | os.PathLike[str], *, keep: int = DEFAULT_KEEP,
                 timeout: float = 5.0) -> None:
        from xbsec.stores.sqlite import create_private

        if keep < 1:
            raise ConfigurationError("the inspector must keep at least one request")
        self.path = Path(os.fspath(path))
        self.keep = keep
        self._timeout = timeout
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        try:
            create_private(self.path)
            with self._transaction() as db:
                for statement in _SCHEMA:
                    db.execute(statement)
        except (OSError, ServiceUnavailableError) as exc:
            raise ConfigurationError(f"{self.path}: cannot open the inspector's history: "
                                     f"{exc}") from None

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread (the writer's, the page's workers')."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None,
                                 check_same_thread=False)  # closed by close(), from any
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            with self._lock:
                self._connections.append(db)
        return db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise ServiceUnavailableError(f"the inspector's history at {self.path} cannot "
                                          f"answer: {type(exc).__name__}: {exc}") from exc

    def _read(self, sql: str, values: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._connection().execute(sql, values).fetchall()
        except sqlite3.Error as exc:
            raise ServiceUnavailableError(f"the inspector's history at {self.path} cannot "
                                          f"answer: {type(exc).__name__}: {exc}") from exc

    def add(self, inspected: Sequence[dict[str, Any]]) -> None:
        """Keep these inspections (``xbsec.server.inspection``), then drop the oldest
        beyond ``keep``."""
        if not inspected:
            return
        rows = [(i["received_at"], i["request_id"], i["method"][:16], i["path"][:2048],
                 i["status"], i.get("reason_code"), i.get("consumer"), i.get("failed"),
                 json.dumps([[s["name"], s["outcome"]] for s in i["steps"]]),
                 i["latency_ms"], json.dumps(i, ensure_ascii=False)) for i in inspected]
        with self._transaction() as db:
            db.executemany("INSERT INTO requests (received_at, request_id, method, path, "
                           "status, reason, consumer, failed, steps, latency_ms, detail) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute("DELETE FROM requests WHERE id <= (SELECT max(id) FROM requests) - ?",
                       (self.keep,))

    def listed(self, filters: Filters | None = None, *,
               limit: int = LIST_LIMIT) -> list[ListedRequest]:
        """The newest requests first."""
        where, values = (filters or Filters()).where()
        # where: fixed clauses of Filters.where, every value a parameter.
        rows = self._read(f"SELECT id, received_at, method, path, status, reason, "  # noqa: S608
                          f"consumer, failed, steps, latency_ms FROM requests{where} "
                          "ORDER BY id DESC LIMIT ?", [*values, max(1, min(limit, 1000))])
        return [ListedRequest(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                              json.loads(r[8]), r[9]) for r in rows]

    def newest(self) -> int:
        """The id of the newest request (0 when there is none)."""
        return int(self._read("SELECT coalesce(max(id), 0) FROM requests")[0][0])

    def facets(self) -> tuple[list[str], list[str]]:
        """The consumers and the ReasonCodes the history holds, for the filters."""
        consumers = [r[0] for r in self._read(
            "SELECT DISTINCT consumer FROM requests WHERE consumer IS NOT NULL "
            "ORDER BY consumer LIMIT 100")]
        reasons = [r[0] for r in self._read(
            "SELECT DISTINCT reason FROM requests WHERE reason IS NOT NULL "
            "ORDER BY reason LIMIT 100")]
        return consumers, reasons

    def detail(self, row_id: int) -> dict[str, Any] | None:
        """One request's whole inspection, or ``None``."""
        rows = self._read("SELECT detail FROM requests WHERE id = ?", (row_id,))
        if not rows:
            return None
        found: dict[str, Any] = json.loads(rows[0][0])
        found["id"] = row_id
        return found

    def count(self) -> int:
        return int(self._read("SELECT count(*) FROM requests")[0][0])

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            self._connections.clear()
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"InspectorStore({str(self.path)!r})"
