"""``RequestTokenVerifier``: the gateway side of the OAuth 2.0 request token (SPEC §5.4).

Checks, in the order of SPEC §5.4, each refusal carrying its status and ReasonCode:

1. ``Bearer <jwt>`` (or a bare JWT, by policy); three strict base64url
   segments, a JSON header without ``crit``/``b64``                  -> 401 INVALID_AUTH_HEADER
2. ``alg`` in the policy's list (never ``none``/HS*); ``kid`` present;
   ``x5c``/``x5t#S256`` of the right JSON types; ``typ``/``cty`` only warned about -> 401 same
3. ``kid`` (the consumer key) registered, with a certificate valid now  -> 401 DECLINED
4. ``x5c[0]`` byte-equal to the registered certificate; ``x5t#S256`` one
   of its thumbprints, as the policy says                             -> 401 DECLINED
5. the signature, with the REGISTERED key only, never one from ``x5c`` -> 403 AUTHENTICATION_FAILED
6. ``exp``/``nbf``/``iat`` within the skew; ``exp - iat`` at most the
   policy's maximum lifetime                                          -> 401 INVALID_TIMESTAMP
7. with the replay check on, ``jti`` claimed in the replay store       -> 401 NONCE_REPLAYED
   (a store that cannot answer                                        -> 503, failing closed)

Step 5 answers 403 as the OAuth 1.0a gateway does for a bad signature (SPEC §2.7 step 6,
the one documented AUTHENTICATION_FAILED); SPEC §5.4 leaves it open. The claims are only
read once the signature holds, and the ``jti`` is only recorded then, so nobody can burn
another consumer's ``jti`` values with forged tokens.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

from xbsec.errors import (
    AccessDeniedError,
    MalformedTokenError,
    NonceReplayError,
    ServiceUnavailableError,
    SignatureError,
)
from xbsec.jose.jws import UnverifiedJws, jws_parse
from xbsec.oauth2.bearer import bearer_token
from xbsec.oauth2.claims import check_times, read_claims
from xbsec.oauth2.registered_credentials import (
    RegisteredCredential,
    TokenCredential,
    TokenCredentialSource,
    credential_lookup,
)
from xbsec.policy import SecurityPolicy
from xbsec.stores.replay import MemoryReplayStore, ReplayStore

__all__ = ["RequestTokenVerifier", "VerifiedToken"]

_SIGNATURE_FAILED: Final = "signature verification failed"
_EXPECTED_TYP: Final = "JWT"
_EXPECTED_CTY: Final = "JWS"


class VerifiedToken(NamedTuple):
    """An authenticated request token: who signed it, and what it claimed."""

    consumer_key: str
    jti: str | None
    issued_at: float
    expires_at: float
    not_before: float | None
    algorithm: str
    credential: TokenCredential
    """The registered certificate or public key the signature verified with."""
    warnings: tuple[str, ...] = ()
    """What was accepted but is not what Mastercard's generator sends (SPEC §5.4 steps 2, 4)."""
    replay_key: str | None = None
    """With the replay check on: the key to claim in a replay store (consumer key, jti)."""
    replay_ttl: int = 0
    """How long (seconds) the ``jti`` must be remembered: while the token is acceptable."""


