"""What a handler is given (``Request``) and what it answers (``Reply``).

A handler is a plain function ``(Request, Store) -> Reply`` that runs in a worker thread;
it refuses by raising ``Refusal``. The request carries the body as bytes: parsing it is the
handler's first step (``document``), so that parsing, like the database work, happens off
the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xbsec.documents import Format, loads
from xbsec.errors import PayloadError
from xbsec.sandbox.business_errors import (
    INVALID_INPUT_FORMAT,
    INVALID_INPUT_VALUE,
    MISSING_REQUIRED_INPUT,
    Refusal,
)
from xbsec.sandbox.validation import Fields, document_object, document_root

if TYPE_CHECKING:
    from xbsec.sandbox.store import Store

__all__ = ["Handler", "Reply", "Request"]


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
    now: float

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

    def document(self, root: str, *, optional: bool = False) -> Fields:
        """The body's single root ``root``, as fields; an empty body only if ``optional``."""
        if not self.body.strip():
            if optional:
                return document_object({}, root)
            raise Refusal.one(400, root, MISSING_REQUIRED_INPUT,
                              f"the request needs a {root} document")
        return document_root(self._parsed(), root)

    def object_document(self) -> Fields:
        """A body that is one JSON object without a root member (the RFI APIs)."""
        if not self.body.strip():
            raise Refusal.one(400, "Body", MISSING_REQUIRED_INPUT, "the request needs a body")
        return document_object(self._parsed(), "Body")


@dataclass(frozen=True, slots=True)
class Reply:
    document: Mapping[str, Any]
    status: int = 200


Handler = Callable[[Request, "Store"], Reply]
