"""Strict JSON for the documents we are handed, and one way of writing them back.

Reading refuses what two JSON parsers may read differently, because the envelope and the
field-level scheme are read by one party and written by another:

- text that is not UTF-8, a byte-order mark, trailing data after the value;
- a member name repeated in one object (RFC 8259 §4 leaves the result undefined);
- ``NaN``, ``Infinity`` and numbers too large for a float (they cannot be written back as
  JSON); integers of more than 4,300 digits (CPython's own limit for ``int()`` of a string,
  applied here whatever the interpreter is set to: converting them takes quadratic time);
- nesting deeper than the interpreter's recursion limit.

Each is a ``PayloadError`` that says what is wrong and where (line and column), never what
the document says.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any, Final, TypeAlias

from xbsec.errors import PayloadError

__all__ = ["JsonValue", "copy_json", "dump_copied_json", "dump_json", "parse_json",
           "parse_plaintext"]

JsonValue: TypeAlias = "dict[str, JsonValue] | list[JsonValue] | str | int | float | bool | None"
"""A JSON value as Python holds it: ``dict``, ``list``, ``str``, ``int``, ``float``, ``bool``,
``None``."""


class _RepeatedMember(ValueError):
    pass


class _NotFinite(ValueError):
    pass


MAX_INTEGER_DIGITS: Final = 4300
"""Longest integer read, in digits (``sys.int_info.default_max_str_digits``)."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _RepeatedMember
    return obj


def _no_constant(name: str) -> Any:
    raise _NotFinite


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotFinite
    return value


def _bounded_int(text: str) -> int:
    # The JSON grammar gives "-?digits" here: the length check needs no parsing.
    if len(text) - text.startswith("-") > MAX_INTEGER_DIGITS:
        raise _NotFinite
    return int(text)


_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_object, parse_constant=_no_constant, parse_float=_finite,
    parse_int=_bounded_int,
)
_SCALARS: Final = (str, bool, int)
_COMPACT: Final = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_ESCAPED: Final = json.JSONEncoder(allow_nan=False, separators=(",", ":"))


def _tree_encoder() -> Any:
    """``_COMPACT``'s C encoder built once, without the cycle check (for values that
    ``copy_json`` made, which are trees); ``None`` where the interpreter has none, or one
    that does not write exactly as ``_COMPACT``."""
    try:
        from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]

        encoder = c_make_encoder(None, _COMPACT.default, c_encode_basestring, None, ":", ",",
                                 False, False, False)
        sample = {"a": [1, 2.5, True, None, "é\u2028\"\ud800"], "b": {}, "c": -0.0}
        if "".join(encoder(sample, 0)) != _COMPACT.encode(sample):
            return None
        return encoder
    except Exception:  # not CPython's _json, or another signature
        return None


_TREE_ENCODER: Final = _tree_encoder()


_scan: Final[Callable[[str, int], tuple[Any, int]]] = (
    _DECODER.scan_once)  # type: ignore[attr-defined]  # set in JSONDecoder.__init__
_space: Final = re.compile(r"[ \t\n\r]*").match  # json.decoder.WHITESPACE


def _decode(text: str) -> JsonValue:
    # Raises the private ValueErrors above, JSONDecodeError or RecursionError.
    # JSONDecoder.decode and raw_decode, written out: two Python calls fewer on every
    # document and every decrypted field.
    try:
        value, end = _scan(text, _space(text, 0).end())  # type: ignore[union-attr]
    except StopIteration as stop:
        raise json.JSONDecodeError("Expecting value", text, stop.value) from None
    end = _space(text, end).end()  # type: ignore[union-attr]
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value  # type: ignore[no-any-return]


