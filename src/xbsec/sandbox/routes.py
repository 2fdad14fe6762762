"""The sandbox's endpoints: method, path template, the contract's operation, handler, formats.

Each route serves one operation of ``xbsec.contract`` (its ``operationId``), whose request
schema the handler checks bodies against and whose responses the answers must match.
Routes are tried in order and the first whose path and method match serves the request, so
fixed segments (``/rates``) come before the parameters they would also match
(``/{payment_id}``). A path that matches with another method is a 405 with ``Allow``; a
path that matches nothing a 404 ``RESOURCE_UNKNOWN`` with Source ``Endpoint``.

Where a route finds its partner (``partner``): ``path`` (``/partners/{partner_id}/``),
``header`` (``Partner-Ref-Id``, the Endpoint Guide), ``none`` (Address Validation, which
keeps no state), or ``caller`` (the sandbox's own controls: any partner the caller acts for).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from xbsec.documents import Format
from xbsec.error_envelope import ErrorItem
from xbsec.sandbox import (
    accounts,
    address_validation,
    bav,
    carded_rates,
    confirmations,
    controls,
    guide,
    payments,
    quotes,
    rfi,
)
from xbsec.sandbox.business_errors import RESOURCE_UNKNOWN, Refusal
from xbsec.sandbox.negotiation import BOTH, JSON_ONLY
from xbsec.sandbox.request import Handler

__all__ = ["ROUTES", "PartnerSource", "Route", "find_route"]

PartnerSource = Literal["path", "header", "none", "caller"]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    operation_id: str
    handler: Handler
    formats: frozenset[Format]
    partner: PartnerSource


def _route(method: str, template: str, operation_id: str, handler: Handler, *,
           json_only: bool = False, partner: PartnerSource = "path") -> Route:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Route(method, re.compile(pattern), operation_id, handler,
                 JSON_ONLY if json_only else BOTH, partner)


_V1: Final = "/send/v1/partners/{partner_id}/crossborder"
_V0: Final = "/send/partners/{partner_id}/crossborder"

ROUTES: Final = (
    _route("POST", f"{_V1}/quotes", "create_quote", quotes.create_quote),
    _route("POST", f"{_V1}/payment", "create_payment", payments.create_payment),
    _route("GET", f"{_V1}/rates", "carded_rates", carded_rates.carded_rates),
    _route("GET", _V1, "retrieve_payment_by_reference", payments.retrieve_payment_by_reference),
    _route("GET", f"{_V1}/{{payment_id}}", "retrieve_payment", payments.retrieve_payment),
    _route("POST", f"{_V1}/{{payment_id}}/cancel", "cancel_payment", payments.cancel_payment),
    _route("POST", f"{_V0}/quotes/confirmations", "confirm_quote", confirmations.confirm_quote),
    _route("POST", f"{_V0}/quotes/cancellations", "cancel_confirmed_quote",
           confirmations.cancel_confirmed_quote, json_only=True),
    _route("GET", f"{_V0}/quotes/{{transaction_reference}}/proposals/{{proposal_id}}",
           "retrieve_confirmed_quote", confirmations.retrieve_confirmed_quote, json_only=True),
    _route("GET", f"{_V0}/accounts", "balances", accounts.list_accounts, json_only=True),
    _route("POST", f"{_V0}/accounts/validations", "validate_account", bav.validate_account,
           json_only=True),
    _route("POST", f"{_V0}/accounts/generate-ibans", "generate_ibans", bav.generate_ibans,
           json_only=True),
    _route("GET", f"{_V0}/accounts/{{account_id}}", "balance", accounts.retrieve_account,
           json_only=True),
    _route("POST", f"{_V0}/banks/details", "bank_details", bav.bank_details, json_only=True),
    _route("GET", f"{_V0}/rfi/requests/{{request_id}}", "rfi_request", rfi.retrieve_rfi_request,
           json_only=True),
    _route("POST", f"{_V0}/rfi/requests/{{request_id}}", "update_rfi_request",
           rfi.update_rfi_request, json_only=True),
    _route("POST", f"{_V0}/rfi/documents", "upload_rfi_document", rfi.upload_document,
           json_only=True),
    _route("GET", f"{_V0}/rfi/documents/{{document_id}}", "download_rfi_document",
           rfi.download_document, json_only=True),
    _route("GET", "/crossborder/endpoint-guide/specifications", "endpoint_guide",
           guide.specifications, json_only=True, partner="header"),
    _route("POST", "/send/address-validation-service/addresses/validations",
           "validate_address", address_validation.validate_address, json_only=True,
           partner="none"),
    _route("POST", "/sandbox/payments/{payment_id}/status", "set_payment_status",
           controls.set_payment_status, json_only=True, partner="caller"),
    _route("GET", "/sandbox/payments/{payment_id}/rfi", "sandbox_rfi_notification",
           controls.rfi_notification, json_only=True, partner="caller"),
)


def find_route(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route serving ``method path`` and its path parameters, or a 404/405 refusal."""
    allowed: set[str] = set()
    for route in ROUTES:
        match = route.pattern.fullmatch(path)
        if match is None:
            continue
        if route.method == method:
            return route, match.groupdict()
        allowed.add(route.method)
    if allowed:
        methods = ", ".join(sorted(allowed))
        raise Refusal(405, [ErrorItem("Endpoint", RESOURCE_UNKNOWN,
                                      f"this endpoint takes {methods}, not {method}")],
                      headers=[("allow", methods)])
    raise Refusal.one(404, "Endpoint", RESOURCE_UNKNOWN, "no such endpoint")
