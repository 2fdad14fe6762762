"""The Quotes API: ``quoterequest`` in, ``quote`` with one proposal out (JSON and XML).

Request: the transfer members (``xbsec.sandbox.transfer``) and an optional ``quote_type``
(``xbsec.sandbox.pricing``: forward with fees included when absent). Answer (GEN Quote)::

    {"quote": {"transaction_reference": ..., "payment_type": "P2P",
               "proposals": {"proposal": [{
                   "id": "pen_...", "resource_type": "proposal", "fees_included": true,
                   "charged_amount": {...}, "credited_amount": {...},
                   "principal_amount": {...}, "quote_fx_rate": "0.91234567",
                   "expiration_date": "...", "confirmation_expiry_time": "..."}]}}}

Numbers are those of ``xbsec.sandbox.rates``. The proposal can be confirmed until
``confirmation_expiry_time`` and paid until ``expiration_date`` (``xbsec.sandbox.proposals``).
A transaction reference this partner already quoted is declined as Mastercard's sandbox
declines it: 400 ``DECLINE`` "Duplicate Transaction Reference Number", detail ``130202``
(FIDELITY §3 item 10). A reference ending ``TO`` times out (``xbsec.sandbox.triggers``).
"""

from __future__ import annotations

from typing import Any, Final

from xbsec.error_envelope import ErrorDetail
from xbsec.sandbox.business_errors import DECLINE, INVALID_INPUT_VALUE, TIMEOUT, Refusal
from xbsec.sandbox.identifiers import new_id
from xbsec.sandbox.pricing import Fx, price, read_fx
from xbsec.sandbox.proposals import CONFIRMATION_WINDOW, QUOTE_LIFETIME, insert_proposal
from xbsec.sandbox.rates import Terms
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp
from xbsec.sandbox.transfer import check_parties, read_transfer
from xbsec.sandbox.triggers import times_out
from xbsec.sandbox.validation import document_object

__all__ = ["create_quote", "priced_members", "timeout"]

_DUPLICATE_DETAIL: Final = ErrorDetail("ErrorDetailCode", "130202")


def priced_members(terms: Terms) -> dict[str, Any]:
    """The priced members of a proposal (GEN Proposal)."""
    return {"fees_included": terms.fees_included,
            "charged_amount": terms.charged.document(),
            "credited_amount": terms.credited.document(),
            "principal_amount": terms.principal.document(),
            "quote_fx_rate": format(terms.fx_rate, "f")}


def timeout(what: str) -> Refusal:
    """What a reference ending ``TO`` gets, once its work is committed."""
    return Refusal.one(504, "Service", TIMEOUT, f"the service timed out; the {what} may have "
                       "been made")


def create_quote(request: Request, store: Store) -> Reply:
    fields = document_object(request.validated()["quoterequest"], "quoterequest")
    transfer = read_transfer(fields)
    fx = read_fx(fields, "quote_type", transfer)
    check_parties(fields)
    fields.problems.check()
    if transfer is None or fx is None:  # not reached: check() refused; keeps types exact
        raise Refusal.one(400, "quoterequest", INVALID_INPUT_VALUE, "incomplete quote request")
    terms = price(transfer, fx)
    proposal_id = new_id("pen")
    proposal = {"id": proposal_id, "resource_type": "proposal", **priced_members(terms),
                "expiration_date": iso_timestamp(request.now + QUOTE_LIFETIME),
                "confirmation_expiry_time": iso_timestamp(request.now + CONFIRMATION_WINDOW)}
    stored_terms = {**transfer.document(), "fx_type": Fx.document(fx),
                    "fees_amount": terms.fees.document()}
    with store.transaction(write=True) as db:
        if db.execute("SELECT 1 FROM proposals WHERE partner_id = ? AND"
                      " transaction_reference = ?",
                      (request.partner_id, transfer.transaction_reference)).fetchone():
            raise Refusal.one(400, "transaction_reference", DECLINE,
                              "Duplicate Transaction Reference Number",
                              details=[_DUPLICATE_DETAIL])
        insert_proposal(db, request.partner_id, transfer.transaction_reference, request.now,
                        stored_terms, proposal)
    if times_out(transfer.transaction_reference):
        raise timeout("quote")
    return Reply({"quote": {"transaction_reference": transfer.transaction_reference,
                            "payment_type": transfer.payment_type,
                            "proposals": {"proposal": [proposal]}}})
