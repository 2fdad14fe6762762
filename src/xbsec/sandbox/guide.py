"""The Endpoint Guide: what a corridor needs (TEG) and offers (BEG), JSON only (REF).

``GET /crossborder/endpoint-guide/specifications`` with the query parameters
``payment_type``, ``destination_payment_instrument``, ``destination_country`` (ISO 3166
alpha-3) and ``destination_currency`` (ISO 4217), all required, and the headers
``Partner-Ref-Id`` (the partner; there is none in the path) and ``Specification-Type``
(``TEG`` or ``BEG``). The answer is a JSON array of one specification::

    [{"paymentType", "destinationCountry", "destinationCurrency",
      "destinationPaymentInstrument",
      "technical": {"specialNotes", "lastUpdatedTime", "fields": [{"fieldName",
                    "mandatory": "M" | "O", "validationPattern", ...}]}}]     (TEG)
      "business": {"region", "supportedCustomerTypes", "deliveryTime", ...}}]  (BEG)

The sandbox's corridors (chosen, its own; Mastercard's are not public): a country of
``CORRIDORS`` in its own currency, or in USD or EUR. Any other corridor is 404
``RESOURCE_UNKNOWN`` with Source ``Endpoint``, as Mastercard answers an unsupported corridor.
"""

from __future__ import annotations

from typing import Any, Final

from xbsec.sandbox.business_errors import (
    INVALID_INPUT_VALUE,
    MISSING_REQUIRED_INPUT,
    RESOURCE_UNKNOWN,
    Refusal,
)
from xbsec.sandbox.rates import PAYMENT_TYPES
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.validation import Fields, Problems

__all__ = ["CORRIDORS", "INSTRUMENTS", "specifications"]

CORRIDORS: Final = {
    "ARE": "AED", "AUS": "AUD", "BGD": "BDT", "BRA": "BRL", "CAN": "CAD", "CHN": "CNY",
    "COL": "COP", "DEU": "EUR", "EGY": "EGP", "ESP": "EUR", "FRA": "EUR", "GBR": "GBP",
    "GHA": "GHS", "IDN": "IDR", "IND": "INR", "ITA": "EUR", "JPN": "JPY", "KEN": "KES",
    "LKA": "LKR", "MAR": "MAD", "MEX": "MXN", "NGA": "NGN", "NPL": "NPR", "PAK": "PKR",
    "PHL": "PHP", "POL": "PLN", "RWA": "RWF", "SEN": "XOF", "THA": "THB", "TUR": "TRY",
    "TZA": "TZS", "UGA": "UGX", "USA": "USD", "VNM": "VND", "ZAF": "ZAR",
}
"""Destination country -> its own currency, for the sandbox's corridors."""
INSTRUMENTS: Final = {
    "BANK": r"^ban:[A-Z0-9]{5,34}(;bic=[A-Z0-9]{8,11})?$",
    "BANKWIRE": r"^ban:[A-Z0-9]{5,34};bic=[A-Z0-9]{8,11}$",
    "CARD": r"^pan:\d{12,19}$",
    "EWALLET": r"^ewallet:\S{1,100}$",
    "MWALLET": r"^tel:\+\d{6,15}$",
    "CASH": r"^tel:\+\d{6,15}$",
}
"""Each destination instrument and the recipient_account_uri it takes."""
_SPECIFICATION_TYPES: Final = ("TEG", "BEG")
_UPDATED: Final = "2024-01-01T00:00:00-05:00"


def _field(name: str, mandatory: bool, pattern: str | None = None) -> dict[str, str]:
    entry = {"fieldName": name, "mandatory": "M" if mandatory else "O"}
    if pattern is not None:
        entry["validationPattern"] = pattern
    return entry


def _party(role: str, business: bool) -> list[dict[str, str]]:
    if business:
        return [_field(f"{role}.organization_name", True, r"^.{1,140}$")]
    return [_field(f"{role}.first_name", True, r"^.{1,140}$"),
            _field(f"{role}.last_name", True, r"^.{1,140}$"),
            _field(f"{role}.date_of_birth", role == "sender", r"^\d{4}-\d{2}-\d{2}$")]


def _technical(payment_type: str, instrument: str) -> dict[str, Any]:
    fields = [_field("recipient_account_uri", True, INSTRUMENTS[instrument]),
              *_party("sender", payment_type[0] in "BG"),
              *_party("recipient", payment_type[-1] == "B"),
              _field("sender.address.line1", True), _field("sender.address.country", True),
              _field("recipient.address.city", instrument == "CASH"),
              _field("purpose_of_payment", payment_type.startswith("B"))]
    return {"specialNotes": "Sandbox corridor: the fields a payment must carry.",
            "lastUpdatedTime": _UPDATED, "fields": fields}


def _business(country: str, instrument: str) -> dict[str, Any]:
    return {"region": "Sandbox", "supportedCustomerTypes": ["P", "B", "G"],
            "supportedFxModel": "FORWARD_AND_REVERSE", "recipientNotification": False,
            "flowTypes": ["P2P", "P2B", "B2P", "B2B", "G2P"],
            "channelReach": f"Every {instrument.lower()} endpoint of {country}",
            "deliveryTime": "Within 30 minutes", "notes": "Sandbox corridor.",
            "channels": instrument, "onFlyWalletCreation": "N", "restrictedFlows": []}


def specifications(request: Request, store: Store) -> Reply:
    problems = Problems()
    query = Fields({name: request.query_value(name, required=False) or ""
                    for name in ("payment_type", "destination_payment_instrument",
                                 "destination_country", "destination_currency")}, problems)
    payment_type = query.text("payment_type", choices=PAYMENT_TYPES)
    instrument = query.text("destination_payment_instrument", choices=INSTRUMENTS)
    country = query.country("destination_country")
    currency = query.currency("destination_currency")
    kind = request.headers.get("specification-type", "")
    if not kind:
        problems.add("Specification-Type", MISSING_REQUIRED_INPUT,
                     "the Specification-Type header is required")
    elif kind not in _SPECIFICATION_TYPES:
        problems.add("Specification-Type", INVALID_INPUT_VALUE,
                     "Specification-Type must be TEG or BEG")
    problems.check()
    if payment_type is None or instrument is None or country is None or currency is None:
        raise Refusal.one(400, "Query", INVALID_INPUT_VALUE, "incomplete query")  # not reached
    if country not in CORRIDORS or currency.code not in (CORRIDORS[country], "USD", "EUR"):
        raise Refusal.one(404, "Endpoint", RESOURCE_UNKNOWN,
                          f"no {payment_type} corridor to {instrument} in {country} "
                          f"({currency.code})")
    answer: dict[str, Any] = {"paymentType": payment_type, "destinationCountry": country,
                              "destinationCurrency": currency.code,
                              "destinationPaymentInstrument": instrument}
    if kind == "TEG":
        answer["technical"] = _technical(payment_type, instrument)
    else:
        answer["business"] = _business(country, instrument)
    return Reply([answer])
