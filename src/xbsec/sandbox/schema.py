"""The sandbox's SQLite schema, created on first use and versioned by ``user_version``.

Every row belongs to one partner (``partner_id``) and every query filters on it, so that one
partner never sees another's resources. Amounts are decimal *strings* (never REAL): they
are summed with ``decimal.Decimal``. Times are Unix seconds (REAL) from the injected clock.
Documents answered to the partner are kept as JSON text, with the columns a query needs
beside them.

Version 2 holds Mastercard's real shapes and lifecycles; a version 1 database (the shapes
of xbsec before them) is refused with a word on what to do, since its documents cannot be
answered in the real shapes. Version 3 adds the push notifications: the outbox of
deliveries (``xbsec.sandbox.outbox``), the marks of what was pushed once a day, and each
payment's last status pushed; a version 2 database is brought to version 3 in place.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from xbsec.errors import ConfigurationError

__all__ = ["SCHEMA_VERSION", "ensure_schema"]

SCHEMA_VERSION: Final = 3

_TABLES: Final = (
    # One proposal per quote, so a quote's transaction reference is unique per partner.
    """CREATE TABLE IF NOT EXISTS proposals (
        proposal_id             TEXT PRIMARY KEY,
        partner_id              TEXT NOT NULL,
        transaction_reference   TEXT NOT NULL,
        created_at              REAL NOT NULL,
        expires_at              REAL NOT NULL,
        confirm_by              REAL NOT NULL,
        terms                   TEXT NOT NULL,  -- JSON: the transfer the quote was for
        proposal                TEXT NOT NULL,  -- JSON: the proposal as answered
        confirmed_at            REAL,
        cancelled_at            REAL,           -- a confirmation's cancellation was asked
        UNIQUE (partner_id, transaction_reference)
    )""",
    # The UNIQUE constraints are what make a repeated transaction reference, or a second
    # payment on one proposal, impossible, whatever the application code does.
    """CREATE TABLE IF NOT EXISTS payments (
        payment_id              TEXT PRIMARY KEY,
        partner_id              TEXT NOT NULL,
        transaction_reference   TEXT NOT NULL,
        proposal_id             TEXT REFERENCES proposals (proposal_id),
        status                  TEXT NOT NULL
                                CHECK (status IN ('PENDING', 'SUCCESS', 'REJECTED', 'RETURNED')),
        outcome                 TEXT NOT NULL
                                CHECK (outcome IN ('SUCCESS', 'REJECTED', 'RETURNED', 'HOLD')),
        settles_at              REAL NOT NULL,
        cancellable             INTEGER NOT NULL,
        charged_currency        TEXT NOT NULL,
        charged_amount          TEXT NOT NULL,
        created_at              REAL NOT NULL,
        status_changed_at       REAL NOT NULL,
        rejected_code           TEXT,
        rejected_message        TEXT,
        return_message          TEXT,
        document                TEXT NOT NULL,  -- JSON: the payment as answered at creation
        pushed_status           TEXT,           -- the last status pushed; NULL: not pushed
        UNIQUE (partner_id, transaction_reference),
        UNIQUE (proposal_id)
    )""",
    """CREATE TABLE IF NOT EXISTS rfi_requests (
        request_id              TEXT PRIMARY KEY,
        partner_id              TEXT NOT NULL,
        payment_id              TEXT NOT NULL UNIQUE REFERENCES payments (payment_id),
        status                  TEXT NOT NULL
                                CHECK (status IN ('OPEN', 'REVIEW', 'CLOSED', 'CANCELLED')),
        created_at              REAL NOT NULL,
        updated_at              REAL NOT NULL,
        answers                 TEXT NOT NULL,  -- JSON: the updateRequest sections answered
        history                 TEXT NOT NULL   -- JSON: [[event type, actor, time], ...]
    )""",
    """CREATE TABLE IF NOT EXISTS rfi_documents (
        document_id             TEXT PRIMARY KEY,
        partner_id              TEXT NOT NULL,
        reference_id            TEXT NOT NULL,
        file_name               TEXT NOT NULL,
        content                 BLOB NOT NULL,
        created_at              REAL NOT NULL
    )""",
)


_PUSH_TABLES: Final = (
    # Every push, until delivered or given up: one row per event, so that a retry sends the
    # same eventRef and a restart finds what was pending (xbsec.sandbox.outbox).
    """CREATE TABLE IF NOT EXISTS push_outbox (
        id                      INTEGER PRIMARY KEY,
        event_ref               TEXT NOT NULL UNIQUE,
        kind                    TEXT NOT NULL,
        partner_id              TEXT NOT NULL,
        payment_id              TEXT,
        document                TEXT NOT NULL,  -- JSON: the push's body, before encryption
        state                   TEXT NOT NULL
                                CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts                INTEGER NOT NULL DEFAULT 0,
        created_at              REAL NOT NULL,
        next_attempt_at         REAL NOT NULL,
        last_attempt_at         REAL,
        last_status             INTEGER,
        last_error              TEXT,
        finished_at             REAL
    )""",
    "CREATE INDEX IF NOT EXISTS push_outbox_due ON push_outbox (state, next_attempt_at)",
    # What was pushed once per period (the carded rates of a day, per partner).
    """CREATE TABLE IF NOT EXISTS push_marks (
        kind                    TEXT NOT NULL,
        key                     TEXT NOT NULL,
        value                   TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    )""",
)


def ensure_schema(connection: sqlite3.Connection) -> None:
    """Create the tables if needed, inside the caller's write transaction."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ConfigurationError(f"the sandbox database has schema version {version}; this "
                                 f"xbsec reads version {SCHEMA_VERSION} (upgrade xbsec)")
    if version == SCHEMA_VERSION:
        return
    if version == 2:
        connection.execute("ALTER TABLE payments ADD COLUMN pushed_status TEXT")
        for statement in _PUSH_TABLES:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return
    if version != 0:
        raise ConfigurationError(f"the sandbox database has schema version {version}, made by "
                                 "an older xbsec whose documents were not Mastercard's real "
                                 "shapes; remove it (server/sandbox.db) to start afresh")
    for statement in (*_TABLES, *_PUSH_TABLES):
        connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
