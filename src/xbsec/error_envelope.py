"""The ``Errors`` envelope of XBS and of Mastercard's gateway: read every shape, write ours.

Two producers, one envelope (SPEC §2.8, §8.3)::

    gateway   {"Errors":{"Error":[{"Source":"Gateway","ReasonCode":"...","Description":"...",
                                   "Recoverable":false,"Details":null}]}}
    XBS       {"Errors":{"Error":{"RequestId":"...","Source":"proposal_id",
                                  "ReasonCode":"DECLINE","Description":"...",
                                  "Recoverable":"false",
                                  "Details":{"Detail":{"Name":"ErrorDetailCode","Value":"082000"}}}}}

``Error`` and ``Detail`` are an object for one and an array for several; ``Recoverable`` is a
boolean from the gateway and a string in XBS examples; XML carries the same structure.
``parse_errors`` accepts all of it (member names matched case-insensitively), and
``render_errors`` writes the gateway form (``Error`` always an array) in JSON or XML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from xbsec.documents import Format, dumps_json, dumps_xml, loads
from xbsec.error_items import ErrorDetail, ErrorItem
from xbsec.errors import PayloadError

__all__ = ["ErrorDetail", "ErrorItem", "parse_errors", "render_errors"]


def _member(obj: Mapping[str, Any], name: str) -> Any:
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == name:
            return value
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise PayloadError("an Errors envelope member holds an object where text belongs")


def _recoverable(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def _item(raw: Any) -> ErrorItem:
    if not isinstance(raw, Mapping):
        raise PayloadError("an Error in the Errors envelope is not an object")
    details = []
    raw_details = _member(raw, "details")
    if isinstance(raw_details, Mapping):  # {"Detail": {...}} or {"Detail": [...]}
        raw_details = _member(raw_details, "detail")
    for detail in _as_list(raw_details):
        if not isinstance(detail, Mapping):
            raise PayloadError("a Detail in the Errors envelope is not an object")
        details.append(ErrorDetail(_string(_member(detail, "name")),
                                   _string(_member(detail, "value"))))
    request_id = _member(raw, "requestid")
    return ErrorItem(
        source=_string(_member(raw, "source")),
        reason_code=_string(_member(raw, "reasoncode")),
        description=_string(_member(raw, "description")),
        recoverable=_recoverable(_member(raw, "recoverable")),
        details=tuple(details),
        request_id=None if request_id is None else _string(request_id),
    )


def parse_errors(body: bytes, fmt: Format) -> tuple[ErrorItem, ...]:
    """The errors of an ``Errors`` envelope; ``PayloadError`` if the body is not one."""
    document = loads(body, fmt)
    if not isinstance(document, Mapping):
        raise PayloadError("the error body is not an Errors envelope")
    errors = _member(document, "errors")
    if not isinstance(errors, Mapping):
        raise PayloadError("the error body is not an Errors envelope")
    items = tuple(_item(raw) for raw in _as_list(_member(errors, "error")))
    if not items:
        raise PayloadError("the Errors envelope holds no Error")
    return items


def render_errors(items: Iterable[ErrorItem], fmt: Format) -> bytes:
    """The gateway form of the envelope (``Error`` an array), in JSON or XML."""
    rendered: list[dict[str, Any]] = []
    for item in items:
        entry: dict[str, Any] = {}
        if item.request_id is not None:
            entry["RequestId"] = item.request_id
        entry.update({"Source": item.source, "ReasonCode": item.reason_code,
                      "Description": item.description, "Recoverable": item.recoverable})
        details: Sequence[dict[str, str]] = [{"Name": d.name, "Value": d.value}
                                             for d in item.details]
        entry["Details"] = {"Detail": list(details)} if details else None
        rendered.append(entry)
    if fmt == "json":
        return dumps_json({"Errors": {"Error": rendered}})
    return dumps_xml({"Errors": {"Error": rendered}})
