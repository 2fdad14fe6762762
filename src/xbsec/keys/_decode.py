"""Decode key material already read into memory; ``loading`` and ``info`` build on this.

Each function takes the bytes and the name errors should give them (a path or ``<bytes>``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from xbsec.errors import KeyFileError, KeyMismatchError, KeyPasswordError
from xbsec.keys import _formats
from xbsec.keys._pkcs12 import Keystore, open_keystore
from xbsec.keys._supported import (
    checked_certificate,
    supported_private_key,
    supported_public_key,
)
from xbsec.keys.types import PrivateKey, PublicKey

if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

__all__ = [
    "certificate", "certificate_public_key", "key_and_certificate", "keystore", "pem_blocks",
    "public_key", "wrong_kind",
]


def key_and_certificate(
    data: bytes, name: str, secret: bytes | None, alias: str | None, *,
    with_certificate: bool = True,
) -> tuple[PrivateKey, x509.Certificate | None]:
    """The private key in ``data`` and, when present and wanted, its (checked) certificate."""
    if _formats.looks_like_pem(data):
        blocks = pem_blocks(data, name)
        key_blocks = [b for b in blocks if b.kind in ("private-key", "encrypted-private-key")]
        if not key_blocks:
            raise _wrong_pem(blocks[0], "a private key", name)
        if len(key_blocks) > 1:
            raise KeyFileError(f"contains {len(key_blocks)} private keys; expected one",
                               source=name)
        key = _load_key(key_blocks[0].pem, secret, key_blocks[0].encrypted, name, pem=True)
        if not with_certificate:
            return key, None
        certs = [_pem_certificate(b.pem, name) for b in blocks if b.kind == "certificate"]
        return key, _certificate_for(key, certs, name)
    kind = _formats.der_kind(data)
    if kind == "pkcs12":
        key, cert = open_keystore(data, secret, name).key_entry(alias, secret)
        if cert is not None and with_certificate:
            from xbsec.keys.check import check_key_matches_certificate

            check_key_matches_certificate(key, cert, source=name)
        return key, cert
    if kind in ("private-key", "encrypted-private-key"):
        return _load_key(data, secret, kind == "encrypted-private-key", name, pem=False), None
    raise wrong_kind(kind, "a private key", name)


def certificate(
    data: bytes, name: str, secret: bytes | None, alias: str | None
) -> x509.Certificate:
    """The certificate in ``data`` (the first of a PEM chain; by alias from a keystore)."""
    if _formats.looks_like_pem(data):
        blocks = pem_blocks(data, name)
        for block in blocks:
            if block.kind == "certificate":
                return _pem_certificate(block.pem, name)
        raise _wrong_pem(blocks[0], "a certificate", name)
    kind = _formats.der_kind(data)
    if kind == "pkcs12":
        return open_keystore(data, secret, name).certificate_entry(alias)
    if kind == "certificate":
        return _der_certificate(data, name)
    raise wrong_kind(kind, "a certificate", name)


def public_key(data: bytes, name: str) -> PublicKey:
    """The public key of the certificate or SubjectPublicKeyInfo in ``data``."""
    if _formats.looks_like_pem(data):
        blocks = pem_blocks(data, name)
        block = next((b for b in blocks if b.kind in ("certificate", "public-key")), blocks[0])
        if block.kind == "certificate":
            return certificate_public_key(_pem_certificate(block.pem, name), name)
        if block.kind == "public-key":
            return _public_key(serialization.load_pem_public_key, block.pem, name)
        raise _wrong_pem(block, "a public key or certificate", name)
    kind = _formats.der_kind(data)
    if kind == "certificate":
        return certificate_public_key(_der_certificate(data, name), name)
    if kind == "public-key":
        return _public_key(serialization.load_der_public_key, data, name)
    raise wrong_kind(kind, "a public key or certificate", name)


def keystore(data: bytes, name: str, secret: bytes | None) -> Keystore:
    """The opened PKCS#12 keystore in ``data``."""
    if _formats.looks_like_pem(data):
        raise _wrong_pem(pem_blocks(data, name)[0], "a PKCS#12 keystore", name)
    kind = _formats.der_kind(data)
    if kind != "pkcs12":
        raise wrong_kind(kind, "a PKCS#12 keystore", name)
    return open_keystore(data, secret, name)


