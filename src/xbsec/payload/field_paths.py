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


class _Member:
    """The place of one member in an object."""

    __slots__ = ("name", "owner")

    def __init__(self, owner: dict[str, JsonValue], name: str) -> None:
        self.owner = owner
        self.name = name

    def read(self) -> JsonValue:
        return self.owner.get(self.name)

    def write(self, value: JsonValue) -> None:
        self.owner[self.name] = value

    def take(self) -> JsonValue:
        return self.owner.pop(self.name)


class _Element:
    """The place of one element in an array (or of the document in its root holder)."""

    __slots__ = ("index", "owner")

    def __init__(self, owner: list[JsonValue], index: int) -> None:
        self.owner = owner
        self.index = index

    def read(self) -> JsonValue:
        return self.owner[self.index]

    def write(self, value: JsonValue) -> None:
        self.owner[self.index] = value

    def take(self) -> JsonValue:
        # An element cannot go without shifting its neighbours: leave an empty object to be
        # filled in place (field_config only allows in-place rules for such paths).
        value = self.owner[self.index]
        self.owner[self.index] = {}
        return value


def _slot(root: Root, location: Location, path_text: str) -> _Member | _Element:
    """The place ``location`` names, creating missing or ``null`` parent objects."""
    slot: _Member | _Element = _Element(root, 0)
    for key in location[1:]:
        node = slot.read()
        if node is None and isinstance(key, str):
            node = {}
            slot.write(node)
        if isinstance(key, str):
            if not isinstance(node, dict):
                raise _not(path_text, "an object", node)
            slot = _Member(node, key)
        else:
            if not isinstance(node, list):
                raise _not(path_text, "an array", node)
            if key >= len(node):
                raise PayloadError(
                    f"field path {path_text!r} names an array element that is absent"
                )
            slot = _Element(node, key)
    return slot


def _not(path_text: str, expected: str, node: JsonValue) -> PayloadError:
    return PayloadError(
        f"field path {path_text!r} expects {expected} but the document has {_kind(node)} there"
    )


def get(root: Root, location: Location) -> JsonValue:
    """The value at a location that ``FieldPath.find`` returned."""
    return _slot(root, location, "").read()


def take(root: Root, location: Location) -> JsonValue:
    """Remove and return the value at a location that ``FieldPath.find`` returned. The
    document itself or an array element is replaced by an empty object instead."""
    return _slot(root, location, "").take()


def remove(root: Root, location: Location) -> None:
    """Remove the value at a location that ``FieldPath.find`` returned (the document itself
    or an array element is emptied instead, as by ``take``)."""
    _slot(root, location, "").take()


def object_at(root: Root, location: Location, path_text: str) -> dict[str, JsonValue]:
    """The object at ``location``, created (with missing parent objects) when absent or
    ``null``. Anything else there is a ``PayloadError``."""
    slot = _slot(root, location, path_text)
    current = slot.read()
    if current is None:
        current = {}
        slot.write(current)
    if not isinstance(current, dict):
        raise _not(path_text, "an object", current)
    return current


def put(root: Root, location: Location, value: JsonValue, path_text: str) -> None:
    """Set the value at ``location`` (creating missing parent objects). An object already
    there takes an object's members (merged, as Mastercard's libraries do); anything else
    is replaced."""
    slot = _slot(root, location, path_text)
    current = slot.read()
    if isinstance(current, dict) and isinstance(value, dict):
        current.update(value)
    else:
        slot.write(value)


def add_fields(node: dict[str, JsonValue], fields: Mapping[str, JsonValue]) -> None:
    """Write an encrypted node's ``fields`` into ``node``, never over a member already there
    (two rules sharing a target, or a target that already has a member of that name)."""
    if not node.keys().isdisjoint(fields):
        raise PayloadError(
            "an encrypted field's target already holds a member with an encryption field's "
            "name; encrypting would overwrite it"
        )
    node.update(fields)
