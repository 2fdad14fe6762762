"""Stored proposals: what a quote offered, looked up by the payment and confirmation APIs.

A proposal can be confirmed until its ``confirmation_expiry_time`` (``CONFIRMATION_WINDOW``
after the quote) and paid until its ``expiration_date`` (``QUOTE_LIFETIME`` after the quote).
A confirmation reserves the charged amount in the partner's settlement account until the
payment is made, the proposal expires, or the confirmation is cancelled; a cancellation is
asynchronous: ``PENDING`` when asked, done ``CANCELLATION_SECONDS`` later by the sandbox's
clock (FIDELITY §5.5).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Final

from xbsec.sandbox.business_errors import DECLINE, Refusal

__all__ = ["CANCELLATION_SECONDS", "CONFIRMATION_WINDOW", "QUOTE_LIFETIME", "StoredProposal",
           "confirmed_proposals", "find_proposal", "insert_proposal", "unknown_proposal"]

QUOTE_LIFETIME: Final = 30 * 60.0
"""Seconds a proposal can be paid after the quote."""
CONFIRMATION_WINDOW: Final = 10 * 60.0
"""Seconds a proposal can be confirmed after the quote (chosen; Mastercard's is not
documented in a readable page)."""
CANCELLATION_SECONDS: Final = 5.0
"""Seconds a confirmation's cancellation stays PENDING."""


@dataclass(frozen=True, slots=True)
class StoredProposal:
    proposal_id: str
    transaction_reference: str
    created_at: float
    expires_at: float
    confirm_by: float
    terms: dict[str, Any]
    """The transfer the quote was for (``Transfer.document()``) and its ``fx_type``."""
    proposal: dict[str, Any]
    """The proposal as the quote answered it."""
    confirmed_at: float | None
    cancelled_at: float | None
    paid: bool

    def refuse_if_expired(self, now: float) -> None:
        if now >= self.expires_at:
            raise Refusal.one(402, "proposal_id", DECLINE, "the proposal has expired; "
                              "ask for a new quote")

    def cancel_status(self, now: float) -> str | None:
        """``None`` (not cancelled), ``PENDING`` or ``CANCELLED``."""
        if self.cancelled_at is None:
            return None
        return "CANCELLED" if now >= self.cancelled_at + CANCELLATION_SECONDS else "PENDING"

    def reserves(self, now: float) -> bool:
        """Whether the charged amount is reserved in the settlement account at ``now``."""
        return (self.confirmed_at is not None and self.cancel_status(now) != "CANCELLED"
                and not self.paid and now < self.expires_at)


def unknown_proposal() -> Refusal:
    # REF's test of a bad proposal expects Source proposal_id and ReasonCode DECLINE.
    return Refusal.one(402, "proposal_id", DECLINE, "Invalid proposal_id: no such proposal")


def _stored(row: sqlite3.Row) -> StoredProposal:
    return StoredProposal(row["proposal_id"], row["transaction_reference"], row["created_at"],
                          row["expires_at"], row["confirm_by"], json.loads(row["terms"]),
                          json.loads(row["proposal"]), row["confirmed_at"],
                          row["cancelled_at"], bool(row["paid"]))


_SELECT: Final = ("SELECT p.*, EXISTS (SELECT 1 FROM payments WHERE payments.proposal_id ="
                  " p.proposal_id) AS paid FROM proposals AS p WHERE p.partner_id = ?")


def find_proposal(db: sqlite3.Connection, partner_id: str,
                  proposal_id: str) -> StoredProposal | None:
    row = db.execute(_SELECT + " AND p.proposal_id = ?", (partner_id, proposal_id)).fetchone()
    return None if row is None else _stored(row)


def confirmed_proposals(db: sqlite3.Connection, partner_id: str) -> list[StoredProposal]:
    return [_stored(row) for row in db.execute(_SELECT + " AND p.confirmed_at IS NOT NULL",
                                               (partner_id,))]


def insert_proposal(db: sqlite3.Connection, partner_id: str, transaction_reference: str,
                    now: float, terms: dict[str, Any], proposal: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO proposals (proposal_id, partner_id, transaction_reference, created_at,"
        " expires_at, confirm_by, terms, proposal) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (proposal["id"], partner_id, transaction_reference, now, now + QUOTE_LIFETIME,
         now + CONFIRMATION_WINDOW, json.dumps(terms), json.dumps(proposal)))
