"""Key management: RSAES-OAEP wrapping of the content-encryption key (RFC 7518 §4.3).

``RSA-OAEP-256`` (SHA-256, MGF1-SHA-256) is what xbsec and Mastercard emit (SPEC §3.3);
``RSA-OAEP`` (SHA-1, MGF1-SHA-1) is only decrypted where the policy allows it (SPEC §3.5).
``RSA1_5`` is not implemented at all: its padding oracle cannot be closed in this setting.
No OAEP label is ever used (JWE has none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from xbsec.errors import ConfigurationError, DecryptionError

__all__ = ["KEY_ALGORITHMS", "MIN_RSA_BITS", "rsa_oaep_unwrap", "rsa_oaep_wrap"]

MIN_RSA_BITS: Final = 2048
"""Smallest RSA modulus a JWE is encrypted to or decrypted with (Mastercard issues 2048)."""

_OAEP: Final[Mapping[str, padding.OAEP]] = {
    "RSA-OAEP-256": padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
    ),
    "RSA-OAEP": padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA1()),  # noqa: S303 - RSA-OAEP is defined on SHA-1
        algorithm=hashes.SHA1(),  # noqa: S303
        label=None,
    ),
}

KEY_ALGORITHMS: Final = frozenset(_OAEP)
"""Every JWE ``alg`` this package implements."""


def rsa_oaep_wrap(public_key: rsa.RSAPublicKey, cek: bytes, alg: str = "RSA-OAEP-256") -> bytes:
    """Encrypt ``cek`` to ``public_key``; the result is exactly the modulus length."""
    oaep = _OAEP.get(alg)
    if oaep is None:
        raise ConfigurationError(f"unsupported JWE key algorithm {alg!r}")
    try:
        return public_key.encrypt(cek, oaep)
    except ValueError:
        raise ConfigurationError("the content key is too long for this RSA key") from None


def rsa_oaep_unwrap(
    private_key: rsa.RSAPrivateKey, encrypted_key: bytes, alg: str = "RSA-OAEP-256"
) -> bytes:
    """Decrypt a wrapped key, or raise ``DecryptionError``.

    The wrapped key must be exactly as long as the modulus (RFC 8017 §7.1.2 step 1.b).
    """
    oaep = _OAEP.get(alg)
    if oaep is None or len(encrypted_key) != (private_key.key_size + 7) // 8:
        raise DecryptionError()
    try:
        return private_key.decrypt(encrypted_key, oaep)
    except ValueError:
        raise DecryptionError() from None
