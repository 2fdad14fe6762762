"""IBAN arithmetic (ISO 13616): check digits, validation, and lengths by country.

The check digits make ``BBAN + country + check digits``, letters written as numbers (A=10 ..
Z=35), equal to 1 modulo 97. The sandbox knows the lengths of the IBANs of
``IBAN_LENGTHS``; other countries are reported as unsupported.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["IBAN_LENGTHS", "check_digits", "iban_problem", "normalise"]

IBAN_LENGTHS: Final = {
    "AD": 24, "AE": 23, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
    "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27,
    "HR": 21, "HU": 28, "IE": 22, "IT": 27, "LT": 20, "LU": 20, "LV": 21, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SA": 24, "SE": 24, "SI": 19,
    "SK": 24, "TR": 26,
}
_SHAPE: Final = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+")


def normalise(text: str) -> str:
    """Upper case, without the spaces of the printed form."""
    return text.replace(" ", "").upper()


def _mod97(text: str) -> int:
    return int("".join(str(int(c, 36)) for c in text)) % 97


def check_digits(country: str, bban: str) -> str:
    """The two check digits of the IBAN of ``bban`` in ``country`` (both upper case)."""
    return f"{98 - _mod97(bban + country + '00'):02d}"


def iban_problem(iban: str) -> str | None:
    """Why a normalised IBAN is not valid (a short code), or ``None`` when it is."""
    if not _SHAPE.fullmatch(iban):
        return "FORMAT"
    country = iban[:2]
    if country not in IBAN_LENGTHS:
        return "UNSUPPORTED_COUNTRY"
    if len(iban) != IBAN_LENGTHS[country]:
        return "LENGTH_FOR_COUNTRY"
    if _mod97(iban[4:] + iban[:4]) != 1:
        return "CHECKSUM"
    return None
