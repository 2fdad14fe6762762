"""The members a quote request and a payment request share, read once the contract has
checked their shapes.

============================  ==========================================================
``transaction_reference``     the partner's own reference, 1-40 characters
``sender_account_uri``        ``tel:``, ``ban:``, ``pan:``, ``ewallet:`` ... URI, <= 200
``recipient_account_uri``     the same
``payment_amount``            ``{"amount": "100.00", "currency": "USD"}``: an ISO 4217
                              currency, no more decimals than it has
``payment_origination_country``  three capital letters; only the shape is checked, as the
                              real API does (Mastercard's reference app sends ``"USD"``)
``payment_type``              ``P2P``, ``P2B``, ``B2P``, ``B2B`` or ``G2P``
============================  ==========================================================

The KYC members (``sender``, ``recipient``) are kept as given and echoed by the payment;
their countries (``nationality``, ``address.country``) must be ISO 3166-1 alpha-3 codes. A
payment names its parties as its type says (GEN Sender, Recipient): a person by
``first_name`` and ``last_name`` (the sender of P2P and P2B, the recipient of P2P, B2P and
G2P), an organization by ``organization_name`` (the others); a payment without them is
refused as Mastercard refuses an incomplete payment (``sender.first_name``
``MISSING_REQUIRED_INPUT``, 3P). ``require_parties`` checks that; the sandbox can be built
without the check (``create_sandbox_app(..., require_kyc=False)``), since the evidence for it
is a third party's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from xbsec.sandbox.business_errors import MISSING_REQUIRED_INPUT
from xbsec.sandbox.money import Money
from xbsec.sandbox.validation import Fields

__all__ = ["CANCELLABLE_SCHEMES", "Transfer", "check_parties", "read_transfer",
           "require_parties"]

CANCELLABLE_SCHEMES: Final = frozenset({"tel", "ewallet"})
"""Recipients whose payments can be cancelled while pending. chosen: Mastercard allows it
for cash-out and some mobile-money providers, not bank accounts or cards (GEN, REF's
README); cash-out and mobile money are addressed by phone number or wallet."""


@dataclass(frozen=True, slots=True)
class Transfer:
    transaction_reference: str
    sender_account_uri: str
    recipient_account_uri: str
    payment_amount: Money
    payment_origination_country: str
    payment_type: str

    def document(self) -> dict[str, Any]:
        return {"transaction_reference": self.transaction_reference,
                "sender_account_uri": self.sender_account_uri,
                "recipient_account_uri": self.recipient_account_uri,
                "payment_amount": self.payment_amount.document(),
                "payment_origination_country": self.payment_origination_country,
                "payment_type": self.payment_type}

    @property
    def cancellable(self) -> bool:
        return self.recipient_account_uri.split(":", 1)[0].lower() in CANCELLABLE_SCHEMES


def read_transfer(fields: Fields) -> Transfer | None:
    """The shared members; ``None`` (with the problems recorded) if any is wrong."""
    reference = fields.text("transaction_reference")
    sender = fields.text("sender_account_uri")
    recipient = fields.text("recipient_account_uri")
    amount = fields.money("payment_amount")
    country = fields.text("payment_origination_country")
    payment_type = fields.text("payment_type")
    if (reference is None or sender is None or recipient is None or amount is None
            or country is None or payment_type is None):
        return None
    return Transfer(reference, sender, recipient, amount, country, payment_type)


def check_parties(fields: Fields) -> None:
    """Record a problem for each KYC country that is not an ISO 3166-1 country."""
    for role in ("sender", "recipient"):
        party = fields.section(role, required=False)
        if party is None:
            continue
        party.country("nationality", required=False)
        address = party.section("address", required=False)
        if address is not None:
            address.country("country", required=False)


def _party_members(role: str, payment_type: str) -> tuple[str, ...]:
    person = payment_type[0] == "P" if role == "sender" else payment_type[-1] == "P"
    return ("first_name", "last_name") if person else ("organization_name",)


def require_parties(fields: Fields, payment_type: str) -> None:
    """Record a ``MISSING_REQUIRED_INPUT`` for each party member ``payment_type`` needs."""
    for role in ("sender", "recipient"):
        party = fields.section(role, required=False)
        for member in _party_members(role, payment_type):
            if party is None or not party.present(member):
                fields.problems.add(f"{role}.{member}", MISSING_REQUIRED_INPUT,
                                    f"{role}.{member} is required for a {payment_type} payment")
