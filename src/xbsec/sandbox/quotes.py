"""The Quotes API: ``quoterequest`` in, ``quote`` with one proposal out (JSON and XML).

Request (besides the transfer members of ``xbsec.sandbox.transfer``)::

    "quote_type": {"forward": {"receiver_currency": "EUR", "fees_included": "false"}}
    "quote_type": {"reverse": {"sender_currency": "USD"}}

A forward quote fixes what the sender sends (``payment_amount`` is in the sender currency);
a reverse quote fixes what the recipient receives (``payment_amount`` is in the receiver
currency). Without ``quote_type`` the quote is forward, in the payment currency, fees not
included. Answer::

    {"quote": {<the transfer members>, "quote_type": {...},
               "proposals": {"proposal": [{
                   "id": "pen_...", "proposal_id": "pen_...", "resource_type": "proposal",
                   "fees_included": "false", "charged_amount": {...}, "credited_amount": {...},
                   "principal_amount": {...}, "fees_amount": {...}, "fx_rate": "0.91234567",
                   "expiration_date": "...Z"}]}}}

``id`` is Mastercard's name for the proposal's identifier; ``proposal_id`` repeats it under
the name a payment request uses. Numbers are those of ``xbsec.sandbox.rates``; the proposal
can be paid or confirmed for ``QUOTE_LIFETIME`` seconds.
"""

from __future__ import annotations

from typing import Any

from xbsec.sandbox.business_errors import INVALID_INPUT_VALUE, Refusal
from xbsec.sandbox.identifiers import new_id
from xbsec.sandbox.money import Currency
from xbsec.sandbox.proposals import QUOTE_LIFETIME, insert_proposal
from xbsec.sandbox.rates import Terms, price_forward, price_reverse
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp
from xbsec.sandbox.transfer import Transfer, read_transfer
from xbsec.sandbox.validation import Fields

__all__ = ["create_quote", "proposal_terms"]


def _quote_type(fields: Fields, transfer: Transfer | None) -> tuple[str, Currency, bool] | None:
    """``(direction, other currency, fees included)``, or ``None`` with problems recorded."""
    section = fields.section("quote_type", required=False)
    if section is None:
        if fields.present("quote_type") or transfer is None:
            return None
        return "forward", transfer.payment_amount.currency, False
    directions = [name for name in ("forward", "reverse") if section.present(name)]
    if len(directions) != 1:
        fields.problems.add(fields.source("quote_type"), INVALID_INPUT_VALUE,
                            "quote_type must hold exactly one of forward and reverse")
        return None
    direction = directions[0]
    inner = section.section(direction)
    if inner is None:
        return None
    if direction == "forward":
        currency = inner.currency("receiver_currency")
        fees_included = inner.flag("fees_included", default=False)
        if currency is None or fees_included is None:
            return None
        return direction, currency, fees_included
    currency = inner.currency("sender_currency")
    return None if currency is None else (direction, currency, False)


def proposal_terms(terms: Terms) -> dict[str, Any]:
    """The priced members of a proposal, as a payment and a confirmation repeat them."""
    return {"fees_included": "true" if terms.fees_included else "false",
            "charged_amount": terms.charged.document(),
            "credited_amount": terms.credited.document(),
            "principal_amount": terms.principal.document(),
            "fees_amount": terms.fees.document(),
            "fx_rate": format(terms.fx_rate, "f")}


def create_quote(request: Request, store: Store) -> Reply:
    fields = request.document("quoterequest")
    transfer = read_transfer(fields)
    kind = _quote_type(fields, transfer)
    fields.problems.check()
    if transfer is None or kind is None:  # not reached: check() refused; keeps types exact
        raise Refusal.one(400, "quoterequest", INVALID_INPUT_VALUE, "incomplete quote request")
    direction, currency, fees_included = kind
    amount = transfer.payment_amount
    if direction == "forward":
        terms = price_forward(amount, currency, transfer.payment_type,
                              fees_included=fees_included)
        quote_type = {"forward": {"receiver_currency": currency.code,
                                  "fees_included": "true" if fees_included else "false"}}
    else:
        terms = price_reverse(amount, currency, transfer.payment_type)
        quote_type = {"reverse": {"sender_currency": currency.code}}
    if not terms.positive:
        raise Refusal.one(400, "payment_amount.amount", INVALID_INPUT_VALUE,
                          "payment_amount.amount is too small to cover the fees")
    proposal_id = new_id("pen")
    proposal = {"id": proposal_id, "proposal_id": proposal_id, "resource_type": "proposal",
                **proposal_terms(terms),
                "expiration_date": iso_timestamp(request.now + QUOTE_LIFETIME)}
    stored_terms = {**transfer.document(), "quote_type": quote_type}
    with store.transaction(write=True) as db:
        insert_proposal(db, request.partner_id, transfer.transaction_reference, request.now,
                        stored_terms, proposal)
    return Reply({"quote": {**transfer.document(), "quote_type": quote_type,
                            "proposals": {"proposal": [proposal]}}})
