"""Writes ``documents.py``: the contract's schemas as TypedDicts, so that mypy checks bodies.

    python -m xbsec.contract._codegen            # rewrites documents.py beside this module
    python -m xbsec.contract._codegen --check    # exit 1 if documents.py is out of date

Each object schema becomes a TypedDict of the same name: ``Required[...]`` or
``NotRequired[...]`` from the schema's ``required`` list (whichever marks fewer members),
``Literal[...]`` for an enumeration, ``list[...]`` for an array, ``... | None`` where null is
allowed. An enumeration, an array or a choice of forms named in the contract becomes a type
alias; a plain string schema (a length or a pattern only) is just ``str`` where it is used.
Wire names that are not Python identifiers get the functional TypedDict syntax.

Definitions come in dependency order and the module does without ``from __future__ import
annotations``: evaluated annotations are what give each TypedDict correct
``__required_keys__`` at run time (Python 3.11 cannot see ``Required[...]`` in a string).
The output depends on the contract alone (its order, no clock, no paths), and ruff accepts
it; a test regenerates it in memory and compares it with the committed file.
"""

from __future__ import annotations

import argparse
import json
import keyword
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from xbsec.errors import ConfigurationError

__all__ = ["main", "render"]

_LINE = 100
_HEADER = '''\
# Generated from xbs-openapi.json by xbsec.contract._codegen: do not edit.
# Regenerate with: python -m xbsec.contract._codegen
"""Typed documents of the XBS contract: one TypedDict (or alias) per schema of xbs-openapi.json.

Members follow each schema's ``required`` list, enumerations are ``Literal[...]`` and a member
that may be null is ``... | None``. Types only: nothing is checked at run time (the
validators of ``xbsec.contract`` do that).
"""
'''
_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
            "null": "None"}


def render(contract: Mapping[str, Any]) -> str:
    """The source of ``documents.py`` for ``contract`` (the parsed OpenAPI document)."""
    return _Generator(contract["components"]["schemas"]).module()


class _Generator:
    def __init__(self, schemas: Mapping[str, Mapping[str, Any]]) -> None:
        self._schemas = schemas
        self._typing: set[str] = set()

    def module(self) -> str:
        blocks = [self._definition(name) for name in self._order()]
        names = sorted(name for name in self._schemas if _is_definition(self._schemas[name]))
        exported = ["__all__ = ["] + [f'    "{name}",' for name in names] + ["]"]
        imports = f"from typing import {', '.join(sorted(self._typing))}"
        return "\n".join([_HEADER, imports, "", *exported, "", "", "\n\n\n".join(blocks), ""])

    # -- order: whatever a definition names at run time must be defined before it ---------

    def _order(self) -> list[str]:
        ordered: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            if name in seen:
                return
            seen.add(name)
            for dependency in _references(self._schemas[name]):
                if _is_definition(self._schemas[dependency]):
                    visit(dependency)
            ordered.append(name)

        for name, schema in self._schemas.items():
            if _is_definition(schema):
                visit(name)
        return ordered

    # -- definitions ------------------------------------------------------------------------

    def _definition(self, name: str) -> str:
        schema = self._schemas[name]
        if "properties" in schema:
            return self._typed_dict(name, schema)
        self._typing.add("TypeAlias")
        lines = [f"# {line}" for line in _wrap(schema.get("description", ""), _LINE - 2)]
        lines += _fit(f"{name}: TypeAlias = ", self._type(schema), "")
        return "\n".join(lines)

    def _typed_dict(self, name: str, schema: Mapping[str, Any]) -> str:
        self._typing.add("TypedDict")
        properties: Mapping[str, Any] = schema["properties"]
        required = set(schema.get("required", ())) & set(properties)
        total = len(required) > len(properties) - len(required)
        members = []
        for member, sub in properties.items():
            annotation = self._type(sub)
            if total and member not in required:
                self._typing.add("NotRequired")
                annotation = f"NotRequired[{annotation}]"
            elif not total and member in required:
                self._typing.add("Required")
                annotation = f"Required[{annotation}]"
            members.append((member, annotation))
        description = schema.get("description", "")
        if all(m.isidentifier() and not keyword.iskeyword(m) for m, _ in members):
            head = f"class {name}(TypedDict):" if total else \
                f"class {name}(TypedDict, total=False):"
            lines = [head, *_docstring(description, "    ")]
            for member, annotation in members:
                lines += _fit(f"    {member}: ", annotation, "")
            return "\n".join(lines)
        lines = [f"# {line}" for line in _wrap(description, _LINE - 2)]
        lines.append(f'{name} = TypedDict("{name}", {{')
        for member, annotation in members:
            lines += _fit(f"    {json.dumps(member)}: ", annotation, ",")
        lines.append("})" if total else "}, total=False)")
        return "\n".join(lines)

    # -- types --------------------------------------------------------------------------------

    def _type(self, schema: Mapping[str, Any]) -> str:
        target = schema.get("$ref")
        if isinstance(target, str):
            return self._reference(target)
        for choice in ("anyOf", "oneOf"):
            if choice in schema:
                return self._union(self._type(branch) for branch in schema[choice])
        if "const" in schema:
            return self._literal([schema["const"]])
        if "enum" in schema:
            return self._literal(schema["enum"])
        declared = schema.get("type")
        if isinstance(declared, list):
            return self._union(self._simple(t, schema) for t in declared)
        if isinstance(declared, str):
            return self._simple(declared, schema)
        if "properties" in schema:
            return self._simple("object", schema)
        self._typing.add("Any")
        return "Any"

    def _simple(self, declared: str, schema: Mapping[str, Any]) -> str:
        if declared in _SCALARS:
            return _SCALARS[declared]
        if declared == "array":
            return f"list[{self._type(schema.get('items', {}))}]"
        if declared != "object":
            raise ConfigurationError(f"unknown JSON Schema type {declared!r}")
        if "properties" in schema:
            raise ConfigurationError("an object schema with properties must be a named "
                                     "component to become a TypedDict")
        self._typing.add("Any")
        return "dict[str, Any]"

    def _reference(self, target: str) -> str:
        name = target.rsplit("/", 1)[-1]
        if name not in self._schemas:
            raise ConfigurationError(f"unresolved reference {target!r}")
        schema = self._schemas[name]
        return name if _is_definition(schema) else self._type(schema)

    def _literal(self, values: Sequence[Any]) -> str:
        self._typing.add("Literal")
        present = [v for v in values if v is not None]
        literal = f"Literal[{', '.join(json.dumps(v) for v in present)}]"
        return literal + (" | None" if len(present) < len(values) else "")

    def _union(self, members: Iterable[str]) -> str:
        unique: list[str] = []
        for member in members:
            for part in member.split(" | ") if "[" not in member else [member]:
                if part not in unique:
                    unique.append(part)
        if "Any" in unique:
            return "Any"
        if "None" in unique:  # None last, as people write it
            unique = [m for m in unique if m != "None"] + ["None"]
        return " | ".join(unique)


