"""Which envelope a Content-Type calls for (SPEC §3.2, §8.2).

The media type is compared without its parameters (``; charset=utf-8``) and without regard
to case (RFC 9110 §8.3.1). JSON: ``application/json`` and any ``+json`` type; XML:
``application/xml``, ``text/xml`` and any ``+xml`` type (RFC 6839 structured suffixes).
"""

from __future__ import annotations

from typing import Final, Literal, TypeAlias

__all__ = ["EnvelopeFormat", "envelope_format", "media_type"]

EnvelopeFormat: TypeAlias = Literal["json", "xml"]
"""The two forms of the ``encrypted_payload`` envelope."""

_JSON: Final = frozenset({"application/json"})
_XML: Final = frozenset({"application/xml", "text/xml"})


def media_type(content_type: str) -> str:
    """``type/subtype`` of a Content-Type value, lower-case, without parameters."""
    return content_type.split(";", 1)[0].strip(" \t").lower()


def envelope_format(content_type: str) -> EnvelopeFormat | None:
    """``"json"``, ``"xml"``, or ``None`` for a media type that is neither."""
    essence = media_type(content_type)
    kind, slash, subtype = essence.partition("/")
    if not kind or not slash or not subtype:
        return None
    suffix = subtype.rpartition("+")
    if essence in _JSON or (suffix[0] and suffix[2] == "json"):
        return "json"
    if essence in _XML or (suffix[0] and suffix[2] == "xml"):
        return "xml"
    return None
