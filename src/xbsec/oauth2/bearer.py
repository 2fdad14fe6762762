"""The ``Authorization`` header of a bearer-token request: ``Bearer <token>`` (RFC 6750 §2.1)."""

from __future__ import annotations

from xbsec.errors import MalformedTokenError

__all__ = ["bearer_token"]


def bearer_token(authorization: str | None, *, accept_bare: bool) -> str:
    """The token in ``authorization``, or ``MalformedTokenError``.

    The scheme is matched without regard to case (RFC 7235 §2.1) and may be followed by
    several spaces. With ``accept_bare``, a value without any scheme is taken as the token
    itself (SPEC §5.2: a bare JWT is reported to be accepted by Mastercard).
    """
    if not isinstance(authorization, str) or not authorization.strip(" \t"):
        raise MalformedTokenError("the Authorization header is missing")
    value = authorization.strip(" \t")
    scheme, space, rest = value.partition(" ")
    if space:
        if scheme.lower() != "bearer":
            raise MalformedTokenError("the Authorization scheme must be Bearer")
        return rest.lstrip(" ")  # not empty: value ends in a non-space character
    if value.lower() == "bearer":
        raise MalformedTokenError("the Bearer token is empty")
    if not accept_bare:
        raise MalformedTokenError("the Authorization header must be 'Bearer <token>'")
    return value
