"""What a request-token verifier knows about each registered consumer key (SPEC §5.4).

A consumer key maps to its signing certificate(s) or bare public key(s), as for OAuth 1.0a:
several during a key rotation. Each is turned once into a ``RegisteredCredential`` holding
what the checks compare against (the certificate as ``x5c`` spells it, both thumbprints,
the validity dates), so that a verification compares strings instead of re-encoding.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal, TypeAlias

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec.errors import KeyMaterialError
from xbsec.jose import b64
from xbsec.jose.jws_algorithms import JWS_ALGORITHMS, verifier_for
from xbsec.keys.fingerprints import jwk_thumbprint, public_key_of
from xbsec.keys.types import PublicKey

__all__ = [
    "RegisteredCredential",
    "TokenCredential",
    "TokenCredentialSource",
    "credential_lookup",
]

TokenCredential: TypeAlias = x509.Certificate | PublicKey
"""What a consumer key's tokens verify against: its signing certificate (whose validity
dates are checked) or a bare RSA or P-256 public key (no dates to check)."""

TokenCredentialSource: TypeAlias = (
    Mapping[str, TokenCredential | Sequence[TokenCredential]]
    | Callable[[str], TokenCredential | Sequence[TokenCredential] | None]
)
"""Consumer key -> credential(s). Several during a key rotation; ``None`` when unknown."""

ThumbprintForm = Literal["jwk", "cert"]


_DER = serialization.Encoding.DER
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo


def _standard_b64(text: str) -> bytes | None:
    # x5c members are standard base64 with padding (RFC 7515 §4.1.6), not base64url.
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return None


def _cert_thumbprint(der: bytes) -> str:
    return b64.encode_str(hashlib.sha256(der).digest())


class RegisteredCredential:
    """One registered certificate or public key, with what the checks compare against."""

    __slots__ = (
        "_der",
        "_leaf_seen",
        "alg",
        "cert_thumbprint",
        "certificate_b64",
        "credential",
        "jwk_thumbprint",
        "not_after",
        "not_before",
        "public_key",
        "verify_signature",
    )

    def __init__(self, credential: TokenCredential, public_key: PublicKey, alg: str,
                 verify_signature: Callable[[bytes, bytes], bool],
                 certificate: x509.Certificate | None) -> None:
        self.credential = credential
        self.public_key = public_key
        self.alg = alg
        """The one JWS ``alg`` this key signs with: RS256 (RSA) or ES256 (P-256)."""
        self.verify_signature = verify_signature
        """``(signature, signing input) -> bool`` with this key, made once."""
        self.jwk_thumbprint = jwk_thumbprint(public_key)
        self._leaf_seen: str | None = None
        if certificate is None:
            self._der: bytes | None = None
            self.certificate_b64: str | None = None
            self.cert_thumbprint: str | None = None
            self.not_before = float("-inf")
            self.not_after = float("inf")
        else:
            self._der = certificate.public_bytes(_DER)
            self.certificate_b64 = binascii.b2a_base64(self._der, newline=False).decode("ascii")
            self.cert_thumbprint = _cert_thumbprint(self._der)
            self.not_before = certificate.not_valid_before_utc.timestamp()
            self.not_after = certificate.not_valid_after_utc.timestamp()

    @classmethod
    def of(cls, item: object) -> RegisteredCredential | None:
        """``item`` prepared for the checks, or ``None`` if no request token can use it."""
        certificate: x509.Certificate | None = None
        if isinstance(item, x509.Certificate):
            try:
                public_key = public_key_of(item)
            except KeyMaterialError:
                return None
            certificate = item
        elif isinstance(item, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            public_key = item
        else:
            return None
        for alg in JWS_ALGORITHMS:
            verify = verifier_for(alg, public_key)
            if verify is not None:
                return cls(item, public_key, alg, verify, certificate)
        return None  # RSA under 2048 bits, or EC off P-256: no profile algorithm fits

    def valid_at(self, now: float) -> bool:
        """Whether ``now`` lies within the certificate's notBefore..notAfter (inclusive)."""
        return self.not_before <= now <= self.not_after

    def carries(self, leaf: str) -> bool:
        """Whether ``leaf`` (``x5c[0]``) is this certificate, byte for byte (SPEC §5.4 step 4).

        For a bare public key: whether ``leaf`` is a certificate for that key (by whom it
        was issued does not matter: the key in it is never used, only compared).
        """
        if self._der is not None:
            return leaf == self.certificate_b64 or _standard_b64(leaf) == self._der
        if leaf == self._leaf_seen:
            return True
        der = _standard_b64(leaf)
        if der is None:
            return False
        try:
            certified = x509.load_der_x509_certificate(der).public_key()
        except (ValueError, UnsupportedAlgorithm):  # not a certificate, or an unknown key type
            return False
        if certified.public_bytes(_DER, _SPKI) != self.public_key.public_bytes(_DER, _SPKI):
            return False
        self._leaf_seen = leaf  # the next token of this client compares one string
        return True

    def thumbprint_form(self, x5t: str, leaf: str | None = None) -> ThumbprintForm | None:
        """Which thumbprint of this credential ``x5t`` is: RFC 7638 JWK, RFC 7515 cert, none.

        For a bare public key the certificate is ``leaf``, the token's ``x5c[0]``, once
        ``carries`` has accepted it.
        """
        if x5t == self.jwk_thumbprint:
            return "jwk"
        cert_thumbprint = self.cert_thumbprint
        if cert_thumbprint is None and leaf is not None:
            der = _standard_b64(leaf)
            cert_thumbprint = None if der is None else _cert_thumbprint(der)
        if cert_thumbprint is not None and x5t == cert_thumbprint:
            return "cert"
        return None


def credential_lookup(
    source: TokenCredentialSource,
) -> Callable[[str], list[RegisteredCredential]]:
    """A function consumer key -> its usable registered credentials (maybe none).

    Prepared credentials are remembered by object identity, so a registry that hands out
    the same certificate objects pays for fingerprints once.
    """
    cache: dict[int, tuple[object, RegisteredCredential | None]] = {}
    find = source.get if isinstance(source, Mapping) else source

    def lookup(consumer_key: str) -> list[RegisteredCredential]:
        found = find(consumer_key)
        if found is None:
            return []
        items: Iterable[object] = found if isinstance(found, list | tuple) else (found,)
        usable = []
        for item in items:
            cached = cache.get(id(item))
            if cached is None or cached[0] is not item:
                if len(cache) > 4096:
                    cache.clear()
                cached = (item, RegisteredCredential.of(item))
                cache[id(item)] = cached
            if cached[1] is not None:
                usable.append(cached[1])
        return usable

    return lookup
