"""Stored proposals: what a quote offered, looked up by the payment and confirmation APIs."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Final

from xbsec.error_envelope import ErrorDetail
from xbsec.sandbox.business_errors import DECLINE, INVALID_INPUT_VALUE, Refusal

__all__ = ["PRICED_MEMBERS", "QUOTE_LIFETIME", "StoredProposal", "find_proposal", "insert_proposal",
           "unknown_proposal"]

QUOTE_LIFETIME: Final = 30 * 60.0
"""Seconds a proposal can be paid or confirmed after the quote."""

PRICED_MEMBERS: Final = ("fees_included", "charged_amount", "credited_amount",
                         "principal_amount", "fees_amount", "fx_rate")
"""The members of a proposal that a payment and a confirmation repeat."""

# The ErrorDetailCode XBS gives with an invalid proposal_id (SPEC §8.3 example).
_INVALID_PROPOSAL_DETAIL: Final = ErrorDetail("ErrorDetailCode", "082000")


@dataclass(frozen=True, slots=True)
class StoredProposal:
    proposal_id: str
    transaction_reference: str
    expires_at: float
    terms: dict[str, Any]
    """The transfer the quote was for (``Transfer.document()``) and its ``quote_type``."""
    proposal: dict[str, Any]
    """The proposal as the quote answered it."""
    confirmation_status: str | None
    confirmation_changed_at: float | None
    paid: bool

    def refuse_if_expired(self, now: float) -> None:
        if now >= self.expires_at:
            raise Refusal.one(402, "proposal_id", DECLINE, "the proposal has expired; "
                              "ask for a new quote")


def unknown_proposal() -> Refusal:
    return Refusal.one(400, "proposal_id", INVALID_INPUT_VALUE, "Invalid Input Value: no such "
                       "proposal", details=[_INVALID_PROPOSAL_DETAIL])


def find_proposal(db: sqlite3.Connection, partner_id: str,
                  proposal_id: str) -> StoredProposal | None:
    row = db.execute(
        "SELECT p.*, EXISTS (SELECT 1 FROM payments WHERE payments.proposal_id = p.proposal_id)"
        " AS paid FROM proposals AS p WHERE p.partner_id = ? AND p.proposal_id = ?",
        (partner_id, proposal_id)).fetchone()
    if row is None:
        return None
    return StoredProposal(row["proposal_id"], row["transaction_reference"], row["expires_at"],
                          json.loads(row["terms"]), json.loads(row["proposal"]),
                          row["confirmation_status"], row["confirmation_changed_at"],
                          bool(row["paid"]))


def insert_proposal(db: sqlite3.Connection, partner_id: str, transaction_reference: str,
                    now: float, terms: dict[str, Any], proposal: dict[str, Any]) -> None:
    db.execute(
        "INSERT INTO proposals (proposal_id, partner_id, transaction_reference, created_at,"
        " expires_at, terms, proposal) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (proposal["id"], partner_id, transaction_reference, now, now + QUOTE_LIFETIME,
         json.dumps(terms), json.dumps(proposal)))
