"""Simulated FX rates and fees: the same request always gets the same numbers.

FX rate, for a sender currency ``S`` and a receiver currency ``R`` (``S != R``)::

    h      = first 8 bytes of SHA-256("S->R"), as a big-endian unsigned integer
    jitter = (h mod 401 - 200) / 10000                  # -2.00 % .. +2.00 %
    rate   = per_usd(R) / per_usd(S) * (1 + jitter)     # receiver units per sender unit

rounded half-even to 8 significant digits but at most 10 decimals (written without
trailing zeros); ``S == R``
gives exactly 1. ``per_usd`` is the
fixed nominal table of ``xbsec.sandbox.money``. The jitter makes each pair look like a rate
of its own (``S->R`` and ``R->S`` are not exact inverses, as with real spreads) while staying
a pure function of the pair.

Fees are a percentage of the amount by payment type, in the sender currency::

    fee = percent * base                                # rounded half-up to S's decimals

============  =======
payment_type  percent
============  =======
P2P           2.00 %
P2B           1.50 %
B2P           1.00 %
B2B           0.50 %
G2P           0.50 %
============  =======

A percentage only, so that any amount, however small, can be sent fees included (Mastercard's
reference app pays 200 INR from business to business, fees included).

Pricing a quote (``base`` is what the percentage applies to):

- forward, fees not included: ``principal = payment_amount`` (sender currency), ``base =
  principal``, ``charged = principal + fee``;
- forward, fees included: ``charged = payment_amount``, ``base = charged``, ``principal =
  charged - fee``;
- then ``credited = principal * rate``, rounded down to the receiver's decimals;
- reverse: ``credited = payment_amount`` (receiver currency), ``principal = credited /
  rate`` rounded *up* to the sender's decimals (the recipient gets at least the amount
  asked), ``base = principal``, ``charged = principal + fee``.

A principal or credited amount that is not positive is the caller's to refuse.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal
from typing import Final

from xbsec.sandbox.money import MONEY, Currency, Money

__all__ = ["FEE_SCHEDULE", "PAYMENT_TYPES", "Terms", "fee", "fx_rate", "price_forward",
           "price_reverse"]

_SIGNIFICANT_DIGITS: Final = 8
_MAX_DECIMALS: Final = 10
_JITTER_SPAN: Final = 401  # -200 .. +200 basis points

FEE_SCHEDULE: Final[dict[str, Decimal]] = {
    "P2P": Decimal("0.0200"),
    "P2B": Decimal("0.0150"),
    "B2P": Decimal("0.0100"),
    "B2B": Decimal("0.0050"),
    "G2P": Decimal("0.0050"),
}
PAYMENT_TYPES: Final = frozenset(FEE_SCHEDULE)


def fx_rate(sender: Currency, receiver: Currency) -> Decimal:
    """Receiver units per sender unit, by the formula in the module docstring."""
    if sender.code == receiver.code:
        return Decimal(1)
    digest = hashlib.sha256(f"{sender.code}->{receiver.code}".encode("ascii")).digest()
    basis_points = int.from_bytes(digest[:8], "big") % _JITTER_SPAN - _JITTER_SPAN // 2
    jitter = MONEY.divide(Decimal(basis_points), Decimal(10_000))
    nominal = MONEY.divide(receiver.per_usd, sender.per_usd)
    rate = MONEY.multiply(nominal, MONEY.add(Decimal(1), jitter))
    # Eight significant digits, at most ten decimals (the contract's FxRate).
    quantum = Decimal(1).scaleb(max(rate.adjusted() - (_SIGNIFICANT_DIGITS - 1),
                                    -_MAX_DECIMALS))
    # normalize() drops trailing zeros, so that 0.90261200 is written 0.902612.
    return rate.quantize(quantum, rounding=ROUND_HALF_EVEN, context=MONEY).normalize(MONEY)


def fee(payment_type: str, base: Money) -> Money:
    """The fee on ``base`` for ``payment_type``, in ``base``'s currency."""
    total = MONEY.multiply(FEE_SCHEDULE[payment_type], base.amount)
    return Money(base.currency.quantize(total), base.currency)


@dataclass(frozen=True, slots=True)
class Terms:
    """The numbers of one proposal."""

    fees_included: bool
    charged: Money
    """What the sender pays, fees included (sender currency)."""
    principal: Money
    """What is converted (sender currency)."""
    fees: Money
    credited: Money
    """What the recipient receives (receiver currency)."""
    fx_rate: Decimal

    @property
    def positive(self) -> bool:
        """Every amount above zero: a proposal that can be offered."""
        return self.principal.amount > 0 and self.credited.amount > 0


def price_forward(amount: Money, receiver: Currency, payment_type: str, *,
                  fees_included: bool, rate: Decimal | None = None) -> Terms:
    """A forward quote: ``amount`` is in the sender currency; ``rate`` if it is given
    (a carded rate), else ``fx_rate``."""
    sender = amount.currency
    rate = fx_rate(sender, receiver) if rate is None else rate
    if fees_included:
        charged = Money(sender.quantize(amount.amount), sender)
        fees = fee(payment_type, charged)
        principal = Money(MONEY.subtract(charged.amount, fees.amount), sender)
    else:
        principal = Money(sender.quantize(amount.amount), sender)
        fees = fee(payment_type, principal)
        charged = Money(MONEY.add(principal.amount, fees.amount), sender)
    credited = Money(receiver.quantize(MONEY.multiply(principal.amount, rate), ROUND_DOWN),
                     receiver)
    return Terms(fees_included, charged, principal, fees, credited, rate)


def price_reverse(amount: Money, sender: Currency, payment_type: str, *,
                  rate: Decimal | None = None) -> Terms:
    """A reverse quote: ``amount`` is what the recipient receives, in the receiver currency."""
    receiver = amount.currency
    rate = fx_rate(sender, receiver) if rate is None else rate
    credited = Money(receiver.quantize(amount.amount), receiver)
    principal = Money(sender.quantize(MONEY.divide(credited.amount, rate), ROUND_UP), sender)
    fees = fee(payment_type, principal)
    charged = Money(MONEY.add(principal.amount, fees.amount), sender)
    return Terms(False, charged, principal, fees, credited, rate)
