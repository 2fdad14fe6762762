"""The sandbox's SQLite schema, created on first use and versioned by ``user_version``.

Every row belongs to one partner (``partner_id``) and every query filters on it, so that one
partner never sees another's resources. Amounts are decimal *strings* (never REAL): they
are summed with ``decimal.Decimal``. Times are Unix seconds (REAL) from the injected clock.
Documents answered to the partner are kept as JSON text, with the columns a query needs
beside them.

Version 2 holds Mastercard's real shapes and lifecycles; a version 1 database (the shapes
of xbsec before them) is refused with a word on what to do, since its documents cannot be
answered in the real shapes.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from xbsec.errors import ConfigurationError

__all__ = ["SCHEMA_VERSION", "ensure_schema"]

SCHEMA_VERSION: Final = 2

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


def ensure_schema(connection: sqlite3.Connection) -> None:
    """Create the tables if needed, inside the caller's write transaction."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ConfigurationError(f"the sandbox database has schema version {version}; this "
                                 f"xbsec reads version {SCHEMA_VERSION} (upgrade xbsec)")
    if version == SCHEMA_VERSION:
        return
    if version != 0:
        raise ConfigurationError(f"the sandbox database has schema version {version}, made by "
                                 "an older xbsec whose documents were not Mastercard's real "
                                 "shapes; remove it (server/sandbox.db) to start afresh")
    for statement in _TABLES:
        connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
