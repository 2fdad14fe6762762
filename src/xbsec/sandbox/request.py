"""What a handler is given (``Request``) and what it answers (``Reply``).

A handler is a plain function ``(Request, Store) -> Reply`` that runs in a worker thread;
it refuses by raising ``Refusal``. The request carries the body as bytes: parsing it is the
handler's first step (``validated``), so that parsing, like the database work, happens off
the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xbsec.contract import JSON, XML, request_validator
from xbsec.documents import Format, loads
from xbsec.errors import PayloadError
from xbsec.sandbox.business_errors import (
    INVALID_INPUT_FORMAT,
    INVALID_INPUT_VALUE,
    MISSING_REQUIRED_INPUT,
    Refusal,
)
from xbsec.sandbox.validation import contract_problems

if TYPE_CHECKING:
    from xbsec.sandbox.store import Store

__all__ = ["Handler", "Reply", "Request"]

_MEDIA_TYPE: dict[Format, str] = {"json": JSON, "xml": XML}


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    params: Mapping[str, str]
    """Path parameters, percent-decoded."""
    query: Mapping[str, tuple[str, ...]]
    headers: Mapping[str, str]
    """Lower-case names; a repeated header's values joined with ``", "``."""
    body: bytes
    fmt: Format
    """The request's format, which is also the answer's."""
    partner_id: str
    """The partner of the path or of ``Partner-Ref-Id``; empty for an API without one."""
    now: float
    operation_id: str = ""
    """The contract's name of the operation (``create_quote``, ...)."""
    partner_ids: frozenset[str] | None = None
    """The partners the caller acts for (the gateway's word); ``None`` without a gateway."""
    require_kyc: bool = True
    """A payment must name its parties (``xbsec.sandbox.transfer.require_parties``)."""

    def query_value(self, name: str, *, required: bool) -> str | None:
        """The one value of a query parameter; a repeated one is refused."""
        values = self.query.get(name, ())
        if len(values) > 1:
            raise Refusal.one(400, name, INVALID_INPUT_VALUE, f"{name} is given more than once")
        if not values or values[0] == "":
            if required:
                raise Refusal.one(400, name, MISSING_REQUIRED_INPUT, f"{name} is required")
            return None
        return values[0]

    def _parsed(self) -> Any:
        try:
            return loads(self.body, self.fmt)
        except PayloadError as exc:
            raise Refusal.one(400, "Body", INVALID_INPUT_FORMAT, str(exc)) from None

    def validated(self, *, optional: bool = False) -> Any:
        """The body checked against the contract's request schema of this operation, as
        that schema shapes it (XML conformed to its JSON twin); ``None`` for an empty body
        when the body is ``optional``."""
        if not self.body.strip():
            if optional:
                return None
            raise Refusal.one(400, "Body", MISSING_REQUIRED_INPUT, "the request needs a body")
        parsed = self._parsed()
        validator = request_validator(self.operation_id, _MEDIA_TYPE[self.fmt])
        conformed = validator.conform(parsed)
        found = validator.problems(parsed)
        if found:
            raise Refusal(400, contract_problems(found))
        return conformed


@dataclass(frozen=True, slots=True)
class Reply:
    document: Any
    """A mapping, or a list for the APIs whose answer is a JSON array."""
    status: int = 200
    xml_root: str | None = None
    """The root element of the XML form, for a JSON answer that has no root member."""


Handler = Callable[[Request, "Store"], Reply]
