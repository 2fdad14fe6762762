"""Which format a request is in and its answer should be (SPEC §3.5, §8.2).

The answer is in the request's format: its ``Content-Type`` (parameters and case ignored),
or, for a request without one (a GET), the first format its ``Accept`` lists (by ``q``),
JSON when it lists none. ``*/*`` and ``application/*`` take JSON. Refusals, all 400
``INVALID_INPUT_FORMAT``: a Content-Type that is neither JSON nor XML, a body without a
Content-Type, an XML body or an XML-only Accept for a JSON-only API.

A request without a body keeps its Content-Type only where it names a format the API
speaks: Mastercard's reference app sends ``Content-Type: application/xml`` on every GET,
JSON-only APIs included (FIDELITY §3 item 11), and a header describing no body describes
nothing the API could refuse.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

from xbsec.documents import Format, document_format
from xbsec.errors import PayloadError
from xbsec.payload.media_type import envelope_format
from xbsec.sandbox.business_errors import INVALID_INPUT_FORMAT, Refusal

__all__ = ["BOTH", "JSON_ONLY", "preferred_format", "request_format"]

BOTH: Final[frozenset[Format]] = frozenset({"json", "xml"})
JSON_ONLY: Final[frozenset[Format]] = frozenset({"json"})
_ANY: Final = frozenset({"*/*", "application/*"})


def _q(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def _accepted(accept: str, allowed: Collection[Format]) -> Format | None:
    ranked: list[tuple[float, int, Format]] = []
    for position, entry in enumerate(accept.split(",")):
        media, *parameters = entry.split(";")
        media = media.strip().lower()
        q = _q(parameters)
        if q <= 0.0:
            continue
        if media in _ANY:
            found: Format | None = "json" if "json" in allowed else "xml"
        else:
            found = envelope_format(media)
        if found is not None and found in allowed:
            ranked.append((-q, position, found))
    return min(ranked)[2] if ranked else None


def preferred_format(headers: Mapping[str, str]) -> Format:
    """The format to answer anything in, errors included; never refuses."""
    content_type = headers.get("content-type")
    if content_type:
        found = envelope_format(content_type)
        if found is not None:
            return found
    return _accepted(headers.get("accept", ""), BOTH) or "json"


def request_format(headers: Mapping[str, str], has_body: bool,
                   allowed: Collection[Format]) -> Format:
    """The request's format, which the answer uses, among the API's ``allowed`` formats."""
    only_json = "this API speaks JSON only"
    content_type = headers.get("content-type")
    if content_type and has_body:
        try:
            found = document_format(content_type)
        except PayloadError as exc:
            raise Refusal.one(400, "Content-Type", INVALID_INPUT_FORMAT, str(exc)) from None
        if found not in allowed:
            raise Refusal.one(400, "Content-Type", INVALID_INPUT_FORMAT, only_json)
        return found
    if content_type:
        described = envelope_format(content_type)
        if described is not None and described in allowed:
            return described
    elif has_body:
        raise Refusal.one(400, "Content-Type", INVALID_INPUT_FORMAT,
                          "a request with a body needs a Content-Type (application/json or "
                          "application/xml)")
    accept = headers.get("accept")
    if not accept:
        return "json" if "json" in allowed else "xml"
    found_accepted = _accepted(accept, allowed)
    if found_accepted is None:
        raise Refusal.one(400, "Accept", INVALID_INPUT_FORMAT,
                          only_json if allowed == JSON_ONLY else
                          "Accept names no format this API speaks (JSON, XML)")
    return found_accepted