def parse_json(
    data: bytes | bytearray | memoryview | str, *, what: str = "the document"
) -> JsonValue:
    """Read one JSON value under the rules above, or raise ``PayloadError``.

    ``what`` names the thing in the error message ("the JSON envelope", ...).
    """
    if isinstance(data, str):
        text = data
    else:
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise PayloadError(f"{what} is not valid UTF-8") from None
    try:
        return _decode(text)
    except _RepeatedMember:
        raise PayloadError(f"{what} repeats a member name in one object") from None
    except _NotFinite:
        raise PayloadError(f"{what} holds NaN, Infinity or an out-of-range number") from None
    except json.JSONDecodeError as error:
        raise PayloadError(
            f"{what} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise PayloadError(f"{what} is nested too deeply") from None
    except ValueError:  # any other refusal of a hook or of int(): never past this function
        raise PayloadError(f"{what} holds a number that cannot be read") from None


def parse_plaintext(text: str) -> JsonValue:
    """A decrypted field value: its JSON, or the text itself when it is not JSON.

    Mastercard's libraries encrypt a string field as its bare characters, not as a JSON
    string, and read any plaintext that does not parse as a string (SPEC §4.2). xbsec always
    encrypts JSON, so its own values come back exactly; a bare ``123`` sent by those
    libraries for the string ``"123"`` cannot be told from a number, and is read as one.
    A repeated member name is still refused.
    """
    try:
        return _decode(text)
    except _RepeatedMember:
        raise PayloadError("a decrypted value repeats a member name in one object") from None
    except (ValueError, RecursionError):  # JSONDecodeError and _NotFinite included
        return text


def dump_json(value: JsonValue) -> bytes:
    """Compact UTF-8 JSON (no whitespace); non-ASCII text kept as is.

    A string holding a lone surrogate has no UTF-8 form; then the whole value is written with
    ``\\u`` escapes instead, which every JSON reader takes back to the same string.
    """
    try:
        text = _COMPACT.encode(value)
    except (ValueError, TypeError):
        raise PayloadError("the document holds a value that is not JSON") from None
    except RecursionError:
        raise PayloadError("the document is nested too deeply") from None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _ESCAPED.encode(value).encode("ascii")


def dump_copied_json(value: JsonValue) -> bytes:
    """``dump_json`` of a value that ``copy_json`` or ``parse_json`` made (so a tree of
    plain JSON values): the same bytes, without building an encoder for each call."""
    if _TREE_ENCODER is None:
        return dump_json(value)
    try:
        return "".join(_TREE_ENCODER(value, 0)).encode("utf-8")
    except (ValueError, TypeError, RecursionError, UnicodeEncodeError):
        return dump_json(value)  # says what is wrong, or escapes a lone surrogate


def copy_json(value: object) -> JsonValue:
    """A deep copy of a JSON value given as Python objects, checked on the way.

    The field-level functions work on a copy, so that a failure half-way leaves the caller's
    document as it was. Anything that is not JSON (a tuple, a non-string key, NaN, bytes) is
    a ``PayloadError``.
    """
    try:
        return _copy(value)
    except RecursionError:
        raise PayloadError("the document is nested too deeply") from None


_LEAVES: Final = frozenset({str, int, bool, type(None)})
"""Exact types that ``_copy`` returns as they are (a float is checked for NaN first)."""


def _copy(value: object) -> JsonValue:
    # Exact types first: this runs once per node of every document, and a type() lookup is
    # far cheaper than isinstance() against several classes; subclasses take the long way.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # type: ignore[return-value]
    if kind is dict:
        copied_exact: dict[str, JsonValue] = {}
        for name, item in value.items():  # type: ignore[attr-defined]
            if type(name) is not str:
                raise PayloadError("a member name in the document is not a string")
            # Strings and the other plain leaves are kept without a call of their own.
            copied_exact[name] = item if type(item) in _LEAVES else _copy(item)
        return copied_exact
    if kind is list:
        return [item if type(item) in _LEAVES else _copy(item)
                for item in value]  # type: ignore[attr-defined]
    if isinstance(value, dict):
        copied: dict[str, JsonValue] = {}
        for name, item in value.items():
            if not isinstance(name, str):
                raise PayloadError("a member name in the document is not a string")
            copied[name] = _copy(item)
        return copied
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if value is None or isinstance(value, _SCALARS):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise PayloadError(f"the document holds a {type(value).__name__}, which is not JSON")
