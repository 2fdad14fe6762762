"""Client authentication at the token endpoint: ``private_key_jwt`` (RFC 7523 §2.2, §3).

The client sends ``client_assertion_type=urn:ietf:params:oauth:client-assertion-type:
jwt-bearer`` and ``client_assertion=<JWT>``, a JWS (RS256 or ES256) signed with the
consumer's project signing key, the key of its OAuth 1.0a signatures and request tokens
(SPEC §6.4 [INF]). Claims:

- ``iss`` = ``sub`` = the consumer key (and the ``client_id`` form field, when sent);
- ``aud``: the token endpoint's URL or the issuer (a string, or an array holding one);
- ``exp``: in the future, at most ``assertion_max_lifetime`` (+ skew) ahead;
- ``iat`` and ``nbf``: optional (RFC 7523 §3); when present, not in the future (beyond the
  skew);
- ``jti``: 1 to 256 characters; each is accepted once (the caller claims it).

The signature is verified with the consumer's REGISTERED signing certificate(s), valid at
the time of the request; ``jwk``, ``x5c``, ``kid`` and any other key hint in the header is
ignored. ``iss`` is read before the signature is checked only to pick those certificates;
no other claim is trusted before it holds. Every failure is ``invalid_client`` (400).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Final

from xbsec.errors import MalformedTokenError
from xbsec.jose.jws import jws_parse
from xbsec.jose.strict_json import read_object
from xbsec.oauth2.registered_credentials import RegisteredCredential
from xbsec.sandbox.authorization_server.forms import Form
from xbsec.sandbox.authorization_server.oauth_errors import InvalidClientError
from xbsec.sandbox.authorization_server.settings import AuthorizationServerSettings

__all__ = ["ALGORITHMS", "CLIENT_ASSERTION_TYPE", "VerifiedAssertion",
           "verify_client_assertion"]

CLIENT_ASSERTION_TYPE: Final = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS: Final = frozenset({"RS256", "ES256"})
MAX_JTI_LENGTH: Final = 256

CredentialLookup = Callable[[str], list[RegisteredCredential]]


@dataclass(frozen=True, slots=True)
class VerifiedAssertion:
    """An authenticated client: its consumer key, and the ``jti`` to remember until when."""

    consumer_key: str
    jti: str
    remember_until: float


def _numeric_date(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    # bool is an int in Python but not a number in JSON; 1e999 parses as inf.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(
            value):
        raise InvalidClientError(f"the client assertion's {name} is missing or not a "
                                 "NumericDate")
    return float(value)


def _audience_matches(aud: object, audiences: Collection[str]) -> bool:
    if isinstance(aud, str):
        return aud in audiences
    if isinstance(aud, list) and aud and all(isinstance(item, str) for item in aud):
        return any(item in audiences for item in aud)
    return False


def verify_client_assertion(form: Form, *, credentials: CredentialLookup,
                            audiences: Collection[str], now: float,
                            settings: AuthorizationServerSettings) -> VerifiedAssertion:
    """Authenticate the client of a token request, or raise ``InvalidClientError``."""
    assertion_type = form.get("client_assertion_type")
    assertion = form.get("client_assertion")
    if assertion_type is None and assertion is None:
        raise InvalidClientError("client authentication is required: private_key_jwt "
                                 "(client_assertion_type and client_assertion, RFC 7523)")
    if assertion_type != CLIENT_ASSERTION_TYPE:
        raise InvalidClientError(f"client_assertion_type must be {CLIENT_ASSERTION_TYPE}")
    if assertion is None:
        raise InvalidClientError("the client_assertion parameter is missing")
    try:
        jws = jws_parse(assertion, algorithms=ALGORITHMS,
                        max_bytes=settings.max_assertion_bytes)
    except MalformedTokenError:
        raise InvalidClientError("the client assertion is not a JWS signed with RS256 or "
                                 "ES256") from None
    claims = read_object(jws.payload)
    if claims is None:
        raise InvalidClientError("the client assertion's claims are not a JSON object with "
                                 "distinct member names")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidClientError("the client assertion has no iss (the consumer key)")
    client_id = form.get("client_id")
    if client_id is not None and client_id != issuer:
        raise InvalidClientError("client_id differs from the client assertion's iss")

    registered = credentials(issuer)
    if not registered:
        raise InvalidClientError("unknown client")
    registered = [r for r in registered if r.valid_at(now)]
    if not registered:
        raise InvalidClientError("the client's signing certificate is not valid now")
    if not any(r.alg == jws.alg and r.verify_signature(jws.signature, jws.signing_input)
               for r in registered):
        raise InvalidClientError("the client assertion's signature does not verify")

    # From here on the claims are the client's own.
    if claims.get("sub") != issuer:
        raise InvalidClientError("the client assertion's sub must equal its iss")
    if not _audience_matches(claims.get("aud"), audiences):
        raise InvalidClientError("the client assertion's aud must name the token endpoint "
                                 f"({settings.token_endpoint}) or the issuer "
                                 f"({settings.issuer})")
    skew = settings.assertion_skew
    expires_at = _numeric_date(claims, "exp")
    issued_at = _numeric_date(claims, "iat") if "iat" in claims else None
    not_before = _numeric_date(claims, "nbf") if "nbf" in claims else None
    if expires_at <= now - skew:
        raise InvalidClientError("the client assertion has expired")
    if expires_at > now + settings.assertion_max_lifetime + skew:
        raise InvalidClientError("the client assertion's exp lies more than "
                                 f"{settings.assertion_max_lifetime} seconds ahead: sign "
                                 "assertions with a shorter lifetime (exp - now)")
    if issued_at is not None and issued_at > now + skew:
        raise InvalidClientError("the client assertion was issued in the future (iat); "
                                 "check the clock")
    if not_before is not None and not_before > now + skew:
        raise InvalidClientError("the client assertion is not valid yet (nbf)")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 1 <= len(jti) <= MAX_JTI_LENGTH:
        raise InvalidClientError(f"the client assertion needs a jti of 1 to {MAX_JTI_LENGTH} "
                                 "characters")
    return VerifiedAssertion(issuer, jti, expires_at + skew)
