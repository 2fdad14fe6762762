"""Checking the sandbox's own answers against the contract, for its test suites.

``ResponseChecker`` is given every answer the sandbox writes, before the gateway encrypts
it: the operation the request was routed to (``None`` when no route matched), the status,
the format and the bytes. The answer must be one the contract describes for that operation
and status (an error envelope for a refusal; for a request no route matched, the business
``Errors`` envelope). A violation is logged on ``xbsec.sandbox.contract`` at ERROR, and the
answer is replaced by a 500 ``CONTRACT_VIOLATION`` envelope, so that whatever test caused
it fails, in process or across one.

The sandbox checks when it is built with ``check_responses=True`` or when the environment
variable ``XBSEC_SANDBOX_CHECK_RESPONSES`` is ``1`` (the test suites set it, so every
sandbox they build, in process or by ``xbsec sandbox serve``, is checked).
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Final

from xbsec.contract import JSON, XML, Problem, operation, schema_validator
from xbsec.contract.validation import DocumentValidator
from xbsec.documents import Format, loads
from xbsec.errors import ConfigurationError, PayloadError

__all__ = ["ENVIRONMENT_VARIABLE", "ResponseChecker", "checking_from_environment"]

ENVIRONMENT_VARIABLE: Final = "XBSEC_SANDBOX_CHECK_RESPONSES"
_MEDIA_TYPE: Final[dict[Format, str]] = {"json": JSON, "xml": XML}
log = logging.getLogger("xbsec.sandbox.contract")


def checking_from_environment() -> bool:
    return os.environ.get(ENVIRONMENT_VARIABLE, "") == "1"


class ResponseChecker:
    """Says what is wrong with an answer, or ``None`` when the contract describes it."""

    def violation(self, operation_id: str | None, status: int, fmt: Format,
                  payload: bytes) -> str | None:
        where = f"{operation_id or 'no operation'} {status} {fmt}"
        try:
            validator = self._validator(operation_id, status, fmt)
        except ConfigurationError as exc:
            return f"{where}: {exc}"
        try:
            document = loads(payload, fmt)
        except PayloadError as exc:
            return f"{where}: the answer does not parse: {exc}"
        problems: tuple[Problem, ...] = validator.problems(document)
        if problems:
            return f"{where}: " + "; ".join(str(p) for p in problems[:5])
        return None

    @staticmethod
    def _validator(operation_id: str | None, status: int, fmt: Format) -> DocumentValidator:
        if operation_id is None:
            if status < 400:
                raise ConfigurationError("an answer outside every operation must be an error")
            return _envelope(fmt)
        from xbsec.contract import response_validator

        operation(operation_id).response_media_types(status)  # refuses an unlisted status
        return response_validator(operation_id, status, _MEDIA_TYPE[fmt])


@functools.cache
def _envelope(fmt: Format) -> DocumentValidator:
    if fmt == "json":
        return schema_validator("Errors")
    from xbsec.contract import component_schema

    schema = component_schema("ErrorList")
    wrapped = {"$schema": schema.get("$schema"), "$defs": schema.get("$defs", {}),
               "type": "object", "required": ["Errors"], "additionalProperties": False,
               "properties": {"Errors": {k: v for k, v in schema.items()
                                         if k not in ("$schema", "$defs")}}}
    return DocumentValidator(wrapped, XML)
