"""Key type aliases shared by the key, signing and encryption modules."""

from __future__ import annotations

from typing import TypeAlias

from cryptography.hazmat.primitives.asymmetric import ec, rsa

__all__ = ["PrivateKey", "PublicKey"]

PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
"""A private key xbsec can sign or decrypt with (RSA; EC for ES256 request tokens)."""

PublicKey: TypeAlias = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
"""A public key xbsec can verify or encrypt with."""
