"""The Payment APIs: create, retrieve by id or by reference, cancel (JSON and XML).

Create: ``paymentrequest`` -> ``payment``, in one of Mastercard's three ways (GEN PaymentApi):

- **with a quote**: ``proposal_id``, a new or the quote's ``transaction_reference``, and the
  KYC; the quote's members need not be repeated, and those that are must be the quote's;
- **with a carded rate**: ``card_rate_id`` (a ``rate_id`` of the carded rates, today's) and
  every transfer member; the payment gets the tier's ``bid_rate``;
- **one-shot**: every transfer member and ``fx_type`` (forward with fees included when
  absent), priced as a quote would be.

Each names its parties as its payment type says (``xbsec.sandbox.transfer.require_parties``).
The answer (GEN Payment) carries the transfer, the priced amounts, ``fx_type``, ``fx_rate``,
the KYC given, and the status (``xbsec.sandbox.lifecycle``). Checked in this order, inside
one write transaction:

=====================================================  ====  ===============================
transaction reference already paid (this partner)      409   DUPLICATE_VALUE,
                                                             transaction_reference
proposal unknown (to this partner)                     402   DECLINE, proposal_id (REF test)
a repeated quote member differs from the quote's       400   INVALID_INPUT_VALUE, the member
proposal's confirmation cancelled, proposal expired    402   DECLINE, proposal_id
proposal already paid                                  409   DUPLICATE_VALUE, proposal_id
carded rate unknown or of another day                  402   DECLINE, card_rate_id
the trigger amount ``402.00``                          402   DECLINE, payment_amount.amount
=====================================================  ====  ===============================

Cancel (GEN, REF): ``cancelpaymentrequest`` (JSON with or without its root, as Mastercard's
reference app sends it; or no body) -> ``{"cancelpayment": {"status": "SUCCESS"}}``. Only a
``PENDING`` payment to a cash-out or mobile-money recipient can be cancelled
(``xbsec.sandbox.transfer.CANCELLABLE_SCHEMES``); it becomes ``REJECTED`` with
``rejected_status.Code`` ``CANCELLED``, and an open request for information is cancelled
with it. Any other is a 409 ``DECLINE`` "Cancellation not permitted on this transaction"; a
second cancellation a 409 ``DUPLICATE_VALUE``.
"""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any

from xbsec.sandbox.business_errors import (
    DECLINE,
    DUPLICATE_VALUE,
    INVALID_INPUT_VALUE,
    RESOURCE_UNKNOWN,
    Refusal,
)
from xbsec.sandbox.carded_rates import find_tier
from xbsec.sandbox.identifiers import new_payment_id, new_uuid
from xbsec.sandbox.lifecycle import CANCELLED_CODE, payment_view, state
from xbsec.sandbox.money import CURRENCIES, Money
from xbsec.sandbox.pricing import Fx, price, read_fx
from xbsec.sandbox.proposals import StoredProposal, find_proposal, unknown_proposal
from xbsec.sandbox.quotes import timeout
from xbsec.sandbox.rates import Terms
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.rfi import open_rfi_request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp
from xbsec.sandbox.transfer import (
    CANCELLABLE_SCHEMES,
    Transfer,
    check_parties,
    read_transfer,
    require_parties,
)
from xbsec.sandbox.triggers import (
    DECLINE_AMOUNT,
    RFI_THRESHOLD,
    SETTLEMENT_SECONDS,
    outcome,
    times_out,
)
from xbsec.sandbox.validation import Fields, Problems, document_object

__all__ = ["cancel_payment", "create_payment", "payment_row", "retrieve_payment",
           "retrieve_payment_by_reference"]

_ECHOED = ("receiving_bank_name", "receiving_bank_branch_name", "bank_code",
           "source_of_income", "payment_file_identifier", "sender", "recipient")
_QUOTED = ("sender_account_uri", "recipient_account_uri", "payment_origination_country",
           "payment_type")


def _duplicate_reference() -> Refusal:
    return Refusal.one(409, "transaction_reference", DUPLICATE_VALUE,
                       "a payment with this transaction_reference already exists")


def _without_nulls(value: Any) -> Any:
    """A KYC member as given, without the members the request left null or empty."""
    if isinstance(value, dict):
        kept = {k: _without_nulls(v) for k, v in value.items() if v not in (None, "", [], {})}
        return {k: v for k, v in kept.items() if v not in ({}, [])}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value if item not in (None, "")]
    return value


def _check_repeated_members(fields: Fields, proposal: StoredProposal) -> None:
    quoted = proposal.terms
    problems = Problems()
    for name in _QUOTED:
        given = fields.data.get(name)
        if given not in (None, "") and given != quoted[name]:
            problems.add(name, INVALID_INPUT_VALUE, f"{name} differs from the quote's")
    amount = fields.data.get("payment_amount")
    if isinstance(amount, dict):
        quoted_amount = quoted["payment_amount"]
        if amount.get("currency") not in (None, quoted_amount["currency"]):
            problems.add("payment_amount.currency", INVALID_INPUT_VALUE,
                         "payment_amount.currency differs from the quote's")
        elif amount.get("amount") not in (None, "") and \
                Decimal(str(amount["amount"])) != Decimal(quoted_amount["amount"]):
            problems.add("payment_amount.amount", INVALID_INPUT_VALUE,
                         "payment_amount.amount differs from the quote's")
    problems.check()


