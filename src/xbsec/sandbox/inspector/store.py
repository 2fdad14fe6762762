"""The inspector's history: the last requests the gateway answered, in a SQLite file.

``server/inspector.db`` in the project, created 0600 (it holds request documents); every
worker of ``xbsec sandbox serve`` writes to it and reads from it, and it outlives a restart.
It keeps ``keep`` requests (10,000 by default): each write drops the oldest beyond that.

One row per request: the columns the list shows and filters by (time, method, path, status,
ReasonCode, consumer, the step that refused it, the outcome of every step, latency), and
the whole record (``xbsec.server.inspection.inspect_request``) as JSON, from which the
detail view works out each step when it is asked for. Ids only
grow (``AUTOINCREMENT``), so the newest id tells a page whether anything arrived.
"""

from __future__ import annotations

import contextlib
import hashlib
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

# Two tables: ``requests``, small rows with what the list shows and filters by (10,000 of
# them are read whole in a few milliseconds, so no index but the id, which every write
# would pay for), and ``details``, the rest, read one row at a time. The headers, the
# context and the documents have columns of their own, out of the JSON (no escaping them
# on every write).
_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "received_at REAL NOT NULL, request_id TEXT NOT NULL, method TEXT NOT NULL, "
    "path TEXT NOT NULL, status INTEGER NOT NULL, reason TEXT, consumer TEXT, failed TEXT, "
    "steps TEXT NOT NULL, latency_ms REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS details (id INTEGER PRIMARY KEY, detail TEXT NOT NULL, "
    "headers TEXT NOT NULL, context TEXT NOT NULL, request_document TEXT, "
    "response_document TEXT)",
    # What many requests share (a consumer's registration, the policy), kept once.
    "CREATE TABLE IF NOT EXISTS contexts (key TEXT PRIMARY KEY, context TEXT NOT NULL)",
)
_COLUMNS: Final = ("received_at", "request_id", "method", "path", "status", "reason_code",
                   "consumer", "failed", "outline", "latency_ms", "headers", "context")
_IN_COLUMNS: Final = frozenset(_COLUMNS)
"""The record's members kept in columns of their own; the rest is ``detail`` (JSON)."""


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


def _apart(record: dict[str, Any]) -> tuple[str | None, str | None, dict[str, Any]]:
    """The two documents' texts, and what goes to ``detail``: the record without its
    columns and without the documents' texts (their sizes stay)."""
    rest = {k: v for k, v in record.items() if k not in _IN_COLUMNS}
    texts = []
    for key in ("request_document", "response_document"):
        document = record.get(key)
        if document is not None:
            rest[key] = {"size": document["size"], "cut": document["cut"]}
        texts.append(document["text"] if document is not None else None)
    return texts[0], texts[1], rest


_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_OUTLINES: dict[int, tuple[Any, str]] = {}


def _outline_json(outline: Any) -> str:
    """The outline's JSON; made once for each outline object (they are shared)."""
    cached = _OUTLINES.get(id(outline))
    if cached is not None and cached[0] is outline:
        return cached[1]
    text = json.dumps(outline)
    if len(_OUTLINES) > 1024:
        _OUTLINES.clear()
    _OUTLINES[id(outline)] = (outline, text)
    return text


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
        self._context_keys: dict[int, tuple[str, str]] = {}
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
        """Keep these records (``xbsec.server.inspection.inspect_request``), then drop the
        oldest beyond ``keep``."""
        if not inspected:
            return
        rows = []
        details = []
        contexts = []
        for i in inspected:
            context = i.get("context", "{}")
            key = self._context_keys.get(id(context))
            if key is None or key[0] is not context:
                key = (context, hashlib.sha256(context.encode()).hexdigest()[:32])
                if len(self._context_keys) > 1024:
                    self._context_keys.clear()
                self._context_keys[id(context)] = key
                contexts.append((key[1], context))
            request_document, response_document, rest = _apart(i)
            rows.append((i["received_at"], i["request_id"], i["method"][:16], i["path"][:2048],
                         i["status"], i.get("reason_code"), i.get("consumer"), i.get("failed"),
                         _outline_json(i["outline"]), i["latency_ms"]))
            details.append((_ENCODER.encode(rest), i.get("headers", ""), key[1],
                            request_document, response_document))
        with self._transaction() as db:
            # Under the write lock: the ids this batch takes follow the last one given.
            found = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'requests'")
            last = (found.fetchone() or (0,))[0]
            ids = range(last + 1, last + 1 + len(rows))
            db.executemany("INSERT INTO requests (id, received_at, request_id, method, path, "
                           "status, reason, consumer, failed, steps, latency_ms) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [(row_id, *row) for row_id, row in zip(ids, rows, strict=True)])
            db.executemany("INSERT INTO details (id, detail, headers, context, "
                           "request_document, response_document) VALUES (?, ?, ?, ?, ?, ?)",
                           [(row_id, *d) for row_id, d in zip(ids, details, strict=True)])
            row_id = ids[-1]
            db.executemany("INSERT OR IGNORE INTO contexts (key, context) VALUES (?, ?)",
                           contexts)
            db.execute("DELETE FROM requests WHERE id <= ?", (row_id - self.keep,))
            db.execute("DELETE FROM details WHERE id <= ?", (row_id - self.keep,))

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
        rows = self._read("SELECT received_at, request_id, method, path, status, reason, "
                          "consumer, failed, steps, latency_ms, headers, "
                          "coalesce(contexts.context, '{}'), detail, "
                          "request_document, response_document FROM requests "
                          "JOIN details USING (id) "
                          "LEFT JOIN contexts ON details.context = contexts.key "
                          "WHERE id = ?", (row_id,))
        if not rows:
            return None
        row = rows[0]
        found: dict[str, Any] = json.loads(row[12])
        found.update(zip(_COLUMNS, row[:12], strict=True))
        found["outline"] = json.loads(found["outline"])
        found["id"] = row_id
        for key, text in (("request_document", row[13]), ("response_document", row[14])):
            if found.get(key) is not None:
                found[key]["text"] = text or ""
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
