"""The contract file: read once, handed out as copies, and bundled into plain JSON Schema.

The OpenAPI document refers to its schemas as ``#/components/schemas/Name``. A JSON Schema
validator wants one self-contained schema, so ``bundle`` copies the schema asked for and
every schema it reaches into ``$defs`` and points the references there. The result is
JSON Schema 2020-12 (OpenAPI 3.1's dialect; the ``xml`` keyword is an annotation that
validators ignore) that ``jsonschema``, or any other validator, uses as it is.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from xbsec.errors import ConfigurationError

__all__ = [
    "CONTRACT_FILE",
    "JSON_SCHEMA_DIALECT",
    "bundle",
    "component",
    "document",
    "document_bytes",
    "loaded",
    "resolve_component_ref",
]

CONTRACT_FILE = "xbs-openapi.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_SCHEMAS = "#/components/schemas/"
_DEFS = "#/$defs/"


@functools.cache
def document_bytes() -> bytes:
    """The contract exactly as shipped (UTF-8 JSON), e.g. to serve as ``/openapi.json``."""
    return resources.files("xbsec.contract").joinpath(CONTRACT_FILE).read_bytes()


@functools.cache
def loaded() -> Mapping[str, Any]:
    """The parsed contract, shared: never modify it (``document`` gives a copy to modify)."""
    parsed: dict[str, Any] = json.loads(document_bytes())
    return parsed


def document() -> dict[str, Any]:
    """A deep copy of the whole contract, the caller's to change."""
    return copy.deepcopy(dict(loaded()))


def component(name: str) -> Mapping[str, Any]:
    """The schema ``#/components/schemas/<name>`` (shared: do not modify)."""
    schemas: Mapping[str, Any] = loaded()["components"]["schemas"]
    try:
        found: Mapping[str, Any] = schemas[name]
    except KeyError:
        raise ConfigurationError(f"the XBS contract has no schema {name!r}") from None
    return found


def resolve_component_ref(node: Mapping[str, Any]) -> Mapping[str, Any]:
    """``node`` itself, or the parameter or response it refers to (``#/components/...``)."""
    target = node.get("$ref")
    if not isinstance(target, str):
        return node
    if not target.startswith("#/components/"):
        raise ConfigurationError(f"unsupported reference {target!r} in the XBS contract")
    found: Any = loaded()
    for part in target[2:].split("/"):
        found = found[part]
    resolved: Mapping[str, Any] = found
    return resolved


def bundle(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A self-contained JSON Schema 2020-12 for ``schema``, its references in ``$defs``."""
    reached: dict[str, Any] = {}
    root = _rewrite(schema, reached)
    out: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT, **root}
    if reached:
        out["$defs"] = {name: reached[name] for name in sorted(reached)}
    return out


def _rewrite(node: Any, reached: dict[str, Any]) -> Any:
    if isinstance(node, Mapping):
        return {key: (_def_ref(value, reached) if key == "$ref" and isinstance(value, str)
                      else _rewrite(value, reached))
                for key, value in node.items()}
    if isinstance(node, list):
        return [_rewrite(item, reached) for item in node]
    return node


def _def_ref(target: str, reached: dict[str, Any]) -> str:
    if not target.startswith(_SCHEMAS):
        raise ConfigurationError(f"unsupported schema reference {target!r} in the XBS contract")
    name = target[len(_SCHEMAS):]
    if name not in reached:
        reached[name] = {}  # claimed before the walk, so that a cycle ends here
        reached[name] = _rewrite(component(name), reached)
    return _DEFS + name
