"""Reading ``application/x-www-form-urlencoded`` bodies and query strings strictly.

RFC 6749 §3.1 and §3.2: a parameter sent without a value is treated as absent, and no
parameter may appear twice. A repeated parameter is refused rather than resolved (first or
last wins), because two components resolving it differently is how parameter-pollution
attacks work. Bytes that are not UTF-8 after percent-decoding are refused too.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import parse_qsl

from xbsec.sandbox.authorization_server.oauth_errors import InvalidRequestError

__all__ = ["MAX_FIELDS", "Form", "read_form"]

MAX_FIELDS: Final = 64


class Form:
    """The parameters of one request, each at most once; empty values are absent."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def require(self, name: str) -> str:
        value = self._values.get(name)
        if value is None:
            raise InvalidRequestError(f"the {name} parameter is missing")
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._values


def read_form(raw: bytes | str) -> Form:
    """The parameters in ``raw`` (a form body or a query string), or ``InvalidRequestError``."""
    try:
        text = raw.decode("ascii") if isinstance(raw, bytes) else raw
        # A well-formed form body is ASCII; the percent-escapes inside must be UTF-8.
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text),
                          encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeError, ValueError):
        raise InvalidRequestError("the parameters are not well-formed "
                                  "application/x-www-form-urlencoded UTF-8") from None
    values: dict[str, str] = {}
    seen: set[str] = set()
    for name, value in pairs:
        if name in seen:
            raise InvalidRequestError(f"the {name[:40]} parameter is repeated")
        seen.add(name)
        if value:
            values[name] = value
    return Form(values)
