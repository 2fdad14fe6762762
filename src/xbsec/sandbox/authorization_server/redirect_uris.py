"""Which redirect URIs a client may name, and how a response is added to one.

A requested URI must equal a registered one character for character (RFC 6749 §3.1.2.3,
and the OAuth 2.0 Security BCP's exact matching: no prefix, no pattern). One exception,
RFC 8252 §7.3: a registered loopback URI ``http://127.0.0.1[:port]/path`` or
``http://[::1][:port]/path`` also matches the same URI on any port, because a native client
(``xbsec oauth2 login``) listens on whatever port the system gives it. Only the port may
differ; scheme, address, path and query must be identical, there is no user info and no
fragment, and ``localhost`` is not a loopback address here (RFC 8252 §8.3: it may resolve
elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import urlencode, urlsplit, urlunsplit

__all__ = ["redirect_uri_allowed", "with_parameters"]

# scheme "http", a loopback literal, an optional port, then the rest (path, query).
_LOOPBACK: Final = re.compile(
    r"http://(?P<host>127\.0\.0\.1|\[::1\])(?::(?P<port>[0-9]{1,5}))?(?P<rest>[/?][^#]*)?")


def _loopback_parts(uri: str) -> tuple[str, str] | None:
    match = _LOOPBACK.fullmatch(uri)
    if match is None:
        return None
    port = match.group("port")
    if port is not None and not 1 <= int(port) <= 65535:
        return None
    return match.group("host"), match.group("rest") or "/"


def redirect_uri_allowed(requested: str, registered: Iterable[str], *,
                         loopback_any_port: bool = True) -> bool:
    """Whether ``requested`` may receive this client's authorization response."""
    registered = tuple(registered)
    if requested in registered:
        return True
    if not loopback_any_port:
        return False
    wanted = _loopback_parts(requested)
    if wanted is None:
        return False
    return any(_loopback_parts(uri) == wanted for uri in registered)


def with_parameters(uri: str, parameters: Mapping[str, str]) -> str:
    """``uri`` with ``parameters`` added to its query, keeping what it had (RFC 6749 §3.1.2)."""
    parts = urlsplit(uri)
    added = urlencode(list(parameters.items()))
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
