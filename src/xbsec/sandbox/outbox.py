"""The push outbox: every push notification, kept in the sandbox's SQLite until delivered.

A push is written in the transaction that makes its event (a payment's new status, a
request for information, an account validation), so an event and its push are committed
together or not at all; ``xbsec.sandbox.push_delivery`` sends it afterwards. One row per
event::

    pending    -- taken: attempts + 1, leased --> 200: delivered
       ^                                     \\-> anything else, or no answer in time:
       |                                          attempts <= MAX_RETRIES: pending again,
       +------ after retry_delays[attempts - 1] ----/   else failed (logged, kept, listed)

``take`` leases the row it hands out (``next_attempt_at`` moves past the sender's timeout),
so several processes sharing the database never send one push at once; a process killed
while sending leaves the lease to lapse, and the push is sent again: at least once, the
same ``eventRef`` every time, de-duplicated by the receiver (SPEC §9). A pending push
survives any restart: it is a committed row.

``deliveries`` is what ``GET /sandbox/webhooks/deliveries`` answers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from xbsec.sandbox.timestamps import iso_timestamp

__all__ = ["MAX_RETRIES", "STATES", "Due", "attempt_failed", "delivered", "deliveries",
           "enqueue", "mark", "set_mark", "take"]

MAX_RETRIES: Final = 3
"""Mastercard resends a push at most three times (SPEC §9): four attempts in all."""
STATES: Final = ("pending", "delivered", "failed")
_MAX_ERROR: Final = 300


@dataclass(frozen=True, slots=True)
class Due:
    """A push taken for sending."""

    id: int
    event_ref: str
    kind: str
    partner_id: str
    document: str
    attempt: int
    """1 for the first delivery, 2 to 4 for the retries."""


def enqueue(db: sqlite3.Connection, kind: str, partner_id: str, document: dict[str, Any],
            now: float, *, payment_id: str | None = None) -> bool:
    """Add a push, due at once, inside the caller's write transaction; False if a push with
    its ``eventRef`` is already there (an event is pushed once)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO push_outbox (event_ref, kind, partner_id, payment_id, document,"
        " state, attempts, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'pending', 0,"
        " ?, ?)", (document["eventRef"], kind, partner_id, payment_id,
                   json.dumps(document, separators=(",", ":")), now, now))
    return cursor.rowcount == 1


def take(db: sqlite3.Connection, now: float, lease: float) -> Due | None:
    """The oldest push due at ``now``, leased for ``lease`` seconds, or ``None``."""
    row = db.execute("SELECT id, event_ref, kind, partner_id, document, attempts"
                     " FROM push_outbox WHERE state = 'pending' AND next_attempt_at <= ?"
                     " ORDER BY id LIMIT 1", (now,)).fetchone()
    if row is None:
        return None
    db.execute("UPDATE push_outbox SET attempts = attempts + 1, last_attempt_at = ?,"
               " next_attempt_at = ? WHERE id = ?", (now, now + lease, row[0]))
    return Due(row[0], row[1], row[2], row[3], row[4], row[5] + 1)


def delivered(db: sqlite3.Connection, due: Due, now: float) -> None:
    db.execute("UPDATE push_outbox SET state = 'delivered', last_status = 200,"
               " last_error = NULL, finished_at = ? WHERE id = ?", (now, due.id))


def attempt_failed(db: sqlite3.Connection, due: Due, now: float, status: int | None,
                   error: str, retry_delays: Sequence[float]) -> bool:
    """Record a failed attempt; True if the push is given up (its retries are spent)."""
    error = error[:_MAX_ERROR]
    if due.attempt > min(MAX_RETRIES, len(retry_delays)):
        db.execute("UPDATE push_outbox SET state = 'failed', last_status = ?, last_error = ?,"
                   " finished_at = ? WHERE id = ?", (status, error, now, due.id))
        return True
    db.execute("UPDATE push_outbox SET last_status = ?, last_error = ?, next_attempt_at = ?"
               " WHERE id = ?", (status, error, now + retry_delays[due.attempt - 1], due.id))
    return False


def mark(db: sqlite3.Connection, kind: str, key: str) -> str | None:
    row = db.execute("SELECT value FROM push_marks WHERE kind = ? AND key = ?",
                     (kind, key)).fetchone()
    return None if row is None else str(row[0])


def set_mark(db: sqlite3.Connection, kind: str, key: str, value: str) -> None:
    db.execute("INSERT OR REPLACE INTO push_marks (kind, key, value) VALUES (?, ?, ?)",
               (kind, key, value))


def deliveries(db: sqlite3.Connection, partners: frozenset[str] | None, *,
               state: str | None = None, event_ref: str | None = None,
               payment_id: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """The pushes of ``partners`` (``None``: every partner), newest first."""
    clauses: list[str] = []
    values: list[Any] = []
    for column, value in (("state", state), ("event_ref", event_ref),
                          ("payment_id", payment_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            values.append(value)
    if partners is not None:
        clauses.append(f"partner_id IN ({', '.join('?' for _ in partners) or 'NULL'})")
        values.extend(sorted(partners))
    # Every clause is made here from fixed column names; values are bound.
    query = ("SELECT * FROM push_outbox WHERE " + (" AND ".join(clauses) or "1")  # noqa: S608
             + " ORDER BY id DESC LIMIT ?")
    return [_described(row) for row in db.execute(query, (*values, limit)).fetchall()]


def _described(row: sqlite3.Row) -> dict[str, Any]:
    described: dict[str, Any] = {"eventRef": row["event_ref"], "type": row["kind"],
                                 "partnerId": row["partner_id"], "state": row["state"],
                                 "attempts": row["attempts"],
                                 "created": iso_timestamp(row["created_at"])}
    if row["payment_id"] is not None:
        described["paymentId"] = row["payment_id"]
    if row["last_attempt_at"] is not None:
        described["lastAttempt"] = iso_timestamp(row["last_attempt_at"])
    if row["state"] == "pending":
        described["nextAttempt"] = iso_timestamp(row["next_attempt_at"])
    if row["last_status"] is not None:
        described["lastStatus"] = row["last_status"]
    if row["last_error"]:
        described["lastError"] = row["last_error"]
    if row["finished_at"] is not None:
        described["finished"] = iso_timestamp(row["finished_at"])
    return described
