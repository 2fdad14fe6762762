"""Documents for the end-to-end flows, and a recorder of what went over the wire."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.sandbox.samples import KYC, quote_request

__all__ = ["Wire", "new_reference", "payment_for", "proposal_id", "quote_for"]


def new_reference() -> str:
    """A transaction reference no other test uses (the sandbox refuses a repeated one)."""
    return "E2E-" + uuid.uuid4().hex[:24]


MOBILE = "tel:+254700000001"
"""A mobile-money recipient: its payments can be cancelled while pending."""


def quote_for(reference: str, **changes: Any) -> dict[str, Any]:
    changes.setdefault("recipient_account_uri", MOBILE)
    return quote_request(transaction_reference=reference, **changes)


def payment_for(reference: str, proposal: str, **changes: Any) -> dict[str, Any]:
    """A payment with a quote as Mastercard's reference app makes it: a reference, the
    proposal and the parties (KYC)."""
    return {"paymentrequest": {"transaction_reference": reference, "proposal_id": proposal,
                               **KYC, **changes}}


def proposal_id(quote: Any) -> str:
    """The first proposal's id (an XML answer with one proposal has no list)."""
    proposals = quote["proposals"]["proposal"]
    first = proposals[0] if isinstance(proposals, list) else proposals
    return str(first["id"])


class Wire:
    """Every response an ``httpx.Client`` received, read, with the request it answered."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def client(self, **options: Any) -> httpx.Client:
        options.setdefault("timeout", 20)
        return httpx.Client(event_hooks={"response": [self._record]}, **options)

    def _record(self, response: httpx.Response) -> None:
        response.read()
        self.responses.append(response)