def _quoted_transfer(reference: str, proposal: StoredProposal) -> Transfer:
    quoted = proposal.terms
    amount = quoted["payment_amount"]
    return Transfer(reference, quoted["sender_account_uri"], quoted["recipient_account_uri"],
                    Money(Decimal(amount["amount"]), CURRENCIES[amount["currency"]]),
                    quoted["payment_origination_country"], quoted["payment_type"])


def _carded(fields: Fields, transfer: Transfer, rate_id: str, now: float) -> tuple[Fx, Terms]:
    tier = find_tier(rate_id, now)
    if tier is None:
        raise Refusal.one(402, "card_rate_id", DECLINE, "no carded rate with this rate_id is "
                          "valid today; pull the rates again")
    if transfer.payment_amount.currency.code != tier.sender.code:
        raise Refusal.one(400, "payment_amount.currency", INVALID_INPUT_VALUE,
                          f"the carded rate is from {tier.sender.code}")
    fx = read_fx(fields, "fx_type", transfer)
    fields.problems.check()
    if fx is None or fx.direction != "forward" or (
            fields.present("fx_type") and fx.currency.code != tier.receiver.code):
        raise Refusal.one(400, "fx_type", INVALID_INPUT_VALUE, "a carded rate pays forward, "
                          f"to {tier.receiver.code}")
    fx = Fx("forward", tier.receiver, fx.fees_included)
    return fx, price(transfer, fx, tier.bid_rate)


def create_payment(request: Request, store: Store) -> Reply:
    fields = document_object(request.validated()["paymentrequest"], "paymentrequest")
    reference = fields.text("transaction_reference")
    proposal_id = fields.text("proposal_id", required=False)
    rate_id = fields.text("card_rate_id", required=False)
    if proposal_id is not None and rate_id is not None:
        fields.problems.add("card_rate_id", INVALID_INPUT_VALUE,
                            "card_rate_id cannot be given with a proposal_id")
    check_parties(fields)
    transfer = None if proposal_id is not None else read_transfer(fields)
    if transfer is not None and request.require_kyc:
        require_parties(fields, transfer.payment_type)
    fields.problems.check()
    if reference is None:  # not reached: check() refused; keeps types exact
        raise Refusal.one(400, "transaction_reference", INVALID_INPUT_VALUE, "required")
    partner, now = request.partner_id, request.now
    fx: Fx | None = None
    terms: Terms | None = None
    if transfer is not None:
        if rate_id is not None:
            fx, terms = _carded(fields, transfer, rate_id, now)
        else:
            fx = read_fx(fields, "fx_type", transfer)
            fields.problems.check()
            if fx is None:  # not reached
                raise Refusal.one(400, "fx_type", INVALID_INPUT_VALUE, "incomplete fx_type")
            terms = price(transfer, fx)
    with store.transaction(write=True) as db:
        if db.execute("SELECT 1 FROM payments WHERE partner_id = ? AND transaction_reference = ?",
                      (partner, reference)).fetchone():
            raise _duplicate_reference()
        priced: dict[str, Any]
        if proposal_id is not None:
            proposal = find_proposal(db, partner, proposal_id)
            if proposal is None:
                raise unknown_proposal()
            _check_repeated_members(fields, proposal)
            if request.require_kyc:
                require_parties(fields, proposal.terms["payment_type"])
                fields.problems.check()
            if proposal.cancel_status(now) is not None:
                raise Refusal.one(402, "proposal_id", DECLINE, "the proposal's confirmation "
                                  "was cancelled")
            proposal.refuse_if_expired(now)
            if proposal.paid:
                raise Refusal.one(409, "proposal_id", DUPLICATE_VALUE,
                                  "this proposal has already been paid")
            transfer = _quoted_transfer(reference, proposal)
            offer = proposal.proposal
            priced = {"fx_type": proposal.terms["fx_type"],
                      "fees_amount": proposal.terms["fees_amount"],
                      "charged_amount": offer["charged_amount"],
                      "credited_amount": offer["credited_amount"],
                      "principal_amount": offer["principal_amount"],
                      "fx_rate": offer["quote_fx_rate"]}
        elif transfer is not None and fx is not None and terms is not None:
            priced = {"fx_type": fx.document(), "fees_amount": terms.fees.document(),
                      "charged_amount": terms.charged.document(),
                      "credited_amount": terms.credited.document(),
                      "principal_amount": terms.principal.document(),
                      "fx_rate": format(terms.fx_rate, "f")}
        else:  # pragma: no cover - one of the branches above always holds
            raise Refusal.one(400, "paymentrequest", INVALID_INPUT_VALUE, "incomplete payment")
        amount = transfer.payment_amount.amount
        if amount == DECLINE_AMOUNT:
            raise Refusal.one(402, "payment_amount.amount", DECLINE,
                              "the transfer was declined (sandbox decline amount 402.00)")
        payment_id = new_payment_id()
        document: dict[str, Any] = {
            "id": payment_id, "resource_type": "payment", "transaction_reference": reference,
            "created": iso_timestamp(now),
            **({"proposal_id": proposal_id} if proposal_id is not None else {}),
            **{k: v for k, v in transfer.document().items() if k != "transaction_reference"},
            **priced, "settlement_details": priced["charged_amount"],
            **({"card_rate_id": rate_id} if rate_id is not None else {}),
            **{name: _without_nulls(fields.data[name]) for name in _ECHOED
               if fields.present(name) and _without_nulls(fields.data[name]) not in ({}, [])}}
        charged = priced["charged_amount"]
        try:
            db.execute(
                "INSERT INTO payments (payment_id, partner_id, transaction_reference,"
                " proposal_id, status, outcome, settles_at, cancellable, charged_currency,"
                " charged_amount, created_at, status_changed_at, document)"
                " VALUES (?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?, ?, ?, ?)",
                (payment_id, partner, reference, proposal_id, outcome(reference, amount),
                 now + SETTLEMENT_SECONDS, int(transfer.cancellable), charged["currency"],
                 charged["amount"], now, now, json.dumps(document)))
        except sqlite3.IntegrityError:
            # The checks above run under the write lock, so only a database shared with
            # something that does not take it can get here; the constraint still holds.
            raise _duplicate_reference() from None
        if amount >= RFI_THRESHOLD:
            open_rfi_request(db, partner, new_uuid(), payment_id, now)
        row = payment_row(db, partner, "payment_id", payment_id)
    if times_out(reference):
        raise timeout("payment")
    return Reply({"payment": payment_view(row, now, retrieved=False)})


