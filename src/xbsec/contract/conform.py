"""XML documents made to look like their JSON twins, guided by the contract's schema.

``xbsec.documents.loads_xml`` turns XML into the same kind of value JSON gives, but XML
cannot say three things JSON can: that one element is a list of one (a quote with a single
``<proposal>``), that an element is absent rather than empty (Mastercard's reference app
writes ``<bank_code xsi:nil="true"/>``, and attributes are not read), and that ``true`` is
a boolean. The schema knows, so ``conform_xml`` walks the document beside it:

- where the schema says array, a lone element becomes a list of one (and a wrapped array,
  ``xml.wrapped``, loses its wrapper element);
- an empty element becomes ``None`` where the schema allows null, ``{}`` where it wants an
  object and ``[]`` where it wants an array; elsewhere it stays ``""``;
- text becomes a boolean or a number where the schema wants one and the text is one.

Anything the schema does not describe is left as it is, for validation to judge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from xbsec.errors import ConfigurationError

__all__ = ["conform_xml"]

_DEFS = "#/$defs/"
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_MAX_REF_HOPS = 64


def conform_xml(document: Any, schema: Mapping[str, Any]) -> Any:
    """``document`` reshaped as ``schema`` (a bundled JSON Schema, ``$defs`` inside) says.

    ``document`` is what ``xbsec.documents.loads_xml`` returns, root element included
    (``{"quoterequest": {...}}``), and ``schema`` describes that value, as the schemas of
    ``xbsec.contract.request_schema`` for ``application/xml`` do. Returns a new value;
    ``document`` is not modified.
    """
    defs = schema.get("$defs", {})
    if not isinstance(defs, Mapping):
        raise ConfigurationError("the schema's $defs is not an object")
    return _Conformer(defs).value(document, schema)


class _Conformer:
    __slots__ = ("_defs",)

    def __init__(self, defs: Mapping[str, Any]) -> None:
        self._defs = defs

    def value(self, value: Any, schema: Mapping[str, Any]) -> Any:
        schema = self._resolve(schema)
        branches = schema.get("anyOf") or schema.get("oneOf")
        if isinstance(branches, Sequence) and branches:
            return self._choose(value, [self._resolve(b) for b in branches])
        kinds = _kinds(schema)
        if isinstance(value, str):
            return self._text(value, schema, kinds)
        if isinstance(value, dict):
            if "array" in kinds and "object" not in kinds:
                return self._array(value, schema)
            return self._object(value, schema)
        if isinstance(value, list) and (not kinds or "array" in kinds):
            return self._array(value, schema)
        return value

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        for _ in range(_MAX_REF_HOPS):
            target = schema.get("$ref")
            if not isinstance(target, str):
                return schema
            if not target.startswith(_DEFS) or target[len(_DEFS):] not in self._defs:
                raise ConfigurationError(f"cannot resolve {target!r}: conform_xml needs a "
                                         "bundled schema, its references in $defs")
            # Keywords beside $ref (an ``xml`` object, say) speak for this use of the target.
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**self._defs[target[len(_DEFS):]], **siblings}
        raise ConfigurationError("a chain of $ref in the schema does not end")

    def _choose(self, value: Any, branches: list[Mapping[str, Any]]) -> Any:
        if value == "" and any("null" in _kinds(b) for b in branches):
            return None  # xsi:nil, or an empty element, where null is allowed
        wanted: tuple[str, ...]
        if isinstance(value, dict):
            wanted = ("object", "array")
        elif isinstance(value, list):
            wanted = ("array",)
        else:
            wanted = ("string", "boolean", "integer", "number", "array", "object")
        for kind in wanted:
            for branch in branches:
                kinds = _kinds(branch)
                if kind in kinds and (kind != "boolean" or value in ("true", "false")) \
                        and (kind not in ("integer", "number") or _parses(value, kind)):
                    return self.value(value, branch)
        return value

    def _text(self, text: str, schema: Mapping[str, Any], kinds: frozenset[str]) -> Any:
        if text == "":
            if "null" in kinds:
                return None
            if "object" in kinds:
                return {}
            if "array" in kinds:
                return []
            return text
        if not kinds or "string" in kinds:
            return text
        if "array" in kinds:
            return [self.value(text, _items(schema))]
        if "boolean" in kinds and text in ("true", "false"):
            return text == "true"
        if "integer" in kinds and _INTEGER.fullmatch(text):
            return int(text)
        if "number" in kinds and _NUMBER.fullmatch(text):
            number = float(text)
            return int(number) if number.is_integer() and _INTEGER.fullmatch(text) else number
        return text

    def _array(self, value: Any, schema: Mapping[str, Any]) -> list[Any]:
        xml = schema.get("xml")
        if isinstance(xml, Mapping) and xml.get("wrapped") and isinstance(value, dict) \
                and len(value) == 1:
            (value,) = value.values()  # <things><thing/>...</things>: the wrapper goes
            if value == "":
                return []
        items = _items(schema)
        return [self.value(item, items) for item in (value if isinstance(value, list)
                                                     else [value])]

    def _object(self, value: dict[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
        properties = schema.get("properties", {})
        by_element: dict[str, Mapping[str, Any]] = {}
        for name, sub in properties.items():
            xml = sub.get("xml") if isinstance(sub, Mapping) else None
            renamed = xml.get("name") if isinstance(xml, Mapping) else None
            # An array's own xml.name names its wrapper, not the member (OpenAPI XML object).
            element = renamed if isinstance(renamed, str) and "items" not in sub else name
            by_element[element] = sub
        others = schema.get("additionalProperties")
        out: dict[str, Any] = {}
        for element, child in value.items():
            sub = by_element.get(element)
            if sub is None and isinstance(others, Mapping):
                sub = others
            out[element] = self.value(child, sub) if sub is not None else child
        return out


def _items(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    items = schema.get("items", {})
    return items if isinstance(items, Mapping) else {}


def _parses(value: Any, kind: str) -> bool:
    pattern = _INTEGER if kind == "integer" else _NUMBER
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def _kinds(schema: Mapping[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset((declared,))
    if isinstance(declared, list):
        return frozenset(t for t in declared if isinstance(t, str))
    kinds: set[str] = set()
    if "properties" in schema:
        kinds.add("object")
    if "items" in schema:
        kinds.add("array")
    for value in schema.get("enum", ()):
        kinds.add(_kind_of(value))
    if "const" in schema:
        kinds.add(_kind_of(schema["const"]))
    return frozenset(kinds)


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"
