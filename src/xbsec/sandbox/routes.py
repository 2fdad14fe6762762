"""The sandbox's endpoints (SPEC §8.1): method, path template, handler, formats.

Routes are tried in order and the first whose path and method match serves the request, so
fixed segments (``/rates``) come before the parameters they would also match
(``/{payment_id}``). A path that matches with another method is a 405 with ``Allow``; a
path that matches nothing a 404 ``RESOURCE_UNKNOWN`` with Source ``Endpoint``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from xbsec.documents import Format
from xbsec.error_envelope import ErrorItem
from xbsec.sandbox import (
    accounts,
    bav,
    carded_rates,
    confirmations,
    guide,
    payments,
    quotes,
    rfi,
)
from xbsec.sandbox.business_errors import RESOURCE_UNKNOWN, Refusal
from xbsec.sandbox.negotiation import BOTH, JSON_ONLY
from xbsec.sandbox.request import Handler

__all__ = ["ROUTES", "Route", "find_route"]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    formats: frozenset[Format]
    partner_header: bool
    """The partner is named by the ``Partner-Ref-Id`` header, not the path."""


def _route(method: str, template: str, handler: Handler, *, json_only: bool = False,
           partner_header: bool = False) -> Route:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Route(method, re.compile(pattern), handler, JSON_ONLY if json_only else BOTH,
                 partner_header)


_V1: Final = "/send/v1/partners/{partner_id}/crossborder"
_V0: Final = "/send/partners/{partner_id}/crossborder"

ROUTES: Final = (
    _route("POST", f"{_V1}/quotes", quotes.create_quote),
    _route("POST", f"{_V1}/payment", payments.create_payment),
    _route("GET", f"{_V1}/rates", carded_rates.carded_rates, json_only=True),
    _route("GET", _V1, payments.retrieve_payment_by_reference),
    _route("GET", f"{_V1}/{{payment_id}}", payments.retrieve_payment),
    _route("POST", f"{_V1}/{{payment_id}}/cancel", payments.cancel_payment),
    _route("POST", f"{_V0}/quotes/confirmations", confirmations.confirm_quote),
    _route("POST", f"{_V0}/quotes/cancellations", confirmations.cancel_confirmation,
           json_only=True),
    _route("GET", f"{_V0}/quotes/{{transaction_reference}}/proposals/{{proposal_id}}",
           confirmations.retrieve_confirmed_quote, json_only=True),
    _route("GET", f"{_V0}/accounts", accounts.list_accounts),
    _route("POST", f"{_V0}/accounts/validations", bav.validate_account, json_only=True),
    _route("POST", f"{_V0}/accounts/generate-ibans", bav.generate_iban, json_only=True),
    _route("GET", f"{_V0}/accounts/{{account_id}}", accounts.retrieve_account),
    _route("POST", f"{_V0}/banks/details", bav.bank_details, json_only=True),
    _route("GET", f"{_V0}/rfi/requests/{{request_id}}", rfi.retrieve_rfi_request,
           json_only=True),
    _route("POST", f"{_V0}/rfi/requests/{{request_id}}", rfi.update_rfi_request,
           json_only=True),
    _route("POST", f"{_V0}/rfi/documents", rfi.upload_document, json_only=True),
    _route("GET", f"{_V0}/rfi/documents/{{document_id}}", rfi.download_document,
           json_only=True),
    _route("GET", "/crossborder/endpoint-guide/specifications", guide.specifications,
           json_only=True, partner_header=True),
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
