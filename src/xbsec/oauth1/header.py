"""The ``Authorization: OAuth ...`` header: build it exactly, parse it strictly (SPEC §2.3, §2.7).

Built as Mastercard's signers build it: ``OAuth`` and one space, then ``name="value"`` pairs
joined by a bare comma, only ``oauth_signature`` percent-encoded.

Parsed strictly: the scheme matched case-insensitively and followed by spaces (RFC 9110
§11.4: ``1*SP``, so not a tab); optional white space around commas;
every value quoted; each value RFC 3986 percent-decoded (never form-decoded, so a raw ``+``
in ``oauth_body_hash`` stays a ``+``); a duplicate, unknown or missing parameter refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from xbsec.errors import InvalidAuthHeaderError
from xbsec.oauth1.encoding import pct_base64

__all__ = ["MAX_HEADER_LENGTH", "REQUIRED_PARAMS", "format_authorization", "parse_authorization"]

MAX_HEADER_LENGTH = 8192
REQUIRED_PARAMS = (
    "oauth_consumer_key", "oauth_nonce", "oauth_timestamp",
    "oauth_signature_method", "oauth_signature",
)

# RFC 9110 §11.4: the scheme, then one or more SP (not a tab) before the parameters.
_SCHEME = re.compile(r"[Oo][Aa][Uu][Tt][Hh](?: +(?![ \t])|$)")
# name="value" followed by a comma (with optional white space) or the end.
_PARAM = re.compile(r'([A-Za-z0-9_.-]+)="([^"\\]*)"[ \t]*(?:,[ \t]*|$)')
_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_KNOWN_NAMES = frozenset(REQUIRED_PARAMS) | {"oauth_version", "oauth_body_hash", "realm"}
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _parse_simple(value: str, pos: int) -> dict[str, str] | None:
    """The common shape, parsed in one pass with string operations.

    ``value`` ends with a quote, so ``value[pos:-1]`` split at ``",`` gives one
    ``name="value`` piece per parameter (a value holds no quote). ``None`` when anything is
    unusual (white space before a comma, a comma inside a quoted realm, say): the caller then
    takes the strict, regular-expression path, which also says where a bad header breaks.
    """
    if value[-1] != '"':
        return None
    params: dict[str, str] = {}
    realm = False
    for piece in value[pos:-1].split('",'):
        name, sep, inner = piece.partition('="')
        if name not in _KNOWN_NAMES:
            name = name.lstrip(" \t")  # white space after a comma
            if not _NAME.fullmatch(name):
                return None
        if not sep or '"' in inner or "\\" in inner:
            return None
        if name in params or (realm and name == "realm"):
            raise InvalidAuthHeaderError(f"parameter {name} appears more than once")
        if name == "realm":
            realm = True
        elif not name.startswith("oauth_"):
            raise InvalidAuthHeaderError(f"unexpected parameter {name} in the OAuth header")
        else:
            params[name] = _decode(name, inner) if "%" in inner else inner
    return params


def _split_strict(value: str, pos: int) -> list[tuple[str, str]]:
    """Pair by pair with a regular expression; says where the header stops making sense."""
    pairs = []
    end = len(value)
    while pos < end:
        match = _PARAM.match(value, pos)
        if match is None:
            raise InvalidAuthHeaderError(
                f"malformed OAuth parameter list at character {pos}: "
                'expected name="value" pairs separated by commas'
            )
        pairs.append((match.group(1), match.group(2)))
        pos = match.end()
    return pairs


def _params(pairs: list[tuple[str, str]]) -> dict[str, str]:
    params: dict[str, str] = {}
    seen: set[str] = set()
    for name, raw in pairs:
        if name in seen:
            raise InvalidAuthHeaderError(f"parameter {name} appears more than once")
        seen.add(name)
        if name == "realm":
            continue
        if not name.startswith("oauth_"):
            raise InvalidAuthHeaderError(f"unexpected parameter {name} in the OAuth header")
        params[name] = _decode(name, raw) if "%" in raw else raw
    return params


def _decode(name: str, raw: str) -> str:
    # A signature needs only %2B %2F %3D undone: skip unquote's general machinery for it.
    fast = raw.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=")
    if "%" not in fast:
        return fast
    if _BAD_ESCAPE.search(raw):
        raise InvalidAuthHeaderError(f"parameter {name} holds a malformed %-escape")
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise InvalidAuthHeaderError(f"parameter {name} is not UTF-8") from None


def format_authorization(params: Iterable[tuple[str, str]], signature: str) -> str:
    """``OAuth k="v",...,oauth_signature="pct(signature)"`` with values as given (SPEC §2.3).

    ``signature`` is standard base64.
    """
    parts = [f'{name}="{value}"' for name, value in params]
    parts.append(f'oauth_signature="{pct_base64(signature)}"')
    return "OAuth " + ",".join(parts)


def parse_authorization(value: str | None) -> dict[str, str]:
    """The decoded ``oauth_*`` parameters of an OAuth Authorization header value.

    ``realm`` is accepted and dropped (RFC 5849 §3.4.1.3.1). Raises
    ``InvalidAuthHeaderError`` (400 INVALID_AUTH_HEADER) for anything malformed.
    """
    if value is None:
        raise InvalidAuthHeaderError("the Authorization header is missing")
    if len(value) > MAX_HEADER_LENGTH:
        raise InvalidAuthHeaderError("the Authorization header is too long")
    value = value.strip(" \t")
    if not value.strip():
        raise InvalidAuthHeaderError("the Authorization header is missing")
    if value.startswith("OAuth ") and value[6:7] not in (" ", "\t"):
        pos = 6  # as every signer spells it: no pattern needed
    else:
        scheme = _SCHEME.match(value)
        if scheme is None:
            raise InvalidAuthHeaderError("the Authorization scheme is not OAuth")
        pos = scheme.end()
    if pos == len(value):
        raise InvalidAuthHeaderError("the OAuth Authorization header has no parameters")
    if value.endswith(","):
        raise InvalidAuthHeaderError("the OAuth parameter list ends with a comma")
    params = _parse_simple(value, pos)
    if params is None:
        params = _params(_split_strict(value, pos))
    missing = [name for name in REQUIRED_PARAMS if not params.get(name)]
    if missing:
        raise InvalidAuthHeaderError(f"required parameter missing or empty: {', '.join(missing)}")
    return params
