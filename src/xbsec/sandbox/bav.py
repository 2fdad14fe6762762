"""Bank account validation (BAV): validate an IBAN, generate one, look up a bank (JSON only).

==========================================  ==================================================
POST .../accounts/validations               ``{"accountvalidation": {"iban", ["bic"],
                                            ["account_holder_name"]}}`` -> the same root
                                            with ``"status": "VALID" | "INVALID"``, and
                                            ``"reason"`` when invalid: ``FORMAT``,
                                            ``UNSUPPORTED_COUNTRY``, ``LENGTH_FOR_COUNTRY``,
                                            ``CHECKSUM``, ``BIC_COUNTRY_MISMATCH``
POST .../accounts/generate-ibans            ``{"ibangeneration": {"country": "DE", "bban"}}``
                                            -> the same root with ``"iban"``
POST .../banks/details                      ``{"bankdetails": {"bic"}}`` or ``{"iban"}`` ->
                                            ``{"bankdetails": {"bic", "bank_code",
                                            "bank_name", "country", "city", "branch"}}``
==========================================  ==================================================

An IBAN that is well formed but wrong is a *result* (200, ``INVALID``), not a refusal: that
is what the validation API is for. A missing, over-long or garbled input is a 400. The
sandbox knows no real bank: names are made from the BIC. A BIC whose bank code is ``ZZZZ``
is the documented unknown bank (404 ``RESOURCE_UNKNOWN``).
"""

from __future__ import annotations

import re
from typing import Any, Final

from xbsec.sandbox.business_errors import (
    INVALID_INPUT_LENGTH,
    INVALID_INPUT_VALUE,
    RESOURCE_UNKNOWN,
    Refusal,
)
from xbsec.sandbox.iban import IBAN_LENGTHS, check_digits, iban_problem, normalise
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.validation import Fields

__all__ = ["bank_details", "generate_iban", "validate_account"]

_IBAN_TEXT: Final = re.compile(r"[A-Za-z0-9 ]+")
_BIC: Final = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_BBAN: Final = re.compile(r"[A-Z0-9]+")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
UNKNOWN_BANK_CODE: Final = "ZZZZ"


def _iban(fields: Fields, *, required: bool = True) -> str | None:
    text = fields.text("iban", required=required, min_length=15, max_length=42,
                       pattern=_IBAN_TEXT)
    if text is None:
        return None
    iban = normalise(text)
    if not 15 <= len(iban) <= 34:
        fields.problems.add(fields.source("iban"), INVALID_INPUT_LENGTH,
                            "iban must be 15 to 34 characters long (spaces aside)")
        return None
    return iban


def _bic(fields: Fields, *, required: bool) -> str | None:
    return fields.text("bic", required=required, min_length=8, max_length=11, pattern=_BIC)


def validate_account(request: Request, store: Store) -> Reply:
    fields = request.document("accountvalidation")
    iban = _iban(fields)
    bic = _bic(fields, required=False)
    holder = fields.text("account_holder_name", required=False, max_length=140)
    fields.problems.check()
    if iban is None:  # not reached: check() refused
        raise Refusal.one(400, "iban", INVALID_INPUT_VALUE, "iban is required")
    reason = iban_problem(iban)
    if reason is None and bic is not None and bic[4:6] != iban[:2]:
        reason = "BIC_COUNTRY_MISMATCH"
    result: dict[str, Any] = {"iban": iban}
    if bic is not None:
        result["bic"] = bic
    if holder is not None:
        result["account_holder_name"] = holder
    result["status"] = "VALID" if reason is None else "INVALID"
    if reason is not None:
        result["reason"] = reason
    return Reply({"accountvalidation": result})


def generate_iban(request: Request, store: Store) -> Reply:
    fields = request.document("ibangeneration")
    country = fields.text("country", min_length=2, max_length=2, pattern=_COUNTRY,
                          choices=IBAN_LENGTHS)
    bban = fields.text("bban", max_length=30, pattern=_BBAN)
    if country is not None and bban is not None and len(bban) != IBAN_LENGTHS[country] - 4:
        fields.problems.add("bban", INVALID_INPUT_LENGTH,
                            f"a {country} bban has {IBAN_LENGTHS[country] - 4} characters")
    fields.problems.check()
    if country is None or bban is None:  # not reached: check() refused
        raise Refusal.one(400, "ibangeneration", INVALID_INPUT_VALUE, "incomplete request")
    return Reply({"ibangeneration": {"country": country, "bban": bban,
                                     "iban": country + check_digits(country, bban) + bban}})


def _bank(bic: str) -> dict[str, str]:
    bank_code, country, location = bic[:4], bic[4:6], bic[6:8]
    if bank_code == UNKNOWN_BANK_CODE:
        raise Refusal.one(404, "bic", RESOURCE_UNKNOWN, "no bank with this BIC")
    return {"bic": bic, "bank_code": bank_code, "bank_name": f"Sandbox Bank {bank_code}",
            "country": country, "city": f"Sandbox City {location}",
            "branch": bic[8:] if len(bic) == 11 else "XXX"}


def bank_details(request: Request, store: Store) -> Reply:
    fields = request.document("bankdetails")
    if fields.present("bic") == fields.present("iban"):
        raise Refusal.one(400, "bankdetails", INVALID_INPUT_VALUE,
                          "give exactly one of bic and iban")
    if fields.present("bic"):
        bic = _bic(fields, required=True)
        fields.problems.check()
        if bic is None:  # not reached: check() refused
            raise Refusal.one(400, "bic", INVALID_INPUT_VALUE, "bic is required")
        return Reply({"bankdetails": _bank(bic)})
    iban = _iban(fields)
    fields.problems.check()
    if iban is None:  # not reached: check() refused
        raise Refusal.one(400, "iban", INVALID_INPUT_VALUE, "iban is required")
    if iban_problem(iban) is not None:
        raise Refusal.one(400, "iban", INVALID_INPUT_VALUE, "iban is not a valid IBAN")
    # An IBAN names its bank by the first characters of its BBAN in most countries; a
    # digit becomes a letter (0 -> A, ..., 9 -> J), since a BIC's bank code is letters.
    bank_code = "".join(c if c.isalpha() else chr(ord("A") + int(c)) for c in iban[4:8])
    return Reply({"bankdetails": {**_bank(f"{bank_code}{iban[:2]}XXXXX"), "iban": iban}})
