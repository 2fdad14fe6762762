"""Refuse, with the file's name, key types xbsec does not use (DSA, Ed25519, X25519, ...),
and certificates whose fields do not parse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec.errors import KeyFileError
from xbsec.keys.types import PrivateKey, PublicKey

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["checked_certificate", "supported_private_key", "supported_public_key"]


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


def checked_certificate(cert: x509.Certificate, name: str) -> x509.Certificate:
    """``cert`` once the fields xbsec reads have parsed, or ``KeyFileError``.

    ``cryptography`` parses names, dates and extensions only when they are first read, so a
    damaged certificate can load and fail later, far from the file that held it.
    """
    from cryptography import x509 as x509_module

    try:
        _ = (cert.subject, cert.issuer, cert.not_valid_before_utc, cert.not_valid_after_utc,
             cert.serial_number, cert.extensions)
    except (ValueError, TypeError, x509_module.DuplicateExtension, UnsupportedAlgorithm):
        raise KeyFileError("is not a valid X.509 certificate (a field does not parse)",
                           source=name) from None
    return cert
