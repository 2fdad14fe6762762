"""The members a quote request and a payment request share, read and checked once.

============================  ==========================================================
``transaction_reference``     1-40 of ``A-Z a-z 0-9 . _ -``; the partner's own reference
``sender_account_uri``        ``tel:``, ``ban:``, ``pan:`` or ``ewallet:`` URI, <= 300
``recipient_account_uri``     the same
``payment_amount``            ``{"amount": "100.00", "currency": "USD"}``
``payment_origination_country``  ISO 3166 alpha-3 (``USA``)
``payment_type``              ``P2P``, ``P2B``, ``B2P``, ``B2B`` or ``G2P``
============================  ==========================================================

Other members (``sender``, ``recipient``, ``purpose_of_payment``, ...) are accepted and not
checked: the sandbox prices and pays on the ones above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from xbsec.sandbox.money import Money
from xbsec.sandbox.rates import PAYMENT_TYPES
from xbsec.sandbox.validation import Fields

__all__ = ["REFERENCE", "Transfer", "read_transfer"]

REFERENCE: Final = re.compile(r"[A-Za-z0-9._-]{1,40}")
_ACCOUNT_URI: Final = re.compile(r"(?:tel|ban|pan|ewallet):\S+")
_COUNTRY: Final = re.compile(r"[A-Z]{3}")


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


def read_transfer(fields: Fields) -> Transfer | None:
    """The shared members; ``None`` (with the problems recorded) if any is wrong."""
    reference = fields.text("transaction_reference", max_length=40, pattern=REFERENCE)
    sender = fields.text("sender_account_uri", max_length=300, pattern=_ACCOUNT_URI)
    recipient = fields.text("recipient_account_uri", max_length=300, pattern=_ACCOUNT_URI)
    amount = fields.money("payment_amount")
    country = fields.text("payment_origination_country", min_length=3, max_length=3,
                          pattern=_COUNTRY)
    payment_type = fields.text("payment_type", choices=PAYMENT_TYPES)
    if (reference is None or sender is None or recipient is None or amount is None
            or country is None or payment_type is None):
        return None
    return Transfer(reference, sender, recipient, amount, country, payment_type)
