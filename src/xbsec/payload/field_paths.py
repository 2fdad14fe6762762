"""Paths into a JSON document for field-level encryption, and the edits made along them.

Syntax (a small, exact subset of JSONPath):

- ``$``: the whole document;
- ``$.a.b`` or ``a.b``: members (Mastercard's Python library writes paths without ``$.``, its
  Java library with; both mean the same here);
- ``$.list[0].x``: an array element by index; ``$.list[*].x``: every element.

A member name is any non-empty text without ``.``, ``[`` or ``]``.

Reading a path, an absent member, an index past the end, or ``null`` on the way means "not
there" and the field is skipped. A path that meets the wrong kind of value is an error,
never a guess: a member name applied to an array (Mastercard's libraries silently take the
first element, leaving the others in clear), an index applied to an object, or a step into a
string or number is a ``PayloadError``.

Edits work on a one-element list holding the document (the "root holder"), so that the whole
document is replaced the same way as any member: a location is the chain of keys from the
holder, starting with ``0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypeAlias

from xbsec.errors import ConfigurationError, PayloadError
from xbsec.payload.json_document import JsonValue

__all__ = [
    "FieldPath",
    "Location",
    "Root",
    "add_fields",
    "get",
    "object_at",
    "put",
    "remove",
    "take",
]

Segment: TypeAlias = str | int | None
"""A member name, an array index, or ``None`` for ``[*]``."""

Location: TypeAlias = tuple[str | int, ...]
"""A concrete place in a root holder: ``(0, "list", 2, "x")``."""

Root: TypeAlias = list[JsonValue]
"""A one-element list holding the document being edited."""

_WILDCARD: Final = None


def _kind(value: JsonValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a string" if isinstance(value, str) else "a scalar"


class FieldPath:
    """A parsed path. Equal when the segments are (``$.a`` == ``a``)."""

    __slots__ = ("_fixed", "segments", "text")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise ConfigurationError("a field path must be a string")
        self.text = text
        self.segments = _parse(text)
        # Without [*] a path names one place, worked out once.
        names = tuple(segment for segment in self.segments if segment is not _WILDCARD)
        self._fixed: Location | None = (0, *names) if len(names) == len(self.segments) else None

    def __repr__(self) -> str:
        return f"FieldPath({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldPath) and other.segments == self.segments

    def __hash__(self) -> int:
        return hash(self.segments)

    @property
    def wildcards(self) -> int:
        """How many ``[*]`` the path has."""
        return sum(segment is _WILDCARD for segment in self.segments)

    @property
    def ends_in_element(self) -> bool:
        """Whether the path names the whole document or an array element (which can be
        replaced in place but not removed)."""
        return not self.segments or not isinstance(self.segments[-1], str)

    def find(self, root: Root) -> list[tuple[Location, tuple[int, ...]]]:
        """Every place the path names that holds a value (``null`` included), with the
        indices its ``[*]`` took there. Raises ``PayloadError`` as described above."""
        if self._fixed is not None:
            return self._find_fixed(root[0])
        frontier: list[tuple[JsonValue, Location, tuple[int, ...]]] = [(root[0], (0,), ())]
        for segment in self.segments:
            following: list[tuple[JsonValue, Location, tuple[int, ...]]] = []
            for node, location, bound in frontier:
                if node is None:
                    continue
                if isinstance(segment, str):
                    if not isinstance(node, dict):
                        raise self._mismatch(node, "an object")
                    if segment in node:
                        following.append((node[segment], (*location, segment), bound))
                    continue
                if not isinstance(node, list):
                    raise self._mismatch(node, "an array")
                if segment is _WILDCARD:
                    following.extend(
                        (item, (*location, index), (*bound, index))
                        for index, item in enumerate(node)
                    )
                elif segment < len(node):
                    following.append((node[segment], (*location, segment), bound))
            frontier = following
        return [(location, bound) for _, location, bound in frontier]

    def _find_fixed(self, node: JsonValue) -> list[tuple[Location, tuple[int, ...]]]:
        # A path without [*] names at most one place: walk straight to it.
        for segment in self.segments:
            if node is None:
                return []
            if isinstance(segment, str):
                if not isinstance(node, dict):
                    raise self._mismatch(node, "an object")
                if segment not in node:
                    return []
                node = node[segment]
            else:
                if not isinstance(node, list):
                    raise self._mismatch(node, "an array")
                if segment >= len(node):  # type: ignore[operator]  # never None here
                    return []
                node = node[segment]  # type: ignore[index]
        assert self._fixed is not None
        return [(self._fixed, ())]

    def bind(self, indices: tuple[int, ...]) -> Location:
        """The location this path names when its ``[*]`` take ``indices`` (in order)."""
        if self._fixed is not None:
            return self._fixed
        chosen = iter(indices)
        return (
            0,
            *(next(chosen) if segment is _WILDCARD else segment for segment in self.segments),
        )

    def _mismatch(self, node: JsonValue, expected: str) -> PayloadError:
        hint = "; name the elements with [n] or [*]" if isinstance(node, list) else ""
        return PayloadError(
            f"field path {self.text!r} expects {expected} but the document has "
            f"{_kind(node)} there{hint}"
        )


def _parse(text: str) -> tuple[Segment, ...]:
    if text == "$":
        return ()
    rest = text[1:] if text.startswith(("$.", "$[")) else "." + text
    segments: list[Segment] = []
    position = 0
    while position < len(rest):
        char = rest[position]
        if char == ".":
            end = position + 1
            while end < len(rest) and rest[end] not in ".[]":
                end += 1
            if end == position + 1:
                raise ConfigurationError(f"field path {text!r} has an empty member name")
            segments.append(rest[position + 1 : end])
        elif char == "[":
            end = rest.find("]", position)
            inner = rest[position + 1 : end] if end > 0 else ""
            if inner == "*":
                segments.append(_WILDCARD)
            elif inner.isdigit() and inner.isascii() and (inner == "0" or inner[0] != "0"):
                segments.append(int(inner))
            else:
                raise ConfigurationError(
                    f"field path {text!r}: write an index as [n] (no sign or leading zero) or [*]"
                )
        else:
            raise ConfigurationError(f"field path {text!r} has a stray {char!r}")
        position = end + (char == "[")
    return tuple(segments)


# --- edits -----------------------------------------------------------------------------


def _parent(root: Root, location: Location) -> JsonValue:
    """The container holding the value at a location that ``FieldPath.find`` returned (every
    step of it exists, and none is ``null``)."""
    node: JsonValue = root
    for key in location[:-1]:
        node = node[key]  # type: ignore[index]
    return node


def _not(path_text: str, expected: str, node: JsonValue) -> PayloadError:
    return PayloadError(
        f"field path {path_text!r} expects {expected} but the document has {_kind(node)} there"
    )


def get(root: Root, location: Location) -> JsonValue:
    """The value at a location that ``FieldPath.find`` returned."""
    return _parent(root, location)[location[-1]]  # type: ignore[index]


def take(root: Root, location: Location) -> JsonValue:
    """Remove and return the value at a location that ``FieldPath.find`` returned. The
    document itself or an array element is replaced by an empty object instead."""
    owner = _parent(root, location)
    key = location[-1]
    if isinstance(key, str):
        return owner.pop(key)  # type: ignore[union-attr, arg-type]
    # An element cannot go without shifting its neighbours: leave an empty object to be
    # filled in place (field_config only allows in-place rules for such paths).
    value = owner[key]  # type: ignore[index]
    owner[key] = {}  # type: ignore[index]
    return value


def remove(root: Root, location: Location) -> None:
    """Remove the value at a location that ``FieldPath.find`` returned (the document itself
    or an array element is emptied instead, as by ``take``)."""
    take(root, location)


def _owner(root: Root, location: Location,
           path_text: str) -> dict[str, JsonValue] | list[JsonValue]:
    """The container that holds (or is to hold) the value at ``location``, creating missing
    or ``null`` parent objects; ``PayloadError`` for anything else in the way."""
    owner: dict[str, JsonValue] | list[JsonValue] = root
    at: str | int = 0
    for key in location[1:]:
        node = _read(owner, at)
        if isinstance(key, str):
            if node is None:
                node = {}
                owner[at] = node  # type: ignore[index]
            if not isinstance(node, dict):
                raise _not(path_text, "an object", node)
        else:
            if not isinstance(node, list):
                raise _not(path_text, "an array", node)
            if key >= len(node):
                raise PayloadError(
                    f"field path {path_text!r} names an array element that is absent"
                )
        owner, at = node, key
    return owner  # the root holder itself, for the document


def _read(owner: dict[str, JsonValue] | list[JsonValue], key: str | int) -> JsonValue:
    return owner.get(key) if isinstance(owner, dict) else owner[key]  # type: ignore[arg-type, index]


def object_at(root: Root, location: Location, path_text: str) -> dict[str, JsonValue]:
    """The object at ``location``, created (with missing parent objects) when absent or
    ``null``. Anything else there is a ``PayloadError``."""
    owner = _owner(root, location, path_text)
    key = location[-1]
    current = _read(owner, key)
    if current is None:
        current = {}
        owner[key] = current  # type: ignore[index]
    if not isinstance(current, dict):
        raise _not(path_text, "an object", current)
    return current


def put(root: Root, location: Location, value: JsonValue, path_text: str) -> None:
    """Set the value at ``location`` (creating missing parent objects). An object already
    there takes an object's members (merged, as Mastercard's libraries do); anything else
    is replaced."""
    owner = _owner(root, location, path_text)
    key = location[-1]
    current = _read(owner, key)
    if isinstance(current, dict) and isinstance(value, dict):
        current.update(value)
    else:
        owner[key] = value  # type: ignore[index]


def add_fields(node: dict[str, JsonValue], fields: Mapping[str, JsonValue]) -> None:
    """Write an encrypted node's ``fields`` into ``node``, never over a member already there
    (two rules sharing a target, or a target that already has a member of that name)."""
    if not node.keys().isdisjoint(fields):
        raise PayloadError(
            "an encrypted field's target already holds a member with an encryption field's "
            "name; encrypting would overwrite it"
        )
    node.update(fields)
