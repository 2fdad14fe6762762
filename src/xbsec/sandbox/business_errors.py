"""XBS business errors: the ``Errors`` envelope as the XBS services write it (SPEC §8.3).

The gateway writes ``Error`` as an array and ``Recoverable`` as a boolean (SPEC §2.8, see
``xbsec.error_envelope.render_errors``). The XBS services behind it write the other form,
and the sandbox emulates them, so it writes that one::

    {"Errors":{"Error":{"RequestId":"...","Source":"proposal_id",
                        "ReasonCode":"INVALID_INPUT_VALUE","Description":"...",
                        "Recoverable":"false",
                        "Details":{"Detail":{"Name":"ErrorDetailCode","Value":"082000"}}}}}

``Error`` and ``Detail`` are an object for one and an array for several; ``Details`` is left
out when there is none. ``xbsec.error_envelope.parse_errors`` reads both forms.

A handler refuses a request by raising ``Refusal`` (status and the errors); the application
turns it into this envelope in the request's format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from xbsec.documents import Format, dumps
from xbsec.error_envelope import ErrorDetail, ErrorItem
from xbsec.errors import PayloadError, XBSecError

__all__ = [
    "CONTRACT_VIOLATION",
    "DECLINE",
    "DUPLICATE_VALUE",
    "INTERNAL_ERROR",
    "INVALID_INPUT_FORMAT",
    "INVALID_INPUT_LENGTH",
    "INVALID_INPUT_VALUE",
    "MISSING_REQUIRED_INPUT",
    "PERMISSION_DENIED",
    "RESOURCE_UNKNOWN",
    "SERVICE_UNAVAILABLE",
    "TIMEOUT",
    "Refusal",
    "render_business_errors",
]

# ReasonCodes seen in XBS answers (SPEC §8.3) ...
MISSING_REQUIRED_INPUT: Final = "MISSING_REQUIRED_INPUT"
INVALID_INPUT_VALUE: Final = "INVALID_INPUT_VALUE"
INVALID_INPUT_LENGTH: Final = "INVALID_INPUT_LENGTH"
INVALID_INPUT_FORMAT: Final = "INVALID_INPUT_FORMAT"
RESOURCE_UNKNOWN: Final = "RESOURCE_UNKNOWN"
DECLINE: Final = "DECLINE"
DUPLICATE_VALUE: Final = "DUPLICATE_VALUE"
# ... and ours, for answers whose XBS ReasonCode is not documented (SPEC §13 item 9).
PERMISSION_DENIED: Final = "PERMISSION_DENIED"
SERVICE_UNAVAILABLE: Final = "SERVICE_UNAVAILABLE"
INTERNAL_ERROR: Final = "INTERNAL_ERROR"
TIMEOUT: Final = "TIMEOUT"
CONTRACT_VIOLATION: Final = "CONTRACT_VIOLATION"
"""An answer the contract does not describe (only when the sandbox checks its answers)."""


class Refusal(XBSecError):
    """A request the sandbox answers with an error ``status`` and these ``errors``.

    Raised by handlers and caught by the application, which writes the envelope; like every
    xbsec error it is an ``XBSecError``.
    """

    def __init__(self, status: int, errors: Sequence[ErrorItem],
                 headers: Sequence[tuple[str, str]] = (), *, gateway_form: bool = False) -> None:
        if not errors:
            raise PayloadError("a refusal carries at least one error")
        super().__init__(errors[0].description)
        self.status = status
        self.errors = tuple(errors)
        self.headers = tuple(headers)
        self.gateway_form = gateway_form
        """Written as the gateway writes its refusals (an entitlement check it repeats)."""

    @classmethod
    def one(cls, status: int, source: str, reason_code: str, description: str, *,
            details: Sequence[ErrorDetail] = (), recoverable: bool = False,
            gateway_form: bool = False) -> Refusal:
        """A refusal with a single error."""
        return cls(status, [ErrorItem(source, reason_code, description, recoverable,
                                      tuple(details))], gateway_form=gateway_form)


def _one_or_many(values: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    # One element is written as an object, several as an array (SPEC §8.3).
    return values[0] if len(values) == 1 else values


def _entry(item: ErrorItem) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if item.request_id is not None:
        entry["RequestId"] = item.request_id
    entry["Source"] = item.source
    entry["ReasonCode"] = item.reason_code
    entry["Description"] = item.description
    # A string in the XBS examples, where the gateway writes a boolean (SPEC §8.3).
    entry["Recoverable"] = "true" if item.recoverable else "false"
    if item.details:
        entry["Details"] = {"Detail": _one_or_many(
            [{"Name": detail.name, "Value": detail.value} for detail in item.details])}
    return entry


def render_business_errors(items: Sequence[ErrorItem], fmt: Format) -> bytes:
    """The XBS business form of the ``Errors`` envelope, in JSON or XML."""
    if not items:
        raise PayloadError("an Errors envelope holds at least one Error")
    return dumps({"Errors": {"Error": _one_or_many([_entry(item) for item in items])}}, fmt)
