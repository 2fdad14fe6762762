"""The Payment APIs: create, retrieve by id or by reference, cancel (JSON and XML).

Create: ``paymentrequest`` with the transfer members (``xbsec.sandbox.transfer``) and the
``proposal_id`` of a quote for the same transfer (same accounts, amount, type and country;
the transaction reference may differ) -> ``payment``::

    {"payment": {"id": "rem_...", "resource_type": "payment", "transaction_reference": ...,
                 "proposal_id": ..., "created": ..., <the transfer members>,
                 <the proposal's priced members>, ["rfi_request_id": "rfi_...",]
                 "status": "PENDING", "status_timestamp": ...}}

Checked in this order, inside one write transaction:

====================================================  ====  ===================================
transaction reference already paid (this partner)     409   DUPLICATE_VALUE, transaction_reference
proposal unknown (to this partner)                    400   INVALID_INPUT_VALUE, proposal_id,
                                                            ErrorDetailCode 082000
transfer differs from the quote's                     400   INVALID_INPUT_VALUE, the member
proposal's confirmation cancelled                     402   DECLINE, proposal_id
proposal expired                                      402   DECLINE, proposal_id
proposal already paid                                 409   DUPLICATE_VALUE, proposal_id
``payment_amount.amount`` is ``402.00`` (any currency)  402   DECLINE, payment_amount.amount
====================================================  ====  ===================================

``402.00`` is the sandbox's documented decline trigger. A payment of ``10000`` or more (in
its own currency) also opens a request for information (``xbsec.sandbox.rfi``), whose id
the payment carries.

Statuses: ``PENDING`` (the sandbox never settles on its own) and ``CANCELLED``. Cancel:
``cancelpaymentrequest`` (its members are not used; an empty body is accepted) ->
``cancelpayment`` ``{"id", "resource_type", "transaction_reference", "status":
"CANCELLED", "status_timestamp"}``; cancelling twice is a 409 ``DUPLICATE_VALUE``. An open
request for information is cancelled with its payment.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any, Final

from xbsec.sandbox.business_errors import (
    DECLINE,
    DUPLICATE_VALUE,
    INVALID_INPUT_VALUE,
    RESOURCE_UNKNOWN,
    Refusal,
)
from xbsec.sandbox.identifiers import new_id
from xbsec.sandbox.proposals import PRICED_MEMBERS, StoredProposal, find_proposal, unknown_proposal
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.rfi import RFI_THRESHOLD, open_rfi_request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp
from xbsec.sandbox.transfer import REFERENCE, Transfer, read_transfer
from xbsec.sandbox.validation import Problems

__all__ = ["cancel_payment", "create_payment", "retrieve_payment",
           "retrieve_payment_by_reference"]

DECLINE_AMOUNT: Final = Decimal("402.00")


def _duplicate_reference() -> Refusal:
    return Refusal.one(409, "transaction_reference", DUPLICATE_VALUE,
                       "a payment with this transaction_reference already exists")


def _check_same_transfer(transfer: Transfer, proposal: StoredProposal) -> None:
    quoted = proposal.terms
    problems = Problems()
    for name in ("sender_account_uri", "recipient_account_uri", "payment_origination_country",
                 "payment_type"):
        if getattr(transfer, name) != quoted[name]:
            problems.add(name, INVALID_INPUT_VALUE, f"{name} differs from the quote's")
    amount = quoted["payment_amount"]
    if transfer.payment_amount.currency.code != amount["currency"]:
        problems.add("payment_amount.currency", INVALID_INPUT_VALUE,
                     "payment_amount.currency differs from the quote's")
    elif transfer.payment_amount.amount != Decimal(amount["amount"]):
        problems.add("payment_amount.amount", INVALID_INPUT_VALUE,
                     "payment_amount.amount differs from the quote's")
    problems.check()


def _with_status(row: sqlite3.Row) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(row["document"])
    document["status"] = row["status"]
    document["status_timestamp"] = iso_timestamp(row["status_changed_at"])
    return document


def create_payment(request: Request, store: Store) -> Reply:
    fields = request.document("paymentrequest")
    transfer = read_transfer(fields)
    proposal_id = fields.text("proposal_id", max_length=40, pattern=REFERENCE)
    fields.problems.check()
    if transfer is None or proposal_id is None:  # not reached: check() refused
        raise Refusal.one(400, "paymentrequest", INVALID_INPUT_VALUE, "incomplete payment")
    partner, now = request.partner_id, request.now
    with store.transaction(write=True) as db:
        if db.execute("SELECT 1 FROM payments WHERE partner_id = ? AND transaction_reference = ?",
                      (partner, transfer.transaction_reference)).fetchone():
            raise _duplicate_reference()
        proposal = find_proposal(db, partner, proposal_id)
        if proposal is None:
            raise unknown_proposal()
        _check_same_transfer(transfer, proposal)
        if proposal.confirmation_status == "CANCELLED":
            raise Refusal.one(402, "proposal_id", DECLINE, "the proposal's confirmation was "
                              "cancelled")
        proposal.refuse_if_expired(now)
        if proposal.paid:
            raise Refusal.one(409, "proposal_id", DUPLICATE_VALUE,
                              "this proposal has already been paid")
        if transfer.payment_amount.amount == DECLINE_AMOUNT:
            raise Refusal.one(402, "payment_amount.amount", DECLINE,
                              "the transfer was declined (sandbox decline amount 402.00)")
        payment_id = new_id("rem")
        document: dict[str, Any] = {
            "id": payment_id, "resource_type": "payment",
            "transaction_reference": transfer.transaction_reference,
            "proposal_id": proposal_id, "created": iso_timestamp(now),
            **{k: v for k, v in transfer.document().items() if k != "transaction_reference"},
            **{name: proposal.proposal[name] for name in PRICED_MEMBERS}}
        rfi_request_id = (new_id("rfi") if transfer.payment_amount.amount >= RFI_THRESHOLD
                          else None)
        if rfi_request_id is not None:
            document["rfi_request_id"] = rfi_request_id
        charged = proposal.proposal["charged_amount"]
        try:
            db.execute(
                "INSERT INTO payments (payment_id, partner_id, transaction_reference,"
                " proposal_id, status, charged_currency, charged_amount, created_at,"
                " status_changed_at, document) VALUES (?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?)",
                (payment_id, partner, transfer.transaction_reference, proposal_id,
                 charged["currency"], charged["amount"], now, now, json.dumps(document)))
        except sqlite3.IntegrityError:
            # The checks above run under the write lock, so only a database shared with
            # something that does not take it can get here; the constraint still holds.
            raise _duplicate_reference() from None
        if rfi_request_id is not None:
            open_rfi_request(db, partner, rfi_request_id, payment_id, now)
    return Reply({"payment": {**document, "status": "PENDING",
                              "status_timestamp": iso_timestamp(now)}})


def _payment_row(db: sqlite3.Connection, partner: str, column: str,
                 value: str) -> sqlite3.Row | None:
    # column is one of two literals chosen below, never input.
    row: sqlite3.Row | None = db.execute(
        f"SELECT * FROM payments WHERE partner_id = ? AND {column} = ?",  # noqa: S608
        (partner, value)).fetchone()
    return row


def retrieve_payment(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        row = _payment_row(db, request.partner_id, "payment_id", request.params["payment_id"])
    if row is None:
        raise Refusal.one(404, "payment_id", RESOURCE_UNKNOWN, "no such payment")
    return Reply({"payment": _with_status(row)})


def retrieve_payment_by_reference(request: Request, store: Store) -> Reply:
    reference = request.query_value("ref", required=True)
    if reference is None:  # not reached: required
        raise Refusal.one(400, "ref", INVALID_INPUT_VALUE, "ref is required")
    with store.transaction(write=False) as db:
        row = _payment_row(db, request.partner_id, "transaction_reference", reference)
    if row is None:
        raise Refusal.one(404, "ref", RESOURCE_UNKNOWN, "no payment with this reference")
    return Reply({"payment": _with_status(row)})


def cancel_payment(request: Request, store: Store) -> Reply:
    request.document("cancelpaymentrequest", optional=True).problems.check()
    with store.transaction(write=True) as db:
        row = _payment_row(db, request.partner_id, "payment_id", request.params["payment_id"])
        if row is None:
            raise Refusal.one(404, "payment_id", RESOURCE_UNKNOWN, "no such payment")
        if row["status"] == "CANCELLED":
            raise Refusal.one(409, "payment_id", DUPLICATE_VALUE,
                              "the payment is already cancelled")
        db.execute("UPDATE payments SET status = 'CANCELLED', status_changed_at = ?"
                   " WHERE payment_id = ?", (request.now, row["payment_id"]))
        db.execute("UPDATE rfi_requests SET status = 'CANCELLED', updated_at = ?"
                   " WHERE payment_id = ? AND status = 'OPEN'", (request.now, row["payment_id"]))
    return Reply({"cancelpayment": {
        "id": row["payment_id"], "resource_type": "payment",
        "transaction_reference": row["transaction_reference"], "status": "CANCELLED",
        "status_timestamp": iso_timestamp(request.now)}})