def pem_blocks(data: bytes, name: str) -> list[_formats.PemBlock]:
    blocks = _formats.pem_blocks(data)
    if not blocks:
        raise KeyFileError("looks like PEM but has no complete BEGIN/END block", source=name)
    return blocks


def wrong_kind(kind: _formats.Kind, wanted: str, name: str) -> KeyFileError:
    if kind == "unknown":
        return KeyFileError(
            "is not a key, certificate or PKCS#12 keystore in a format xbsec reads "
            "(PEM, DER, PKCS#12)", source=name,
        )
    if kind == "encrypted-private-key":
        kind = "private-key"
    return KeyFileError(f"contains {_formats.describe(kind)}, not {wanted}", source=name)


def _wrong_pem(block: _formats.PemBlock, wanted: str, name: str) -> KeyFileError:
    if block.kind == "unknown":
        return KeyFileError(f"holds a PEM {block.label!r} block, not {wanted}", source=name)
    return wrong_kind(block.kind, wanted, name)


def _load_key(
    blob: bytes, password: bytes | None, encrypted: bool, name: str, *, pem: bool
) -> PrivateKey:
    if encrypted and password is None:
        raise KeyPasswordError("the private key is encrypted; a password is required",
                               source=name)
    loader = serialization.load_pem_private_key if pem else serialization.load_der_private_key
    try:
        key = loader(blob, password if encrypted else None)
    except UnsupportedAlgorithm:
        raise KeyFileError("the private key uses an algorithm this installation cannot read",
                           source=name) from None
    except (ValueError, TypeError) as exc:
        # cryptography says "password" only when decryption itself failed; any other refusal
        # of an encrypted key is a scheme it does not read (Camellia, for one).
        if encrypted and "password" in str(exc).lower():
            raise KeyPasswordError("wrong password for the encrypted private key",
                                   source=name) from None
        if encrypted:
            raise KeyFileError("the private key is encrypted with a scheme this installation "
                               "cannot read", source=name) from None
        raise KeyFileError("the private key is damaged or not a key xbsec reads",
                           source=name) from None
    return supported_private_key(key, name)


def _pem_certificate(pem: bytes, name: str) -> x509.Certificate:
    from cryptography import x509

    try:
        return checked_certificate(x509.load_pem_x509_certificate(pem), name)
    except (ValueError, x509.InvalidVersion, UnsupportedAlgorithm):
        raise KeyFileError("is not a valid X.509 certificate", source=name) from None


def _der_certificate(der: bytes, name: str) -> x509.Certificate:
    from cryptography import x509

    try:
        return checked_certificate(x509.load_der_x509_certificate(der), name)
    except (ValueError, x509.InvalidVersion, UnsupportedAlgorithm):
        raise KeyFileError("is not a valid X.509 certificate", source=name) from None


def _certificate_for(
    key: PrivateKey, certs: list[x509.Certificate], name: str
) -> x509.Certificate | None:
    if not certs:
        return None
    from xbsec.keys.check import key_matches_certificate

    for cert in certs:
        if key_matches_certificate(key, cert):
            return cert
    raise KeyMismatchError(
        f"none of the {len(certs)} certificates in the file belongs to its private key",
        source=name,
    )


def certificate_public_key(cert: x509.Certificate, name: str) -> PublicKey:
    """The certificate's public key, if of a type xbsec uses."""
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError("the certificate's public key cannot be read", source=name) from None
    return supported_public_key(key, name)


def _public_key(loader: Callable[[bytes], PublicKeyTypes], blob: bytes, name: str) -> PublicKey:
    try:
        key = loader(blob)
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError("the public key is damaged or of a type xbsec does not read",
                           source=name) from None
    return supported_public_key(key, name)
