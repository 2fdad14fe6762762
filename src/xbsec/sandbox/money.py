"""Currencies and amounts: ``decimal.Decimal`` everywhere, never a float.

The sandbox knows every active currency of ISO 4217 (the ``iso4217`` package's table, which
follows the standard's published list), each with its minor-unit exponent (JPY 0, USD 2,
KWD 3). Codes without a minor unit (gold, SDR, the testing code XTS, ...) are not money a
transfer can carry and are left out.

Each currency also has a *nominal* value in units per US dollar, from which
``xbsec.sandbox.rates`` derives its rates. ``NOMINAL_PER_USD`` holds round figures for the
currencies seen most in cross-border corridors; every other currency gets a value derived
from its code (a pure function, so it never changes). None of this is market data: it only
has to be plausible and reproducible.

Amounts travel as decimal strings (``"100.00"``); an amount is written with exactly its
currency's number of decimals.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Final

from iso4217 import Currency as _Iso4217

__all__ = ["CURRENCIES", "MONEY", "NOMINAL_PER_USD", "Currency", "Money", "parse_amount"]

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


NOMINAL_PER_USD: Final = {
    "AED": "3.6725", "ARS": "350", "AUD": "1.52", "BDT": "110", "BHD": "0.376", "BRL": "5.0",
    "CAD": "1.36", "CHF": "0.88", "CLP": "900", "CNY": "7.2", "COP": "4000", "CZK": "23",
    "DKK": "6.9", "EGP": "31", "EUR": "0.92", "GBP": "0.79", "GHS": "12.0", "HKD": "7.8",
    "HUF": "360", "IDR": "15500", "ILS": "3.8", "INR": "83.0", "JOD": "0.709", "JPY": "150",
    "KES": "130", "KRW": "1330", "KWD": "0.31", "LKR": "320", "MAD": "10.1", "MXN": "17.0",
    "MYR": "4.7", "NGN": "1500", "NOK": "10.8", "NPR": "133", "NZD": "1.68", "OMR": "0.385",
    "PEN": "3.75", "PHP": "56.0", "PKR": "280", "PLN": "4.0", "QAR": "3.64", "RON": "4.6",
    "RWF": "1250", "SAR": "3.75", "SEK": "10.5", "SGD": "1.35", "THB": "35.5", "TND": "3.1",
    "TRY": "29", "TZS": "2500", "UGX": "3750", "USD": "1", "VND": "24500", "XAF": "605",
    "XOF": "605", "ZAR": "18.5",
}
"""Round nominal values for common corridor currencies; others are derived (see below)."""


def _derived_per_usd(code: str) -> Decimal:
    # 1 to 9.99 times a power of ten from 10^0 to 10^3, picked by the code's digest.
    digest = int.from_bytes(hashlib.sha256(code.encode("ascii")).digest()[:8], "big")
    mantissa = Decimal(100 + digest % 900) / Decimal(100)
    return MONEY.multiply(mantissa, Decimal(10) ** (digest // 900 % 4))


def _table() -> dict[str, Currency]:
    table: dict[str, Currency] = {}
    for entry in _Iso4217:
        if entry.exponent is None:
            continue
        nominal = NOMINAL_PER_USD.get(entry.code)
        table[entry.code] = Currency(entry.code, entry.exponent,
                                     Decimal(nominal) if nominal else _derived_per_usd(entry.code))
    return dict(sorted(table.items()))


CURRENCIES: Final = _table()
"""Every ISO 4217 currency with a minor unit, by code."""


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
