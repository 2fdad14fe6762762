"""Address Validation: an address put in its country's structure (JSON only, DOC).

``POST /send/address-validation-service/addresses/validations`` with ``{"address":
{"line1", "line2", "line3", "city", "countrySubdivision", "postalCode", "country"}}`` ->
``{"address": {...}}``: the same address, its white space collapsed, its city in title
case and its postal code and subdivision in capitals. The API keeps no state and names no
partner (there is none in its path). chosen: Mastercard's request and answer bodies are not
in a readable page; the shapes are the contract's (``AddressValidationRequest``).

The country must be an ISO 3166-1 alpha-3 code (400 ``INVALID_INPUT_VALUE``,
``address.country``). Trigger: a ``postalCode`` of ``00000`` is an address that does not
exist (400 ``INVALID_INPUT_VALUE``, ``address.postalCode``).
"""

from __future__ import annotations

from typing import Any, Final

from xbsec.sandbox.business_errors import INVALID_INPUT_VALUE, Refusal
from xbsec.sandbox.countries import is_country
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store

__all__ = ["UNKNOWN_POSTAL_CODE", "validate_address"]

UNKNOWN_POSTAL_CODE: Final = "00000"
_MEMBERS: Final = ("line1", "line2", "line3", "city", "countrySubdivision", "postalCode")


def _tidy(name: str, value: str) -> str:
    text = " ".join(value.split())
    if name == "city":
        return text.title()
    if name in ("postalCode", "countrySubdivision"):
        return text.upper()
    return text


def validate_address(request: Request, store: Store) -> Reply:
    address = request.validated()["address"]
    country = address["country"]
    if not is_country(country):
        raise Refusal.one(400, "address.country", INVALID_INPUT_VALUE,
                          f"{country} is not an ISO 3166-1 alpha-3 country")
    if address.get("postalCode") == UNKNOWN_POSTAL_CODE:
        raise Refusal.one(400, "address.postalCode", INVALID_INPUT_VALUE,
                          "no address has this postal code")
    tidied: dict[str, Any] = {name: _tidy(name, address[name]) for name in _MEMBERS
                              if isinstance(address.get(name), str) and address[name].strip()}
    tidied.setdefault("line1", _tidy("line1", address["line1"]) or address["line1"])
    tidied["country"] = country
    return Reply({"address": tidied})
