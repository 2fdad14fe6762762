"""The FX choice of a quote (``quote_type``) or a one-shot payment (``fx_type``), and its
price.

Both read the same way (GEN Forward/Reverse)::

    {"forward": {"receiver_currency": "EUR", "fees_included": "false"}}
    {"reverse": {"sender_currency": "USD"}}

A forward transfer fixes what the sender sends (``payment_amount`` in the sender currency);
a reverse one what the recipient receives (``payment_amount`` in the receiver currency).
Without it, or forward without ``fees_included``, the transfer is forward with fees
included (GEN, REF's helper: Mastercard's default is ``fees_included=true``), in the
currency of ``payment_amount``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xbsec.sandbox.business_errors import INVALID_INPUT_VALUE, Refusal
from xbsec.sandbox.money import Currency
from xbsec.sandbox.rates import Terms, price_forward, price_reverse
from xbsec.sandbox.transfer import Transfer
from xbsec.sandbox.validation import Fields

__all__ = ["Fx", "price", "read_fx"]


@dataclass(frozen=True, slots=True)
class Fx:
    direction: str
    """``forward`` or ``reverse``."""
    currency: Currency
    """The receiver currency (forward) or the sender currency (reverse)."""
    fees_included: bool

    def document(self) -> dict[str, Any]:
        """As a payment answers it (GEN FxType: ``fees_included`` a string)."""
        if self.direction == "forward":
            return {"forward": {"fees_included": "true" if self.fees_included else "false",
                                "receiver_currency": self.currency.code}}
        return {"reverse": {"sender_currency": self.currency.code}}


def read_fx(fields: Fields, name: str, transfer: Transfer | None) -> Fx | None:
    """``quote_type`` or ``fx_type``; ``None`` (problems recorded) if it is wrong."""
    section = fields.section(name, required=False)
    if section is None:
        if fields.present(name) or transfer is None:
            return None
        return Fx("forward", transfer.payment_amount.currency, True)
    directions = [d for d in ("forward", "reverse") if section.present(d)]
    if len(directions) > 1:
        fields.problems.add(fields.source(name), INVALID_INPUT_VALUE,
                            f"{name} must hold one of forward and reverse, not both")
        return None
    if not directions:
        return None if transfer is None else Fx("forward", transfer.payment_amount.currency,
                                                True)
    inner = section.section(directions[0])
    if inner is None:
        return None
    if directions[0] == "forward":
        currency = (inner.currency("receiver_currency", required=False)
                    or (transfer.payment_amount.currency if transfer else None))
        fees_included = inner.flag("fees_included", default=True)
        if currency is None or fees_included is None:
            return None
        return Fx("forward", currency, fees_included)
    currency = inner.currency("sender_currency")
    return None if currency is None else Fx("reverse", currency, False)


def price(transfer: Transfer, fx: Fx, rate: Decimal | None = None) -> Terms:
    """The proposal's numbers; refused when the amount cannot cover the fees."""
    amount = transfer.payment_amount
    if fx.direction == "forward":
        terms = price_forward(amount, fx.currency, transfer.payment_type,
                              fees_included=fx.fees_included, rate=rate)
    else:
        terms = price_reverse(amount, fx.currency, transfer.payment_type, rate=rate)
    if not terms.positive:
        raise Refusal.one(400, "payment_amount.amount", INVALID_INPUT_VALUE,
                          "payment_amount.amount is too small to be sent")
    return terms
