"""Bank account validation (BAV), JSON only, in the shapes of Mastercard's BAV API (REF).

=============================  ====================================================================
POST .../accounts/generate-ibans  ``{"accountUri": {"type": "ban", "value"}, "country": "ITA",
                               "branchCode", "accountNo"}`` -> ``{"ibanDetails": {"accounts":
                               {"account": [{"type": "IBAN", "value"}]}, "bank": {...}}}``
POST .../accounts/validations  ``{"requestType": "IVS" | "CES" | "ASV", "accountUri": {"type",
                               "value"}, "accountDetails": {...}}`` -> ``{"refId", "status",
                               "message", "accountMatch" | "receivingEligibility"}``
POST .../banks/details         ``{"bank": {"name", "branchName", "country", "bic": {"type",
                               "value"}, "address": {...}}}`` -> ``{"bankInfo": {"total",
                               "banks": {"bankData": [...]}}}``
=============================  ====================================================================

Validation is one endpoint for three services, chosen by ``requestType`` or, without it, by
the account's type: IBAN validation (``IVS``, an ``IBAN``), card eligibility (``CES``, a
``PAN``) and account status verification (``ASV``, a ``BAN``). A well-formed account that
fails is a *result* (200, ``status`` ``FAILURE``), not a refusal; garbled input is a 400 with
a dotted camelCase Source (``accountUri.value``, FIDELITY §5.8).

Triggers: an IBAN whose check digits are wrong fails; a card number ending ``0000`` is not
eligible; an account number ending ``0000`` is closed (``FAILURE``); a bank lookup whose
BIC value or name starts with ``ZZZZ`` finds no bank (``total`` 0). The sandbox knows no
real bank: names, addresses and routing numbers are made from the input.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

from xbsec.sandbox.business_errors import INVALID_INPUT_LENGTH, INVALID_INPUT_VALUE, Refusal
from xbsec.sandbox.countries import alpha2, is_country
from xbsec.sandbox.iban import IBAN_LENGTHS, check_digits, iban_problem, normalise
from xbsec.sandbox.identifiers import new_uuid
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store

__all__ = ["UNKNOWN_BANK", "bank_details", "generate_ibans", "validate_account"]

UNKNOWN_BANK: Final = "ZZZZ"
_SERVICE_BY_TYPE: Final = {"IBAN": "IVS", "PAN": "CES", "BAN": "ASV"}
_IBAN_FAILURES: Final = {
    "FORMAT": "The IBAN is not well formed",
    "UNSUPPORTED_COUNTRY": "The IBAN's country does not use IBANs",
    "LENGTH_FOR_COUNTRY": "The IBAN's length is wrong for its country",
    "CHECKSUM": "The IBAN's check digits are wrong",
}


def _letters(text: str, count: int) -> str:
    """``count`` capital letters made from ``text`` (a digit d becomes the d-th letter)."""
    digest = hashlib.sha256(text.encode()).hexdigest().upper()
    return "".join(c if c.isalpha() else chr(ord("A") + int(c)) for c in digest)[:count]


def _bank(country2: str, key: str, branch_code: str | None = None) -> dict[str, Any]:
    code = _letters(key, 4)
    bank: dict[str, Any] = {"bic": {"type": "BIC", "value": f"{code}{country2}2X"},
                            "name": f"Sandbox Bank {code}", "branchName": "Main branch",
                            "address": {"line1": "1 Sandbox Street", "city": "Sandbox City",
                                        "postalCode": "00001", "country": country2}}
    if branch_code:
        bank["branchCode"] = branch_code
    return bank


def generate_ibans(request: Request, store: Store) -> Reply:
    document = request.validated()
    country = document["country"]
    country2 = alpha2(country)
    if country2 is None or country2 not in IBAN_LENGTHS:
        raise Refusal.one(400, "country", INVALID_INPUT_VALUE,
                          f"{country} is not a country whose accounts have IBANs")
    account = document["accountUri"]["value"]
    bban = "".join(c for c in account.upper() if c.isalnum())
    length = IBAN_LENGTHS[country2] - 4
    if len(bban) > length:
        raise Refusal.one(400, "accountUri.value", INVALID_INPUT_LENGTH,
                          f"a {country} account has at most {length} characters")
    # chosen: a shorter domestic number is padded with zeros on the left, as account
    # numbers are; the sandbox does not compute national check characters (Italy's CIN).
    bban = bban.rjust(length, "0")
    iban = country2 + check_digits(country2, bban) + bban
    return Reply({"ibanDetails": {
        "accounts": {"account": [{"type": "IBAN", "value": iban}]},
        "bank": _bank(country2, bban[:length // 2], document.get("branchCode"))}})


def _luhn(digits: str) -> bool:
    total = 0
    for index, character in enumerate(reversed(digits)):
        value = int(character) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _iban_validation(value: str) -> dict[str, Any]:
    iban = normalise(value)
    problem = iban_problem(iban)
    if problem is not None:
        return {"status": "FAILURE", "message": _IBAN_FAILURES[problem]}
    return {"status": "SUCCESS", "message": "The IBAN is valid",
            "accountMatch": {"accounts": {"account": [{"type": "IBAN", "value": iban}]},
                             "bank": _bank(iban[:2], iban[4:8])}}


def _card_eligibility(value: str) -> dict[str, Any]:
    if not value.isdigit() or not 12 <= len(value) <= 19 or not _luhn(value):
        raise Refusal.one(400, "accountUri.value", INVALID_INPUT_VALUE,
                          "accountUri.value is not a card number")
    eligible = not value.endswith("0000")
    system = {"4": "VISA", "5": "MASTERCARD", "2": "MASTERCARD"}.get(value[0], "OTHER")
    return {"status": "SUCCESS",
            "message": "The card can receive cross-border payments" if eligible
            else "The card cannot receive cross-border payments",
            "receivingEligibility": {
                "crossBorder": {"eligible": "Y" if eligible else "N",
                                "fasterFunds": "Y" if eligible else "N"},
                "paymentSystem": system, "product": "DEBIT",
                "status": "ELIGIBLE" if eligible else "INELIGIBLE"}}


def _account_status(value: str, details: Any) -> dict[str, Any]:
    if value.endswith("0000"):
        return {"status": "FAILURE", "message": "The account is closed"}
    bic = details.get("bic") if isinstance(details, dict) else None
    bank: dict[str, Any] = {"name": f"Sandbox Bank {_letters(value, 4)}"}
    if isinstance(bic, dict):
        bank["bic"] = {"type": bic["type"], "value": bic["value"]}
    return {"status": "SUCCESS", "message": "The account is active",
            "accountMatch": {"accounts": {"account": [{"type": "BAN", "value": value}]},
                             "bank": bank}}


def validate_account(request: Request, store: Store) -> Reply:
    document = request.validated()
    uri = document["accountUri"]
    kind, value = uri["type"].upper(), uri["value"]
    service = document.get("requestType") or _SERVICE_BY_TYPE[kind]
    if _SERVICE_BY_TYPE[kind] != service:
        raise Refusal.one(400, "accountUri.type", INVALID_INPUT_VALUE,
                          f"requestType {service} takes an account of type "
                          f"{next(k for k, v in _SERVICE_BY_TYPE.items() if v == service)}")
    if service == "IVS":
        result = _iban_validation(value)
    elif service == "CES":
        result = _card_eligibility(value)
    else:
        result = _account_status(value, document.get("accountDetails"))
    return Reply({"refId": new_uuid(), **result})


def bank_details(request: Request, store: Store) -> Reply:
    bank = request.validated()["bank"]
    country = bank["country"]
    if not is_country(country):
        raise Refusal.one(400, "bank.country", INVALID_INPUT_VALUE,
                          f"{country} is not an ISO 3166-1 alpha-3 country")
    bic = bank.get("bic") or {}
    name = bank.get("name") or ""
    key = str(bic.get("value") or name or country)
    if key.upper().startswith(UNKNOWN_BANK) or name.upper().startswith(UNKNOWN_BANK):
        return Reply({"bankInfo": {"total": 0, "banks": {"bankData": []}}})
    country2 = alpha2(country) or country[:2]
    code = _letters(key, 4)
    address = bank.get("address") or {}
    routing = "".join(c for c in hashlib.sha256(key.encode()).hexdigest() if c.isdigit())[:9]
    bics = [{"type": "SWIFT", "value": f"{code}{country2}2X",
             "ach": {"enabled": True, "preferredRoutingNumber": routing.ljust(9, "0")},
             "wire": {"enabled": True, "preferredRoutingNumber": routing.ljust(9, "0")}}]
    if bic.get("type") and bic.get("value") and bic["type"] != "SWIFT":
        bics.append({"type": bic["type"], "value": bic["value"]})
    found = {"bics": bics, "name": name or f"Sandbox Bank {code}",
             "branchName": bank.get("branchName") or "Main branch",
             "address": {"line1": "1 Sandbox Street",
                         "city": address.get("city") or "Sandbox City",
                         **({"countrySubdivision": address["countrySubdivision"]}
                            if address.get("countrySubdivision") else {}),
                         "postalCode": address.get("postalCode") or "00001",
                         "country": country},
             "sanctionDetails": {"eu": False, "hmt": False, "ofac": False, "un": False},
             "localDetails": []}
    return Reply({"bankInfo": {"total": 1, "banks": {"bankData": [found]}}})
