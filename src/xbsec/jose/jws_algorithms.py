"""The JWS signature algorithms of the profile: RS256 and ES256 (RFC 7518 §3.3, §3.4).

- RS256: RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 bits or more (RFC 7518 §3.3 says a
  smaller key MUST NOT be used). A signature is exactly as long as the modulus.
- ES256: ECDSA on P-256 with SHA-256. On the wire the signature is ``r || s``, each 32
  bytes big-endian (RFC 7518 §3.4), not the DER ``SEQUENCE`` that ``cryptography`` speaks;
  any other length is refused before converting, so no DER parser ever sees token bytes.

These are the algorithms of Mastercard's request-token generator (SPEC §5.2). Nothing else
is implemented, so nothing else can be accepted by mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from xbsec.errors import ConfigurationError
from xbsec.keys.types import PrivateKey, PublicKey

__all__ = [
    "JWS_ALGORITHMS",
    "MIN_RSA_BITS",
    "algorithm_for_key",
    "check_public_key",
    "key_fits",
    "signer_for",
    "verifier_for",
    "verify_signature",
]

JWS_ALGORITHMS: Final = frozenset({"RS256", "ES256"})
"""The ``alg`` values xbsec signs and verifies."""

MIN_RSA_BITS: Final = 2048

_ES256_HALF: Final = 32
# One instance of each: building them per call is a measurable part of a verification.
_PKCS1: Final = padding.PKCS1v15()
_SHA256: Final = hashes.SHA256()
_ECDSA_SHA256: Final = ec.ECDSA(_SHA256)


def _is_p256(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> bool:
    return isinstance(key.curve, ec.SECP256R1)


def key_fits(alg: str, key: PrivateKey | PublicKey) -> bool:
    """Whether ``key`` (public or private) is a key for ``alg`` in this profile."""
    if alg == "RS256":
        return (
            isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey)
            and key.key_size >= MIN_RSA_BITS
        )
    if alg == "ES256":
        return isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) and _is_p256(
            key
        )
    return False


def algorithm_for_key(key: PrivateKey | PublicKey) -> str:
    """The ``alg`` this profile uses with ``key``: RS256 for RSA, ES256 for P-256."""
    for alg in ("RS256", "ES256"):
        if key_fits(alg, key):
            return alg
    raise ConfigurationError(
        f"a JWS is signed with an RSA key of at least {MIN_RSA_BITS} bits (RS256) or an EC "
        f"key on P-256 (ES256), not {_describe(key)}"
    )


def check_public_key(key: object) -> None:
    """Raise ``ConfigurationError`` unless ``key`` is an RSA or EC public key we may use.

    Which algorithm it fits is not checked here: a token naming another algorithm than its
    key's is a refused token, not a configuration mistake.
    """
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ConfigurationError(
                f"{_describe(key)} is too small: RS256 needs at least {MIN_RSA_BITS} bits "
                "(RFC 7518 §3.3)"
            )
        return
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ConfigurationError(
            f"a JWS is verified with an RSA or EC public key, not {_describe(key)}"
        )


def _describe(key: object) -> str:
    if isinstance(key, rsa.RSAPublicKey | rsa.RSAPrivateKey):
        return f"an RSA key of {key.key_size} bits"
    if isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        return f"an EC key on {key.curve.name}"
    return type(key).__name__


_NEEDS: Final = {
    "RS256": f"an RSA private key of at least {MIN_RSA_BITS} bits",
    "ES256": "an EC private key on P-256",
}


def signer_for(alg: str, key: PrivateKey) -> Callable[[bytes], bytes]:
    """A function that signs bytes with ``key`` under ``alg`` (which ``key`` must fit)."""
    if isinstance(key, rsa.RSAPrivateKey) and key_fits(alg, key):
        sign_rsa = key.sign

        def sign_rs256(data: bytes) -> bytes:
            return sign_rsa(data, _PKCS1, _SHA256)

        return sign_rs256
    if isinstance(key, ec.EllipticCurvePrivateKey) and key_fits(alg, key):
        sign_ec = key.sign

        def sign_es256(data: bytes) -> bytes:
            r, s = decode_dss_signature(sign_ec(data, _ECDSA_SHA256))
            return r.to_bytes(_ES256_HALF, "big") + s.to_bytes(_ES256_HALF, "big")

        return sign_es256
    if alg not in _NEEDS:
        raise ConfigurationError(
            f"unsupported JWS alg {alg!r}; xbsec signs with {' or '.join(sorted(_NEEDS))}"
        )
    raise ConfigurationError(f"{alg} signs with {_NEEDS[alg]}, not {_describe(key)}")


def verifier_for(alg: str, key: PublicKey) -> Callable[[bytes, bytes], bool] | None:
    """A function ``(signature, data) -> bool`` checking ``alg`` signatures by ``key``.

    ``None`` when ``key`` does not fit ``alg``. The function returns False (never raises)
    for a signature of the wrong length or any other mismatch: the caller turns every False
    into the same opaque refusal. Made once per key, it saves the type checks per token.
    """
    if alg == "RS256" and isinstance(key, rsa.RSAPublicKey) and key_fits(alg, key):
        verify_rsa = key.verify
        size = (key.key_size + 7) // 8

        def verify_rs256(signature: bytes, data: bytes) -> bool:
            if len(signature) != size:
                return False
            try:
                verify_rsa(signature, data, _PKCS1, _SHA256)
            except InvalidSignature:
                return False
            return True

        return verify_rs256
    if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and key_fits(alg, key):
        verify_ec = key.verify

        def verify_es256(signature: bytes, data: bytes) -> bool:
            if len(signature) != 2 * _ES256_HALF:
                return False
            r = int.from_bytes(signature[:_ES256_HALF], "big")
            s = int.from_bytes(signature[_ES256_HALF:], "big")
            try:
                verify_ec(encode_dss_signature(r, s), data, _ECDSA_SHA256)
            except (InvalidSignature, ValueError):
                return False
            return True

        return verify_es256
    return None


def verify_signature(alg: str, key: PublicKey, signature: bytes, data: bytes) -> bool:
    """Whether ``signature`` is a valid ``alg`` signature of ``data`` by ``key``.

    False (never an exception) for a key of another type, a signature of the wrong length
    or any other mismatch.
    """
    verify = verifier_for(alg, key)
    return verify is not None and verify(signature, data)
