"""Reading a JOSE JSON object (a header or a claims set) strictly.

``read_object`` returns ``None`` for anything but one JSON object in UTF-8 whose member
names are all distinct and that uses no ``NaN``/``Infinity``. RFC 7515 §4 lets a parser
either reject repeated names or keep the last one; two parsers keeping different ones is
how header-confusion attacks start, so repeated names are rejected. Callers map ``None``
to their own error, as with ``b64.decode``.
"""

from __future__ import annotations

import json
from typing import Any, Final

__all__ = ["read_object"]


class _Rejected(ValueError):
    pass


def _distinct_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise _Rejected
    return members


def _no_constants(name: str) -> Any:
    raise _Rejected


_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_distinct_members, parse_constant=_no_constants
)


def read_object(raw: bytes) -> dict[str, Any] | None:
    """The JSON object encoded in ``raw``, or ``None`` if it is not one (see above)."""
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        return None
    return value if isinstance(value, dict) else None
