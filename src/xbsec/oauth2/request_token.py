"""``RequestTokenMinter``: the client side of the OAuth 2.0 request token (SPEC §5.2, §5.3).

A request token is a JWS compact token signed with the project's signing key (the OAuth
1.0a key), minted afresh for every request and sent as ``Authorization: Bearer <jwt>``::

    header  {"alg":"RS256","typ":"JWT","cty":"JWS","x5t#S256":"…","x5c":["…"],"kid":"<ck>"}
    claims  {"exp":<iat+lifetime>,"nbf":<iat>,"iat":<now>,"jti":"<32 lowercase hex>"}

No ``iss``, ``sub`` or ``aud``, and nothing binds a token to its request (SPEC §5.2): a
short lifetime is the only limit on a stolen token, hence the 300 s recommendation.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Literal

from xbsec.errors import ConfigurationError
from xbsec.jose.jws import JwsSigner
from xbsec.jose.jws_algorithms import algorithm_for_key
from xbsec.keys.check import check_key_matches_certificate
from xbsec.keys.fingerprints import jwk_thumbprint, x5t_s256
from xbsec.keys.types import PrivateKey

if TYPE_CHECKING:
    from cryptography import x509

    from xbsec.keys.project import ProjectKeys

__all__ = ["MAX_LIFETIME", "RECOMMENDED_LIFETIME", "RequestTokenMinter", "X5tForm"]

MAX_LIFETIME: Final = 900
"""Longest lifetime minted: the default of Mastercard's generator (SPEC §5.2)."""
RECOMMENDED_LIFETIME: Final = 300
"""What SPEC §5.3 recommends: a token is a bearer credential valid until it expires."""

X5tForm = Literal["jwk", "cert", "none"]
"""What ``x5t#S256`` carries: the RFC 7638 JWK thumbprint (Mastercard's generator), the
RFC 7515 certificate thumbprint, or nothing (the member is left out)."""

_JTI_BYTES: Final = 16


class RequestTokenMinter:
    """Mints request tokens for one consumer key and signing key.

    >>> minter = RequestTokenMinter(consumer_key, signing_key, certificate,  # doctest: +SKIP
    ...                             lifetime=300)
    >>> headers["Authorization"] = minter.authorization_header()

    ``lifetime`` is at most 900 seconds (300 recommended). ``x5t`` chooses the
    ``x5t#S256`` form; the default ``jwk`` is what Mastercard's generator sends (SPEC §5.2).
    ``include_x5c`` puts the leaf certificate in ``x5c`` (Mastercard's default).
    ``backdate`` moves ``iat`` and ``nbf`` that many seconds into the past, for a receiver
    whose clock runs behind; ``exp`` stays ``iat + lifetime``. ``clock`` (seconds since
    the epoch) and ``random_bytes`` (for ``jti``) are injectable for tests.

    The key must belong to the certificate (``KeyMismatchError`` otherwise). RSA keys sign
    RS256, P-256 keys ES256.
    """

    __slots__ = ("_backdate", "_clock", "_lifetime", "_random", "_signer", "consumer_key")

    def __init__(self, consumer_key: str, private_key: PrivateKey,
                 certificate: x509.Certificate, *, lifetime: int = MAX_LIFETIME,
                 x5t: X5tForm = "jwk", include_x5c: bool = True, backdate: int = 0,
                 clock: Callable[[], float] = time.time,
                 random_bytes: Callable[[int], bytes] = os.urandom) -> None:
        if not isinstance(consumer_key, str) or not consumer_key.strip():
            raise ConfigurationError("the consumer key must be a non-empty string")
        if not _is_int(lifetime) or not 1 <= lifetime <= MAX_LIFETIME:
            raise ConfigurationError(
                f"lifetime must be 1 to {MAX_LIFETIME} seconds "
                f"({RECOMMENDED_LIFETIME} recommended), not {lifetime!r}"
            )
        if not _is_int(backdate) or not 0 <= backdate < lifetime:
            raise ConfigurationError(
                f"backdate must be 0 or more seconds and less than the lifetime, not {backdate!r}"
            )
        if x5t not in ("jwk", "cert", "none"):
            raise ConfigurationError(f"x5t must be 'jwk', 'cert' or 'none', not {x5t!r}")
        alg = algorithm_for_key(private_key)
        check_key_matches_certificate(private_key, certificate)
        from cryptography.hazmat.primitives import serialization

        # Member order and content exactly as Mastercard's generator (SPEC §5.2, §12).
        header: dict[str, object] = {"alg": alg, "typ": "JWT", "cty": "JWS"}
        if x5t == "jwk":
            header["x5t#S256"] = jwk_thumbprint(certificate)
        elif x5t == "cert":
            header["x5t#S256"] = x5t_s256(certificate)
        if include_x5c:
            # Leaf only, standard base64 with padding (RFC 7515 §4.1.6; SPEC §5.2).
            der = certificate.public_bytes(serialization.Encoding.DER)
            header["x5c"] = [base64.b64encode(der).decode("ascii")]
        header["kid"] = consumer_key  # the full consumer key, '!' and all (SPEC §2.2)

        self.consumer_key = consumer_key
        self._signer = JwsSigner(private_key, header=header)
        self._lifetime = lifetime
        self._backdate = backdate
        self._clock = clock
        self._random = random_bytes

    @classmethod
    def from_project_keys(cls, keys: ProjectKeys, **options: Any) -> RequestTokenMinter:
        """A minter for ``keys.consumer_key`` with ``keys.signing_key`` and its certificate."""
        if keys.signing_certificate is None:
            raise ConfigurationError(
                "request tokens carry the signing certificate (x5c, SPEC §5.2): "
                "the project keys have none"
            )
        return cls(keys.consumer_key, keys.signing_key, keys.signing_certificate, **options)

    @property
    def algorithm(self) -> str:
        """The JWS ``alg``: RS256 or ES256."""
        return self._signer.alg

    @property
    def lifetime(self) -> int:
        return self._lifetime

    def mint(self) -> str:
        """A new request token: fresh ``iat``/``nbf``/``exp`` and a fresh random ``jti``."""
        random = self._random(_JTI_BYTES)
        if len(random) != _JTI_BYTES:
            raise ConfigurationError(f"random_bytes returned {len(random)} bytes, not 16")
        issued = int(self._clock()) - self._backdate
        # Members in the order of SPEC §5.2; every value is a number or hex, so no escaping.
        claims = b'{"exp":%d,"nbf":%d,"iat":%d,"jti":"%s"}' % (
            issued + self._lifetime, issued, issued, random.hex().encode("ascii")
        )
        return self._signer.sign(claims)

    def authorization_header(self) -> str:
        """``Bearer <new token>``: the value of the ``Authorization`` header (SPEC §5.2)."""
        return "Bearer " + self.mint()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
