"""Bearer tokens on the wire: the ``Authorization`` header of a request (RFC 6750 §2.1) and
the ``WWW-Authenticate`` challenge of a refusal (RFC 6750 §3)."""

from __future__ import annotations

from xbsec.errors import MalformedTokenError
from xbsec.oauth2.error_fields import wire_description

__all__ = ["bearer_challenge", "bearer_token"]


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


def bearer_challenge(error: str | None = None, description: str | None = None, *,
                     scope: str | None = None) -> str:
    """The ``WWW-Authenticate`` value of a refused bearer-token request (RFC 6750 §3).

    ``error`` is ``invalid_request``, ``invalid_token`` or ``insufficient_scope``, or None
    when the request carried no bearer token at all (§3.1: then no error code is given).
    ``description`` is made to keep to the characters §3 allows; ``scope`` names the scope
    the request needs (for ``insufficient_scope``).
    """
    parameters = []
    if error is not None:
        parameters.append(f'error="{wire_description(error)}"')
        if description:
            parameters.append(f'error_description="{wire_description(description)}"')
    if scope is not None:
        parameters.append(f'scope="{wire_description(scope)}"')
    return "Bearer" + (" " + ", ".join(parameters) if parameters else "")
