"""Quote confirmation: confirm a proposal, cancel the confirmation, retrieve it.

==========================================================  ===========  ==================
POST /send/partners/{pid}/crossborder/quotes/confirmations  JSON, XML    ``quoteconfirmation``
POST .../quotes/cancellations                               JSON         ``quotecancellation``
GET  .../quotes/{transaction_reference}/proposals/{id}      JSON         -> ``quoteconfirmation``
==========================================================  ===========  ==================

Both POSTs take ``{"transaction_reference", "proposal_id"}`` (the quote's reference) and
answer, under the same root::

    {"transaction_reference", "proposal_id", "status": "CONFIRMED" | "CANCELLED",
     "status_timestamp", "expiration_date", <the proposal's priced members>}

Refusals: an unknown proposal is a 400 ``INVALID_INPUT_VALUE`` (ErrorDetailCode 082000), a
reference that is not the quote's a 400 on ``transaction_reference``; repeating what was
done (confirming a confirmed proposal, cancelling a cancelled one) a 409
``DUPLICATE_VALUE``; confirming a cancelled or paid proposal, or cancelling one that is not
confirmed or is paid, a 400 ``INVALID_INPUT_VALUE``; confirming an expired proposal a 402
``DECLINE``. The GET answers 404 for a proposal that was never confirmed.
"""

from __future__ import annotations

from typing import Any

from xbsec.sandbox.business_errors import (
    DUPLICATE_VALUE,
    INVALID_INPUT_VALUE,
    RESOURCE_UNKNOWN,
    Refusal,
)
from xbsec.sandbox.proposals import PRICED_MEMBERS, StoredProposal, find_proposal, unknown_proposal
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp
from xbsec.sandbox.transfer import REFERENCE

__all__ = ["cancel_confirmation", "confirm_quote", "retrieve_confirmed_quote"]



def _view(proposal: StoredProposal, status: str, changed_at: float) -> dict[str, Any]:
    return {"transaction_reference": proposal.transaction_reference,
            "proposal_id": proposal.proposal_id, "status": status,
            "status_timestamp": iso_timestamp(changed_at),
            "expiration_date": proposal.proposal["expiration_date"],
            **{name: proposal.proposal[name] for name in PRICED_MEMBERS}}


def _change(request: Request, store: Store, root: str, status: str) -> Reply:
    fields = request.document(root)
    reference = fields.text("transaction_reference", max_length=40, pattern=REFERENCE)
    proposal_id = fields.text("proposal_id", max_length=40, pattern=REFERENCE)
    fields.problems.check()
    if reference is None or proposal_id is None:  # not reached: check() refused
        raise Refusal.one(400, root, INVALID_INPUT_VALUE, "incomplete request")
    with store.transaction(write=True) as db:
        proposal = find_proposal(db, request.partner_id, proposal_id)
        if proposal is None:
            raise unknown_proposal()
        if proposal.transaction_reference != reference:
            raise Refusal.one(400, "transaction_reference", INVALID_INPUT_VALUE,
                              "transaction_reference is not the quote's")
        current = proposal.confirmation_status
        if current == status:
            raise Refusal.one(409, "proposal_id", DUPLICATE_VALUE,
                              f"the proposal is already {status}")
        if proposal.paid:
            raise Refusal.one(400, "proposal_id", INVALID_INPUT_VALUE,
                              "the proposal has been paid")
        if status == "CONFIRMED":
            if current == "CANCELLED":
                raise Refusal.one(400, "proposal_id", INVALID_INPUT_VALUE,
                                  "the proposal's confirmation was cancelled")
            proposal.refuse_if_expired(request.now)
        elif current != "CONFIRMED":
            raise Refusal.one(400, "proposal_id", INVALID_INPUT_VALUE,
                              "the proposal is not confirmed")
        db.execute("UPDATE proposals SET confirmation_status = ?, confirmation_changed_at = ?"
                   " WHERE proposal_id = ?", (status, request.now, proposal_id))
    return Reply({root: _view(proposal, status, request.now)})


def confirm_quote(request: Request, store: Store) -> Reply:
    return _change(request, store, "quoteconfirmation", "CONFIRMED")


def cancel_confirmation(request: Request, store: Store) -> Reply:
    return _change(request, store, "quotecancellation", "CANCELLED")


def retrieve_confirmed_quote(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        proposal = find_proposal(db, request.partner_id, request.params["proposal_id"])
    if (proposal is None or proposal.confirmation_status is None
            or proposal.confirmation_changed_at is None
            or proposal.transaction_reference != request.params["transaction_reference"]):
        raise Refusal.one(404, "proposal_id", RESOURCE_UNKNOWN, "no such confirmed quote")
    return Reply({"quoteconfirmation": _view(proposal, proposal.confirmation_status,
                                             proposal.confirmation_changed_at)})
