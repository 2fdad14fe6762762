"""The two signature primitives of ``oauth_signature_method`` (SPEC §2.4, §2.6)."""

from __future__ import annotations

from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from xbsec.errors import ConfigurationError

__all__ = ["SHA256", "SIGNATURE_METHODS", "padding_for", "sign_message", "verify_message"]

SHA256: Final = hashes.SHA256()
_SHA256: Final = SHA256
_PKCS1V15: Final = padding.PKCS1v15()
# RSASSA-PSS as Mastercard's signers offer it: SHA-256, MGF1-SHA-256, 32-byte salt.
_PSS: Final = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
_PADDINGS: Final[dict[str, padding.AsymmetricPadding]] = {"RSA-SHA256": _PKCS1V15, "RSA-PSS": _PSS}

SIGNATURE_METHODS: Final = frozenset(_PADDINGS)


def padding_for(method: str) -> padding.AsymmetricPadding:
    try:
        return _PADDINGS[method]
    except KeyError:
        raise ConfigurationError(
            f"unknown signature method {method!r}; expected one of {sorted(_PADDINGS)}"
        ) from None


def sign_message(private_key: rsa.RSAPrivateKey, message: bytes,
                 method: str = "RSA-SHA256") -> bytes:
    """Sign ``message`` with RSA-SHA256 (PKCS#1 v1.5) or RSA-PSS."""
    return private_key.sign(message, padding_for(method), _SHA256)


def verify_message(public_key: rsa.RSAPublicKey, signature: bytes, message: bytes,
                   method: str = "RSA-SHA256") -> bool:
    """True if ``signature`` is a valid ``method`` signature of ``message``."""
    pad = padding_for(method)
    try:
        public_key.verify(signature, message, pad, _SHA256)
    except InvalidSignature:
        return False
    return True