class RequestTokenVerifier:
    """Verifies request tokens against registered consumer credentials.

    >>> verifier = RequestTokenVerifier({consumer_key: certificate})   # doctest: +SKIP
    >>> verified = verifier.verify(headers.get("Authorization"))

    ``credentials`` maps a consumer key to its signing certificate(s) or public key(s), or
    is a callable doing so (``None`` when unknown); several during a key rotation.
    The policy's ``request_token_*`` fields set the limits and switches.
    """

    def __init__(self, credentials: TokenCredentialSource, *,
                 policy: SecurityPolicy | None = None,
                 replay_store: ReplayStore | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._policy = policy if policy is not None else SecurityPolicy()
        self._lookup = credential_lookup(credentials)
        # "is not None", not "or": an empty MemoryReplayStore is falsy (it has __len__).
        self._store: ReplayStore = (
            replay_store if replay_store is not None else MemoryReplayStore()
        )
        self._clock = clock

    @property
    def policy(self) -> SecurityPolicy:
        return self._policy

    def verify(self, authorization: str | None) -> VerifiedToken:
        """Authenticate one request by its ``Authorization`` value, or raise a ``RefusedError``."""
        verified = self.authenticate(authorization)
        if verified.replay_key is not None:
            self._claim(verified.replay_key, verified.replay_ttl)
        return verified

    def authenticate(self, authorization: str | None) -> VerifiedToken:
        """Steps 1-6 of SPEC §5.4; with the replay check on, the caller claims ``replay_key``
        (for a caller whose replay store is asynchronous)."""
        policy = self._policy
        # Steps 1-2: the form of the token and of its header.
        token = bearer_token(authorization, accept_bare=policy.request_token_accept_bare)
        jws = jws_parse(token, algorithms=policy.request_token_algorithms,
                        max_bytes=policy.request_token_max_bytes)
        header = jws.header
        consumer_key = header.get("kid")
        if not isinstance(consumer_key, str) or not consumer_key:
            raise MalformedTokenError("the request token has no kid (the consumer key)")
        leaf = _x5c_leaf(header)
        x5t = header.get("x5t#S256")
        if "x5t#S256" in header and not isinstance(x5t, str):  # null is not absent
            raise MalformedTokenError("the request token's x5t#S256 is not a string")
        warnings = _header_warnings(header)

        # Step 3: the consumer key and its registered certificate(s).
        registered = self._lookup(consumer_key)
        if not registered:
            raise AccessDeniedError("Unauthorized - Access Not Granted")
        now = self._clock()
        registered = [r for r in registered if r.valid_at(now)]
        if not registered:
            raise AccessDeniedError(
                "the signing certificate of this consumer key is not valid now"
            )

        # Step 4: what the header says about the certificate must be true of it.
        if leaf is not None:
            registered = [r for r in registered if r.carries(leaf)]
            if not registered:
                raise AccessDeniedError(
                    "x5c does not carry the certificate registered for this consumer key"
                )
        if x5t is not None:
            registered = self._check_x5t(x5t, leaf, registered, warnings)

        # Step 5: the signature, with the registered key.
        credential = _verify_signature(jws, registered)

        # Step 6: the clock.
        claims = read_claims(jws.payload, require_jti=policy.request_token_replay_check)
        check_times(claims, now=now, skew=policy.request_token_skew,
                    max_lifetime=policy.request_token_max_lifetime)

        # Step 7 (by the caller): replay, only now that the token is known to be genuine.
        replay_key, ttl = None, 0
        if policy.request_token_replay_check:
            # Remember the jti for as long as the token would still be accepted.
            ttl = max(1, math.ceil(claims.expires_at + policy.request_token_skew - now))
            replay_key = f"oauth2-rt:{consumer_key}:{claims.jti}"

        return VerifiedToken(
            consumer_key, claims.jti, claims.issued_at, claims.expires_at, claims.not_before,
            jws.alg, credential.credential, tuple(warnings), replay_key, ttl,
        )

    def _check_x5t(self, x5t: str, leaf: str | None, registered: list[RegisteredCredential],
                   warnings: list[str]) -> list[RegisteredCredential]:
        mode = self._policy.request_token_x5t_check
        forms = [r.thumbprint_form(x5t, leaf) for r in registered]
        if mode == "off":
            if not any(forms):
                warnings.append("x5t#S256 is not a thumbprint of the registered certificate")
            return registered
        accepted = ("jwk", "cert") if mode == "either" else (mode,)
        matching = [r for r, form in zip(registered, forms, strict=True) if form in accepted]
        if not matching:
            expected = {"either": "the JWK or certificate thumbprint", "jwk": "the JWK "
                        "thumbprint (RFC 7638)", "cert": "the certificate thumbprint (RFC 7515)"}
            raise AccessDeniedError(
                f"x5t#S256 is not {expected[mode]} of the registered certificate"
            )
        if mode == "either" and "jwk" not in forms:
            warnings.append("x5t#S256 is the certificate thumbprint; Mastercard's generator "
                            "sends the JWK thumbprint (SPEC §5.2)")
        return matching

    def _claim(self, key: str, ttl: int) -> None:
        try:
            fresh = self._store.claim(key, ttl)
        except ServiceUnavailableError:
            raise
        except Exception:  # any store failure fails closed (SPEC §5.4 step 7)
            raise ServiceUnavailableError("the replay store cannot be reached") from None
        if not fresh:
            raise NonceReplayError(
                "this request token was already used; mint a new one for every request"
            )


def _x5c_leaf(header: Mapping[str, Any]) -> str | None:
    x5c = header.get("x5c")
    if x5c is None and "x5c" not in header:
        return None
    if not isinstance(x5c, tuple) or not x5c or not all(isinstance(c, str) for c in x5c):
        raise MalformedTokenError("the request token's x5c is not a list of certificates")
    leaf: str = x5c[0]
    return leaf


def _header_warnings(header: Mapping[str, Any]) -> list[str]:
    # SPEC §5.4 step 2: typ and cty SHOULD be JWT and JWS; only reported, never refused.
    warnings = []
    if header.get("typ") != _EXPECTED_TYP:
        warnings.append(f"typ is not {_EXPECTED_TYP!r}")
    if header.get("cty") != _EXPECTED_CTY:
        warnings.append(f"cty is not {_EXPECTED_CTY!r}")
    return warnings


def _verify_signature(jws: UnverifiedJws,
                      registered: list[RegisteredCredential]) -> RegisteredCredential:
    # Only registered keys are tried; a key in x5c or jwk is never used (SPEC §5.4 step 5).
    for candidate in registered:
        if candidate.alg == jws.alg and candidate.verify_signature(jws.signature,
                                                                   jws.signing_input):
            return candidate
    raise SignatureError(_SIGNATURE_FAILED)
