"""The claims of a request token and their time checks (SPEC §5.4 step 6).

A request token carries ``exp``, ``nbf``, ``iat`` and ``jti`` and nothing else that
matters (SPEC §5.2). Required here: ``exp`` (SPEC §5.4) and ``iat`` (without it the
lifetime cannot be bounded; every known generator sends it). ``nbf`` and ``jti`` are
optional unless replay checking needs the ``jti``. Other claims are ignored.

A claims set that is not what RFC 7519 allows (not an object, a repeated name, a date that
is not a finite number, a ``jti`` that is not a string) is a ``MalformedTokenError``;
a well-formed one outside the clock window is a ``TimestampError``.
"""

from __future__ import annotations

import math
import re
from typing import Final, NamedTuple

from xbsec.errors import MalformedTokenError, TimestampError
from xbsec.jose.strict_json import read_object

__all__ = ["MAX_JTI_LENGTH", "TokenClaims", "check_times", "read_claims"]

MAX_JTI_LENGTH: Final = 256
"""Longest ``jti`` accepted: it becomes part of a replay-store key."""


class TokenClaims(NamedTuple):
    """The claims a verifier reports, as sent (NumericDates in seconds)."""

    expires_at: float
    issued_at: float
    not_before: float | None
    jti: str | None


def _numeric_date(claims: dict[str, object], name: str) -> float | None:
    value = claims.get(name)
    if value is None and name not in claims:
        return None
    # bool is an int in Python but not a number in JSON; 1e999 parses as inf.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
        value
    ):
        raise MalformedTokenError(f"the request token's {name} is not a NumericDate")
    return value


# The exact form xbsec's minter and Mastercard's generator emit (SPEC §5.2): read without
# the JSON parser, which is a tenth of a verification. Only a strict subset of JSON matches
# (no whitespace, no leading zeros, distinct names), and for it both readings agree; anything
# else takes the full path.
_MINTED: Final = re.compile(
    rb'\{"exp":(0|[1-9]\d{0,14}),"nbf":(0|[1-9]\d{0,14}),"iat":(0|[1-9]\d{0,14}),'
    rb'"jti":"([0-9a-f]{32})"\}'
)


def read_claims(payload: bytes, *, require_jti: bool) -> TokenClaims:
    """The claims in ``payload``, checked for form only (see module docstring)."""
    minted = _MINTED.fullmatch(payload)
    if minted is not None:
        exp, nbf, iat, jti = minted.groups()
        return TokenClaims(int(exp), int(iat), int(nbf), jti.decode("ascii"))
    claims = read_object(payload)
    if claims is None:
        raise MalformedTokenError("the request token's claims are not a JSON object with "
                                  "distinct member names")
    expires_at = _numeric_date(claims, "exp")
    issued_at = _numeric_date(claims, "iat")
    not_before = _numeric_date(claims, "nbf")
    if expires_at is None or issued_at is None:
        raise MalformedTokenError("the request token must carry exp and iat")
    jti = claims.get("jti")
    if jti is None and "jti" not in claims:
        if require_jti:
            raise MalformedTokenError("the request token has no jti")
    elif not isinstance(jti, str) or not 1 <= len(jti) <= MAX_JTI_LENGTH:
        raise MalformedTokenError(
            f"the request token's jti must be a string of 1 to {MAX_JTI_LENGTH} characters"
        )
    return TokenClaims(expires_at, issued_at, not_before, jti)


def check_times(claims: TokenClaims, *, now: float, skew: int, max_lifetime: int) -> None:
    """Refuse, with ``TimestampError``, claims outside the clock window or too long-lived."""
    expires_at, issued_at, not_before, _ = claims
    if expires_at <= now - skew:
        raise TimestampError("the request token has expired; mint a new one per request")
    if not_before is not None and not_before > now + skew:
        raise TimestampError.clock_off("the request token's nbf", not_before - now, skew)
    if issued_at > now + skew:
        raise TimestampError.clock_off("the request token's iat", issued_at - now, skew)
    if expires_at <= issued_at or (not_before is not None and expires_at <= not_before):
        raise TimestampError("the request token expires before it becomes valid")
    if expires_at - issued_at > max_lifetime:
        raise TimestampError(
            f"the request token lives longer than {max_lifetime} seconds (exp - iat)"
        )
