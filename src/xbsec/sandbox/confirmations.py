"""Quote confirmation: confirm a proposal, cancel the confirmation, retrieve it (REF, REF2).

==========================================================  =========  =======================
POST /send/partners/{pid}/crossborder/quotes/confirmations  JSON, XML  confirm
POST .../quotes/cancellations                               JSON       cancel the confirmation
GET  .../quotes/{transaction_reference}/proposals/{id}      JSON       retrieve
==========================================================  =========  =======================

Both POSTs take the quote's ``{"transactionReference", "proposalId"}``, camelCase and
without a root member in JSON (XML root ``quoteconfirmationrequest``, REF2); a cancellation
may also come wrapped in ``cancelConfirmedQuoteRequest`` (REF). Answers::

    confirm: {"transactionReference", "status": "CONFIRMED", "proposalId",
              "paymentSubmissionExpiryTime"}      (XML root quoteconfirmationresponse)
    cancel:  {"transactionReference", "status": "PENDING", "proposalId"}

A confirmation reserves the proposal's charged amount in the partner's settlement account
until the payment, the proposal's expiry or a cancellation; it must come before the
proposal's ``confirmation_expiry_time``. A cancellation is asynchronous: ``PENDING`` when
asked, then done (``xbsec.sandbox.proposals.CANCELLATION_SECONDS``), which the retrieval
shows (``cancelStatus``, ``releasedReservedAmount``). Refusals: an unknown proposal is
declined (402 ``DECLINE``, Source ``proposalId``), as is confirming after the window or an
expired proposal; a reference that is not the quote's is a 400; confirming twice or
cancelling twice a 409 ``DUPLICATE_VALUE``; cancelling a proposal that is not confirmed, or
is paid, a 402 ``DECLINE`` "Cancellation not permitted on this transaction" (FIDELITY
§5.5). Confirmation is not required before a payment: chosen, every sandbox partner is one
that has not opted in to the service's mandatory confirmation.
"""

from __future__ import annotations

from typing import Any, Final

from xbsec.sandbox.business_errors import (
    DECLINE,
    DUPLICATE_VALUE,
    INVALID_INPUT_VALUE,
    RESOURCE_UNKNOWN,
    Refusal,
)
from xbsec.sandbox.outbox import set_mark
from xbsec.sandbox.proposals import StoredProposal, find_proposal
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp

__all__ = ["QUOTE_CANCELLATION", "cancel_confirmed_quote", "confirm_quote",
           "confirmed_quote_view", "retrieve_confirmed_quote"]

QUOTE_CANCELLATION: Final = "quoteCancellation"
"""The push mark of a cancellation asked while pushes were on: ``PENDING``, then
``CANCELLED`` once its push is in the outbox."""


def _identifiers(document: Any, *roots: str) -> tuple[str, str]:
    for root in roots:
        if isinstance(document, dict) and isinstance(document.get(root), dict):
            document = document[root]
            break
    return str(document["transactionReference"]), str(document["proposalId"])


def _proposal(request: Request, db: Any, reference: str, proposal_id: str) -> StoredProposal:
    proposal = find_proposal(db, request.partner_id, proposal_id)
    if proposal is None:
        raise Refusal.one(402, "proposalId", DECLINE, "Invalid proposalId: no such proposal")
    if proposal.transaction_reference != reference:
        raise Refusal.one(400, "transactionReference", INVALID_INPUT_VALUE,
                          "transactionReference is not the quote's")
    return proposal