def _is_definition(schema: Mapping[str, Any]) -> bool:
    """Whether a named schema gets a definition (else it is written out where used)."""
    return any(key in schema for key in ("properties", "enum", "const", "anyOf", "oneOf")) \
        or schema.get("type") == "array"


def _references(schema: Any) -> list[str]:
    found: list[str] = []
    if isinstance(schema, Mapping):
        for key, value in schema.items():
            if key == "$ref" and isinstance(value, str):
                found.append(value.rsplit("/", 1)[-1])
            else:
                found += _references(value)
    elif isinstance(schema, list):
        for item in schema:
            found += _references(item)
    return found


def _fit(head: str, annotation: str, tail: str) -> list[str]:
    """``head + annotation + tail`` on one line, or its Literal spread over several."""
    line = f"{head}{annotation}{tail}"
    if len(line) <= _LINE:
        return [line]
    outer = " " * (len(head) - len(head.lstrip()))
    inner = outer + "    "
    start = annotation.find("Literal[")
    if start < 0:  # a long union: in parentheses, one member a line if need be
        if len(inner + annotation) <= _LINE:
            return [f"{head}(", f"{inner}{annotation}", f"{outer}){tail}"]
        first, *others = annotation.split(" | ")
        return [f"{head}(", f"{inner}{first}", *(f"{inner}| {m}" for m in others),
                f"{outer}){tail}"]
    opening = start + len("Literal[")
    closing = annotation.index("]", opening)
    values = [value.strip() for value in annotation[opening:closing].split(",")]
    return [f"{head}{annotation[:opening]}", *(f"{inner}{v}," for v in values),
            f"{outer}{annotation[closing:]}{tail}"]


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_on_hyphens=False) if text else []


def _docstring(text: str, indent: str) -> list[str]:
    text = text.replace("\\", "\\\\")
    if not text:
        return []
    single = f'{indent}"""{text}"""'
    if len(single) <= _LINE and not text.endswith('"'):
        return [single]
    lines = _wrap(text, _LINE - len(indent) - len('"""'))
    return [f'{indent}"""{lines[0]}', *(f"{indent}{line}" for line in lines[1:]),
            f'{indent}"""']


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xbsec.contract._codegen",
                                     description="Regenerate xbsec/contract/documents.py.")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if documents.py is out of date")
    options = parser.parse_args(argv)
    here = Path(__file__).resolve().parent
    source = render(json.loads((here / "xbs-openapi.json").read_text(encoding="utf-8")))
    target = here / "documents.py"
    if options.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != source:
            print(f"{target} is out of date: run python -m xbsec.contract._codegen",
                  file=sys.stderr)
            return 1
        return 0
    target.write_text(source, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
