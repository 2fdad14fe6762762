"""The operations of the contract, looked up by ``operationId``.

An ``Operation`` says what a client needs to build a call and what a server needs to route
and check one: method, path template, parameters, the media types of the request and of
each response, and the schemas of the bodies. Push notifications (the document's
``webhooks``) are operations too, marked ``webhook``, their ``path`` the webhook's name.

Body schemas come bundled (see ``_document``) and describe a body as
``xbsec.documents.loads`` returns it: for XML that is ``{root_element: content}``, the same
shape as the JSON form of the transaction APIs, so one check serves both formats.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xbsec.contract._document import bundle, component, loaded, resolve_component_ref
from xbsec.errors import ConfigurationError

__all__ = ["JSON", "XML", "Operation", "Parameter", "operation", "operation_ids"]

JSON = "application/json"
XML = "application/xml"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Parameter:
    """A path, query or header parameter; ``schema`` is a bundled JSON Schema."""

    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the contract (see the module docstring)."""

    operation_id: str
    method: str
    path: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    request_media_types: tuple[str, ...]
    request_required: bool
    responses: tuple[tuple[str, tuple[str, ...]], ...]
    webhook: bool = False

    @property
    def success_status(self) -> str:
        """The operation's 2xx status (each operation has exactly one)."""
        return next(status for status, _ in self.responses if status.startswith("2"))

    def response_media_types(self, status: int | str) -> tuple[str, ...]:
        """Media types of the response with ``status`` (``()`` for a response with no body)."""
        wanted = str(status)
        for found, media_types in self.responses:
            if found == wanted:
                return media_types
        raise ConfigurationError(f"{self.operation_id} has no {wanted} response; it has "
                                 f"{', '.join(s for s, _ in self.responses)}")

    def request_schema(self, media_type: str = JSON) -> dict[str, Any]:
        """Bundled JSON Schema of the request body in ``media_type`` (a new dict)."""
        if media_type not in self.request_media_types:
            raise ConfigurationError(f"{self.operation_id} takes no {media_type} body"
                                     + (f"; it takes {', '.join(self.request_media_types)}"
                                        if self.request_media_types else ""))
        content = self._raw()["requestBody"]
        return _body_schema(resolve_component_ref(content)["content"][media_type], media_type)

    def response_schema(self, status: int | str = 200, media_type: str = JSON) -> dict[str, Any]:
        """Bundled JSON Schema of the ``status`` response body in ``media_type``."""
        media_types = self.response_media_types(status)
        if media_type not in media_types:
            raise ConfigurationError(f"{self.operation_id} answers {status} in "
                                     f"{', '.join(media_types) or 'no body'}, not {media_type}")
        response = resolve_component_ref(self._raw()["responses"][str(status)])
        return _body_schema(response["content"][media_type], media_type)

    def _raw(self) -> Mapping[str, Any]:
        section = loaded()["webhooks" if self.webhook else "paths"]
        found: Mapping[str, Any] = section[self.path][self.method.lower()]
        return found


def operation(operation_id: str) -> Operation:
    """The operation named ``operation_id`` (``create_quote``, ``balances``, ...)."""
    try:
        return _index()[operation_id]
    except KeyError:
        raise ConfigurationError(f"the XBS contract has no operation {operation_id!r}") \
            from None


def operation_ids() -> tuple[str, ...]:
    """Every operationId, in the document's order (paths first, then webhooks)."""
    return tuple(_index())


@functools.cache
def _index() -> dict[str, Operation]:
    document = loaded()
    index: dict[str, Operation] = {}
    for section, webhook in (("paths", False), ("webhooks", True)):
        for path, item in document.get(section, {}).items():
            shared = tuple(item.get("parameters", ()))
            for method in _METHODS:
                raw = item.get(method)
                if raw is None:
                    continue
                built = _build(path, method, raw, shared, webhook)
                if built.operation_id in index:
                    raise ConfigurationError(f"operationId {built.operation_id!r} is used twice")
                index[built.operation_id] = built
    return index


def _build(path: str, method: str, raw: Mapping[str, Any], shared: tuple[Any, ...],
           webhook: bool) -> Operation:
    parameters = tuple(
        Parameter(name=p["name"], location=p["in"], required=bool(p.get("required", False)),
                  schema=bundle(p.get("schema", {})))
        for p in (resolve_component_ref(node) for node in (*shared, *raw.get("parameters", ()))))
    body = resolve_component_ref(raw["requestBody"]) if "requestBody" in raw else None
    responses = tuple(
        (str(status), tuple(resolve_component_ref(response).get("content", {})))
        for status, response in raw.get("responses", {}).items())
    return Operation(
        operation_id=raw["operationId"],
        method=method.upper(),
        path=path,
        tags=tuple(raw.get("tags", ())),
        parameters=parameters,
        request_media_types=tuple(body["content"]) if body else (),
        request_required=bool(body.get("required", False)) if body else False,
        responses=responses,
        webhook=webhook,
    )


def _body_schema(media: Mapping[str, Any], media_type: str) -> dict[str, Any]:
    schema: Mapping[str, Any] = media.get("schema", {})
    if media_type != XML:
        return bundle(schema)
    # XML: the schema describes the root element's content; xml.name names the element.
    root = _xml_name(schema)
    return bundle({"type": "object", "required": [root], "properties": {root: schema},
                   "additionalProperties": False})


def _xml_name(schema: Mapping[str, Any]) -> str:
    xml = schema.get("xml")
    if not isinstance(xml, Mapping):
        target = schema.get("$ref")
        if isinstance(target, str) and target.startswith("#/components/schemas/"):
            xml = component(target.rsplit("/", 1)[1]).get("xml")
    name = xml.get("name") if isinstance(xml, Mapping) else None
    if not isinstance(name, str) or not name:
        raise ConfigurationError("an application/xml body schema of the XBS contract has no "
                                 "xml.name for its root element")
    return name
