"""The Endpoint Guide: which fields a transfer needs, or which banks it reaches (JSON only).

``GET /crossborder/endpoint-guide/specifications`` with the query parameters
``payment_type`` (``P2P`` ...), ``destination_payment_instrument`` (``BANK``, ``CARD``,
``MOBILE``, ``CASH``), ``destination_country`` (ISO alpha-3) and ``destination_currency``,
all required, and the headers ``Partner-Ref-Id`` (the partner; there is none in the path)
and ``Specification-Type``:

- ``TEG`` (transaction endpoint guide): ``{"specifications": {<the query>,
  "specification_type": "TEG", "fields": [{"name", "requirement": "MANDATORY" |
  "OPTIONAL", ["max_length"], ["format"]}]}}``;
- ``BEG`` (bank endpoint guide, ``BANK`` only): ``{"specifications": {<the query>,
  "specification_type": "BEG", "banks": [{"bank_code", "bank_name"}]}}``.

The content is fixed by the parameters: the sandbox describes a plausible shape, not any
real corridor.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Final

from xbsec.sandbox.business_errors import (
    INVALID_INPUT_VALUE,
    MISSING_REQUIRED_INPUT,
    Refusal,
)
from xbsec.sandbox.rates import PAYMENT_TYPES
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.validation import Fields, Problems

__all__ = ["INSTRUMENTS", "specifications"]

INSTRUMENTS: Final = {
    "BANK": "ban:{account number or IBAN};bic={BIC}",
    "CARD": "pan:{card number}",
    "MOBILE": "tel:{E.164 number}",
    "CASH": "tel:{E.164 number of the recipient}",
}
_COUNTRY: Final = re.compile(r"[A-Z]{3}")
_SPECIFICATION_TYPES: Final = ("TEG", "BEG")


def _field(name: str, mandatory: bool, max_length: int | None = None,
           fmt: str | None = None) -> dict[str, str]:
    entry = {"name": name, "requirement": "MANDATORY" if mandatory else "OPTIONAL"}
    if max_length is not None:
        entry["max_length"] = str(max_length)
    if fmt is not None:
        entry["format"] = fmt
    return entry


def _party(role: str, business: bool) -> list[dict[str, str]]:
    if business:
        return [_field(f"{role}.organization_name", True, 140)]
    return [_field(f"{role}.first_name", True, 35), _field(f"{role}.last_name", True, 35),
            _field(f"{role}.date_of_birth", role == "sender", fmt="YYYY-MM-DD")]


def _fields(payment_type: str, instrument: str) -> list[dict[str, str]]:
    return [_field("transaction_reference", True, 40),
            _field("sender_account_uri", True, 300),
            _field("recipient_account_uri", True, 300, INSTRUMENTS[instrument]),
            _field("payment_amount.amount", True, 19),
            _field("payment_amount.currency", True, 3),
            _field("payment_origination_country", True, 3),
            *_party("sender", payment_type[0] in "BG"),
            *_party("recipient", payment_type[-1] == "B"),
            _field("recipient.address.city", instrument == "CASH", 35),
            _field("purpose_of_payment", payment_type.startswith("B"), 35)]


def _banks(country: str) -> list[dict[str, str]]:
    digest = hashlib.sha256(country.encode("ascii")).hexdigest().upper()
    codes = [re.sub(r"[0-9]", lambda m: chr(ord("A") + int(m.group())), digest[i:i + 4])
             for i in range(0, 12, 4)]
    return [{"bank_code": code, "bank_name": f"Sandbox Bank {code} ({country})"}
            for code in codes]


def specifications(request: Request, store: Store) -> Reply:
    problems = Problems()
    query = Fields({name: request.query_value(name, required=False) or ""
                    for name in ("payment_type", "destination_payment_instrument",
                                 "destination_country", "destination_currency")}, problems)
    payment_type = query.text("payment_type", choices=PAYMENT_TYPES)
    instrument = query.text("destination_payment_instrument", choices=INSTRUMENTS)
    country = query.text("destination_country", min_length=3, max_length=3, pattern=_COUNTRY)
    currency = query.currency("destination_currency")
    kind = request.headers.get("specification-type", "")
    if not kind:
        problems.add("Specification-Type", MISSING_REQUIRED_INPUT,
                     "the Specification-Type header is required")
    elif kind not in _SPECIFICATION_TYPES:
        problems.add("Specification-Type", INVALID_INPUT_VALUE,
                     "Specification-Type must be TEG or BEG")
    elif kind == "BEG" and instrument is not None and instrument != "BANK":
        problems.add("destination_payment_instrument", INVALID_INPUT_VALUE,
                     "the bank endpoint guide (BEG) covers BANK only")
    problems.check()
    if payment_type is None or instrument is None or country is None or currency is None:
        raise Refusal.one(400, "Query", INVALID_INPUT_VALUE, "incomplete query")  # not reached
    answer: dict[str, Any] = {"specification_type": kind, "payment_type": payment_type,
                              "destination_payment_instrument": instrument,
                              "destination_country": country,
                              "destination_currency": currency.code}
    if kind == "TEG":
        answer["fields"] = _fields(payment_type, instrument)
    else:
        answer["banks"] = _banks(country)
    return Reply({"specifications": answer})
