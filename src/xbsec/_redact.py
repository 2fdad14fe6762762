"""What a ``repr()`` may show of a value that holds a secret.

Reprs end up in logs, tracebacks and debugger sessions, so they show an ``Authorization``
value's scheme at most (a bearer token is valid for minutes, an OAuth 1.0a signature until
its nonce is used), no cookie, and the size of a body instead of the body (a decrypted
body is what encryption was for).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = ["credentials", "headers", "signed_parameters", "size"]

_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "proxy-authorization"})
_HIDDEN_HEADERS: Final = frozenset({"cookie", "set-cookie"})
_SCHEME: Final = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def credentials(value: str) -> str:
    """``"OAuth …"`` for ``"OAuth oauth_consumer_key=..."``; ``"…"`` for a bare token."""
    scheme, space, _ = value.strip(" \t").partition(" ")
    return f"{scheme} …" if space and _SCHEME.fullmatch(scheme) else "…"


def headers(values: Mapping[str, str]) -> dict[str, str]:
    """``values`` with credentials reduced to their scheme and cookies hidden."""
    shown = {}
    for name, value in values.items():
        lowered = name.lower()
        if lowered in _CREDENTIAL_HEADERS:
            value = credentials(value)
        elif lowered in _HIDDEN_HEADERS:
            value = "…"
        shown[name] = value
    return shown


def size(body: bytes | bytearray | memoryview) -> str:
    """``<123 bytes>``."""
    return f"<{len(body)} bytes>"


_OAUTH_PARAMETER: Final = re.compile(r'(oauth_[a-z_]+)="([^"]*)"')


def signed_parameters(value: str) -> str:
    """What an ``Authorization`` value says was signed, for a debug log: the OAuth 1.0a
    parameters but the signature; for a bearer token, its length only."""
    scheme, _, rest = value.strip(" \t").partition(" ")
    if scheme.lower() != "oauth":
        return f"{credentials(value)} ({len(rest.strip())} characters)"
    shown = [f"{name}={text}" for name, text in _OAUTH_PARAMETER.findall(rest)
             if name != "oauth_signature"]
    return "OAuth " + ", ".join(shown)
