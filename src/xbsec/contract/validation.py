"""Checking documents against the contract, with validators built once and reused.

``jsonschema`` is imported only here and only when the first validator is built: the
package stays importable without it (it comes with the ``server`` extra). Validators are
cached per (operation, status, media type), so a server pays for building each one once.

A ``Problem`` says where a document is wrong (``source``, dotted like the ``Source`` of an
XBS error: ``quoterequest.payment_amount.currency``), which JSON Schema keyword failed
(``required``, ``maxLength``, ``pattern``, ...) and a short message. Messages are cut to
200 characters: a failing value may be a large base64 document, or a card number.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xbsec.contract._document import bundle, component
from xbsec.contract.conform import conform_xml
from xbsec.contract.operations import JSON, XML, operation
from xbsec.errors import PayloadError

__all__ = [
    "DocumentValidator",
    "Problem",
    "request_validator",
    "response_validator",
    "schema_validator",
]

_MESSAGE_LIMIT = 200
_SHOWN_PROBLEMS = 5
_MISSING = re.compile(r"^'(?P<name>[^']+)' is a required property$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One way a document does not match its schema."""

    path: tuple[str | int, ...]
    keyword: str
    message: str

    @property
    def source(self) -> str:
        """The dotted path of the offending member; for a missing one, its own path."""
        parts = [str(p) for p in self.path]
        missing = _MISSING.match(self.message) if self.keyword == "required" else None
        if missing:
            parts.append(missing.group("name"))
        return ".".join(parts)

    def __str__(self) -> str:
        return f"{self.source or '(document)'}: {self.message}"


class DocumentValidator:
    """Checks parsed documents against one bundled schema; safe to share between threads."""

    __slots__ = ("_best_match", "_validator", "media_type", "schema")

    def __init__(self, schema: Mapping[str, Any], media_type: str = JSON) -> None:
        jsonschema = importlib.import_module("jsonschema")
        self.schema = schema
        self.media_type = media_type
        self._validator = jsonschema.Draft202012Validator(schema)
        self._best_match = importlib.import_module("jsonschema.exceptions").best_match

    def conform(self, document: Any) -> Any:
        """``document`` as the schema shapes it: ``conform_xml`` for XML, unchanged for JSON."""
        return conform_xml(document, self.schema) if self.media_type == XML else document

    def problems(self, document: Any) -> tuple[Problem, ...]:
        """Every problem of ``document`` (conformed first if XML), sorted by where."""
        return self._problems_of(self.conform(document))

    def is_valid(self, document: Any) -> bool:
        return not self.problems(document)

    def validate(self, document: Any) -> Any:
        """The (conformed) document if it matches; else ``PayloadError`` naming the problems."""
        conformed = self.conform(document)
        problems = self._problems_of(conformed)
        if problems:
            shown = "; ".join(str(p) for p in problems[:_SHOWN_PROBLEMS])
            more = f" (+{len(problems) - _SHOWN_PROBLEMS} more)" \
                if len(problems) > _SHOWN_PROBLEMS else ""
            raise PayloadError(f"the document does not match the XBS contract: {shown}{more}")
        return conformed

    def _problems_of(self, conformed: Any) -> tuple[Problem, ...]:
        found = [self._problem(error) for error in self._validator.iter_errors(conformed)]
        return tuple(sorted(found, key=lambda p: (p.source, p.keyword, p.message)))

    def _problem(self, error: Any) -> Problem:
        # For "one of these" (a nullable member, a choice of forms), the branch that came
        # closest says more than "not valid under any of the given schemas"; a branch for
        # another kind of value (null, or an array where an object came) says nothing.
        if error.validator in ("anyOf", "oneOf") and error.context:
            branches = [e for e in error.context
                        if not (e.validator == "type" and not e.relative_path)]
            error = self._best_match(branches or error.context)
        message = str(error.message)
        if len(message) > _MESSAGE_LIMIT:
            message = message[:_MESSAGE_LIMIT - 3] + "..."
        return Problem(tuple(error.absolute_path), str(error.validator), message)


def request_validator(operation_id: str, media_type: str = JSON) -> DocumentValidator:
    """The validator of ``operation_id``'s request body in ``media_type`` (built once)."""
    return _request_validator(operation_id, media_type)


def response_validator(operation_id: str, status: int | str = 200,
                       media_type: str = JSON) -> DocumentValidator:
    """The validator of ``operation_id``'s ``status`` response body in ``media_type``."""
    return _response_validator(operation_id, str(status), media_type)


def schema_validator(name: str) -> DocumentValidator:
    """The validator of the component schema ``name`` in its JSON form (a push body, say)."""
    return _schema_validator(name)


@functools.cache
def _request_validator(operation_id: str, media_type: str) -> DocumentValidator:
    return DocumentValidator(operation(operation_id).request_schema(media_type), media_type)


@functools.cache
def _response_validator(operation_id: str, status: str, media_type: str) -> DocumentValidator:
    return DocumentValidator(operation(operation_id).response_schema(status, media_type),
                             media_type)


@functools.cache
def _schema_validator(name: str) -> DocumentValidator:
    component(name)  # refuses an unknown name with a ConfigurationError
    return DocumentValidator(bundle({"$ref": f"#/components/schemas/{name}"}))