def payment_row(db: sqlite3.Connection, partner: str, column: str, value: str) -> sqlite3.Row:
    """The payment whose ``column`` (``payment_id`` or ``transaction_reference``) is
    ``value``; 404 ``RESOURCE_UNKNOWN`` if this partner has none."""
    # column is one of two literals chosen by the callers, never input.
    row: sqlite3.Row | None = db.execute(
        f"SELECT * FROM payments WHERE partner_id = ? AND {column} = ?",  # noqa: S608
        (partner, value)).fetchone()
    if row is None:
        source = "payment_id" if column == "payment_id" else "ref"
        raise Refusal.one(404, source, RESOURCE_UNKNOWN, "no such payment")
    return row


def retrieve_payment(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        row = payment_row(db, request.partner_id, "payment_id", request.params["payment_id"])
    return Reply({"payment": payment_view(row, request.now, retrieved=True)})


def retrieve_payment_by_reference(request: Request, store: Store) -> Reply:
    reference = request.query_value("ref", required=True)
    if reference is None:  # not reached: required
        raise Refusal.one(400, "ref", INVALID_INPUT_VALUE, "ref is required")
    with store.transaction(write=False) as db:
        row = payment_row(db, request.partner_id, "transaction_reference", reference)
    return Reply({"payment": payment_view(row, request.now, retrieved=True)})


def cancel_payment(request: Request, store: Store) -> Reply:
    request.validated(optional=True)  # its members are not used
    with store.transaction(write=True) as db:
        row = payment_row(db, request.partner_id, "payment_id", request.params["payment_id"])
        current = state(row, request.now)
        if current.rejected is not None and current.rejected[0] == CANCELLED_CODE:
            raise Refusal.one(409, "payment_id", DUPLICATE_VALUE,
                              "the payment is already cancelled")
        if current.status != "PENDING" or not row["cancellable"]:
            why = ("only a pending payment" if current.status != "PENDING" else
                   f"only payments to {' or '.join(sorted(CANCELLABLE_SCHEMES))} recipients "
                   "(cash-out, mobile money)")
            raise Refusal.one(409, "payment_id", DECLINE, "Cancellation not permitted on this "
                              f"transaction: {why} can be cancelled")
        db.execute("UPDATE payments SET status = 'REJECTED', status_changed_at = ?,"
                   " rejected_code = ?, rejected_message = ? WHERE payment_id = ?",
                   (request.now, CANCELLED_CODE, "Cancelled at the partner's request",
                    row["payment_id"]))
        db.execute("UPDATE rfi_requests SET status = 'CANCELLED', updated_at = ?"
                   " WHERE payment_id = ? AND status IN ('OPEN', 'REVIEW')",
                   (request.now, row["payment_id"]))
    return Reply({"cancelpayment": {"status": "SUCCESS"}})
