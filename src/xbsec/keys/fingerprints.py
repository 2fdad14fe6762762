"""Key and certificate fingerprints, in the four forms the scheme uses.

- ``spki_sha256_hex``: lower-case hex SHA-256 of the DER SubjectPublicKeyInfo. This is the
  JWE ``kid`` Mastercard's encryption libraries compute (SPEC §3.4).
- ``cert_sha256_hex``: lower-case hex SHA-256 of the DER certificate (the legacy
  ``encryptionCertificateFingerprint``, SPEC §3.4).
- ``jwk_thumbprint``: RFC 7638 JWK thumbprint (SHA-256, base64url, no padding). Mastercard's
  request-token generator puts this in ``x5t#S256`` (SPEC §5.2).
- ``x5t_s256``: RFC 7515 certificate thumbprint, base64url(SHA-256(DER certificate)).
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec.errors import KeyMaterialError
from xbsec.keys.types import PrivateKey, PublicKey

__all__ = ["cert_sha256_hex", "jwk_thumbprint", "public_key_of", "spki_sha256_hex", "x5t_s256"]

_KeyLike = PrivateKey | PublicKey | x509.Certificate


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_key_of(item: _KeyLike) -> PublicKey:
    """The public key of a certificate, a private key, or a public key."""
    if isinstance(item, x509.Certificate):
        try:
            key = item.public_key()
        except (ValueError, UnsupportedAlgorithm):
            raise KeyMaterialError("the certificate's public key is of a type xbsec does not "
                                   "read") from None
    elif isinstance(item, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        key = item.public_key()
    else:
        key = item
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise KeyMaterialError(f"unsupported key type {type(key).__name__}; expected RSA or EC")
    return key


def spki_sha256_hex(item: _KeyLike) -> str:
    """Hex SHA-256 of the DER SubjectPublicKeyInfo: the JWE ``kid`` (SPEC §3.4)."""
    der = public_key_of(item).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def cert_sha256_hex(cert: x509.Certificate) -> str:
    """Hex SHA-256 of the DER certificate."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def x5t_s256(cert: x509.Certificate) -> str:
    """RFC 7515 ``x5t#S256``: base64url SHA-256 of the DER certificate."""
    return b64url(hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest())


def _int_b64url(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def jwk_members(item: _KeyLike) -> dict[str, str]:
    """The required public JWK members of RFC 7638 §3.2, for RSA and EC keys."""
    key = public_key_of(item)
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"e": _int_b64url(numbers.e), "kty": "RSA", "n": _int_b64url(numbers.n)}
    curves = {"secp256r1": ("P-256", 32), "secp384r1": ("P-384", 48), "secp521r1": ("P-521", 66)}
    if key.curve.name not in curves:
        raise KeyMaterialError(f"unsupported EC curve {key.curve.name}")
    crv, size = curves[key.curve.name]
    point = key.public_numbers()
    return {
        "crv": crv,
        "kty": "EC",
        "x": b64url(point.x.to_bytes(size, "big")),
        "y": b64url(point.y.to_bytes(size, "big")),
    }


def jwk_thumbprint(item: _KeyLike) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): Mastercard's ``x5t#S256`` (SPEC §5.2)."""
    canonical = json.dumps(jwk_members(item), separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())
