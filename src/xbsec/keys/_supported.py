"""Refuse, with the file's name, key types xbsec does not use (DSA, Ed25519, X25519, ...)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec.errors import KeyFileError
from xbsec.keys.types import PrivateKey, PublicKey

__all__ = ["supported_private_key", "supported_public_key"]


def supported_private_key(key: object, source: str) -> PrivateKey:
    """``key`` if it is an RSA or EC private key; else a ``KeyFileError`` naming ``source``."""
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyFileError(f"holds {_type_name(key, 'PrivateKey')}; xbsec uses RSA or EC keys",
                           source=source)
    return key


def supported_public_key(key: object, source: str) -> PublicKey:
    """``key`` if it is an RSA or EC public key; else a ``KeyFileError`` naming ``source``."""
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise KeyFileError(f"holds {_type_name(key, 'PublicKey')}; xbsec uses RSA or EC keys",
                           source=source)
    return key


def _type_name(key: object, suffix: str) -> str:
    name = type(key).__name__.lstrip("_").removesuffix(suffix)
    return f"a {name} key" if name else "a key of an unknown type"
