"""The ``error`` and ``error_description`` of an RFC 6749 error, made safe to show or send.

``wire_description`` is for the side that sends one: RFC 6749 §5.2 (and RFC 6750 §3 for a
``WWW-Authenticate`` challenge) allows printable ASCII without ``"`` and ``\\`` only.

The others read what comes from the other side (a redirect's query, a token endpoint's
JSON), so they are cut to the characters RFC 6749 §4.1.2.1 and §5.2 allow (printable
ASCII, no ``"`` or ``\\``) and to a length a terminal line can hold: nothing an
authorization server sends can forge a second log line or flood the screen.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_DESCRIPTION", "clean_description", "clean_error", "wire_description"]

MAX_DESCRIPTION: Final = 200
_MAX_ERROR: Final = 64
_ALLOWED: Final = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}


def _clean(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    kept = "".join(c if c in _ALLOWED else "?" for c in value[:limit])
    return kept + "…" if len(value) > limit else kept


def clean_error(value: object) -> str | None:
    """An ``error`` code fit to show, or ``None`` when there is none."""
    return _clean(value, _MAX_ERROR)


def clean_description(value: object) -> str | None:
    """An ``error_description`` fit to show, or ``None`` when there is none."""
    return _clean(value, MAX_DESCRIPTION)


_SPELLED: Final = {"\u00a7": "section ", "\u2026": "...", '"': "'", "\\": "/"}


def wire_description(text: str) -> str:
    """``text`` as an ``error_description`` may be sent: a section sign spelled out, a
    double quote made single, anything else outside the allowed characters a ``?``."""
    for character, spelled in _SPELLED.items():
        text = text.replace(character, spelled)
    return "".join(c if c in _ALLOWED else "?" for c in text)
