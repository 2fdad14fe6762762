"""Currencies and amounts: ``decimal.Decimal`` everywhere, never a float.

Each currency the sandbox knows has its ISO 4217 minor-unit exponent (JPY 0, USD 2, KWD 3)
and a *nominal* value in units per US dollar. The nominal values are fixed, round figures
chosen so that simulated rates look plausible; they are not market data and never change,
which is what keeps the sandbox's numbers reproducible (see ``xbsec.sandbox.rates``).

Amounts travel as decimal strings (``"100.00"``); an amount is written with exactly its
currency's number of decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Final

__all__ = ["CURRENCIES", "MONEY", "Currency", "Money", "parse_amount"]

MONEY: Final = Context(prec=34)
"""One decimal context for every computation, so the global context never matters."""


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    exponent: int
    per_usd: Decimal
    """Nominal units of this currency per US dollar (fixed; not market data)."""

    @property
    def quantum(self) -> Decimal:
        """The smallest unit, ``Decimal("0.01")`` for an exponent of 2."""
        return Decimal(1).scaleb(-self.exponent)

    def quantize(self, value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
        return value.quantize(self.quantum, rounding=rounding, context=MONEY)


def _table(*rows: tuple[str, int, str]) -> dict[str, Currency]:
    return {code: Currency(code, exponent, Decimal(per_usd)) for code, exponent, per_usd in rows}


CURRENCIES: Final = _table(
    ("AED", 2, "3.6725"), ("AUD", 2, "1.52"), ("BHD", 3, "0.376"), ("BRL", 2, "5.0"),
    ("CAD", 2, "1.36"), ("CHF", 2, "0.88"), ("CLP", 0, "900"), ("CNY", 2, "7.2"),
    ("EUR", 2, "0.92"), ("GBP", 2, "0.79"), ("GHS", 2, "12.0"), ("HKD", 2, "7.8"),
    ("IDR", 2, "15500"), ("INR", 2, "83.0"), ("JOD", 3, "0.709"), ("JPY", 0, "150"),
    ("KES", 2, "130"), ("KRW", 0, "1330"), ("KWD", 3, "0.31"), ("MXN", 2, "17.0"),
    ("NGN", 2, "1500"), ("PHP", 2, "56.0"), ("PKR", 2, "280"), ("PLN", 2, "4.0"),
    ("SEK", 2, "10.5"), ("SGD", 2, "1.35"), ("TND", 3, "3.1"), ("USD", 2, "1"),
    ("VND", 0, "24500"), ("ZAR", 2, "18.5"),
)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: Currency

    def document(self) -> dict[str, str]:
        """``{"amount": "100.00", "currency": "USD"}``: exactly the currency's decimals."""
        return {"amount": format(self.currency.quantize(self.amount), "f"),
                "currency": self.currency.code}


def parse_amount(text: str) -> Decimal | None:
    """A plain decimal string (``"100"``, ``"100.5"``) as a ``Decimal``; ``None`` otherwise.

    No sign, exponent, spaces, ``NaN`` or ``Infinity``: what XBS documents carry.
    """
    if not text or not all(c.isascii() and (c.isdigit() or c == ".") for c in text):
        return None
    whole, dot, fraction = text.partition(".")
    if not whole or (dot and not fraction) or "." in fraction:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the shape above is always a Decimal
        return None