def confirm_quote(request: Request, store: Store) -> Reply:
    reference, proposal_id = _identifiers(request.validated(), "quoteconfirmationrequest")
    now = request.now
    with store.transaction(write=True) as db:
        proposal = _proposal(request, db, reference, proposal_id)
        if proposal.confirmed_at is not None:
            raise Refusal.one(409, "proposalId", DUPLICATE_VALUE,
                              "the proposal is already confirmed")
        if proposal.paid:
            raise Refusal.one(409, "proposalId", DUPLICATE_VALUE, "the proposal has been paid")
        proposal.refuse_if_expired(now)
        if now >= proposal.confirm_by:
            raise Refusal.one(402, "proposalId", DECLINE, "the proposal's "
                              "confirmation_expiry_time has passed; ask for a new quote")
        db.execute("UPDATE proposals SET confirmed_at = ? WHERE proposal_id = ?",
                   (now, proposal_id))
    return Reply({"transactionReference": reference, "status": "CONFIRMED",
                  "proposalId": proposal_id,
                  "paymentSubmissionExpiryTime": proposal.proposal["expiration_date"]},
                 xml_root="quoteconfirmationresponse")


def cancel_confirmed_quote(request: Request, store: Store) -> Reply:
    reference, proposal_id = _identifiers(request.validated(), "cancelConfirmedQuoteRequest")
    with store.transaction(write=True) as db:
        proposal = _proposal(request, db, reference, proposal_id)
        if proposal.cancelled_at is not None:
            raise Refusal.one(409, "proposalId", DUPLICATE_VALUE,
                              "the confirmation is already cancelled")
        if proposal.confirmed_at is None or proposal.paid:
            raise Refusal.one(402, "proposalId", DECLINE,
                              "Cancellation not permitted on this transaction")
        db.execute("UPDATE proposals SET cancelled_at = ? WHERE proposal_id = ?",
                   (request.now, proposal_id))
        if request.pushes:  # pushed once done (xbsec.sandbox.pushes.due_quote_cancellations)
            set_mark(db, QUOTE_CANCELLATION, proposal_id, "PENDING")
    return Reply({"transactionReference": reference, "status": "PENDING",
                  "proposalId": proposal_id})


def _status(status: str, at: float) -> dict[str, Any]:
    return {"status": status, "statusTimestamp": iso_timestamp(at)}


def retrieve_confirmed_quote(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        proposal = find_proposal(db, request.partner_id, request.params["proposal_id"])
    if (proposal is None or proposal.confirmed_at is None
            or proposal.transaction_reference != request.params["transaction_reference"]):
        raise Refusal.one(404, "proposalId", RESOURCE_UNKNOWN, "no such confirmed quote")
    return Reply(confirmed_quote_view(proposal, request.now))


def confirmed_quote_view(proposal: StoredProposal, now: float) -> dict[str, Any]:
    """A confirmed quote as its retrieval answers it at ``now`` (and its push carries it)."""
    assert proposal.confirmed_at is not None
    offer = proposal.proposal
    quote: dict[str, Any] = {"proposalId": proposal.proposal_id,
                             "confirmStatus": _status("CONFIRMED", proposal.confirmed_at)}
    changed = proposal.confirmed_at
    cancel_status = proposal.cancel_status(now)
    if cancel_status is not None and proposal.cancelled_at is not None:
        quote["cancelStatus"] = _status(cancel_status, proposal.cancelled_at)
        if cancel_status == "CANCELLED":
            quote["releasedReservedAmount"] = offer["charged_amount"]
        changed = proposal.cancelled_at
    quote.update({
        "statusTimestamp": iso_timestamp(changed),
        "paymentSubmissionExpiryTime": offer["expiration_date"],
        "paymentType": proposal.terms["payment_type"],
        "proposals": [{"id": offer["id"], "resourceType": "proposal",
                       "feesIncluded": offer["fees_included"],
                       "expirationDate": offer["expiration_date"],
                       "quoteFxRate": offer["quote_fx_rate"],
                       "chargedAmount": offer["charged_amount"],
                       "creditedAmount": offer["credited_amount"],
                       "principalAmount": offer["principal_amount"],
                       "confirmationExpiryTime": offer["confirmation_expiry_time"]}]})
    return {"transactionReference": proposal.transaction_reference, "resourceType": "quote",
            "created": iso_timestamp(proposal.created_at), "quote": quote}
