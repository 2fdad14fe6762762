"""Describe a key file: what it holds, for whom, until when, and its fingerprints.

This is what ``xbsec keys inspect`` prints. Everything in a ``KeyInfo`` is public information
(no key material, nothing from which a password could be learnt).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import KeyMaterialError
from xbsec.keys import _decode, _formats
from xbsec.keys._source import password_bytes, read_source
from xbsec.keys.check import check_key_matches_certificate, validity
from xbsec.keys.check import days_left as _days_left
from xbsec.keys.fingerprints import cert_sha256_hex, jwk_thumbprint, spki_sha256_hex, x5t_s256
from xbsec.keys.types import PublicKey

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["FileKind", "KeyInfo", "inspect_key_file"]

FileKind = Literal[
    "pkcs12", "pem-private-key", "der-private-key", "pem-certificate", "der-certificate",
    "pem-public-key", "der-public-key",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyInfo:
    """What a key, certificate or keystore file holds."""

    source: str
    """The path, or ``<bytes>``."""
    kind: FileKind
    key_type: Literal["RSA", "EC"]
    key_size: int
    """Modulus bits for RSA, curve bits for EC."""
    curve: str | None
    """The EC curve name (``secp256r1``), ``None`` for RSA."""
    has_private_key: bool
    subject: str | None
    """RFC 4514 string of the certificate subject, ``None`` without a certificate."""
    issuer: str | None
    not_before: datetime | None
    not_after: datetime | None
    days_left: int | None
    """Whole days until notAfter (negative once expired), ``None`` without a certificate."""
    aliases: tuple[str, ...]
    """The keystore's aliases (PKCS#12 only)."""
    spki_sha256_hex: str
    """The JWE ``kid`` Mastercard's libraries derive (SPEC §3.4)."""
    cert_sha256_hex: str | None
    jwk_thumbprint: str | None
    """RFC 7638 thumbprint (SPEC §5.2); ``None`` for an EC curve JOSE does not name."""
    x5t_s256: str | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: dates as ISO 8601 UTC (``2026-01-31T12:00:00Z``), tuples as lists."""
        result: dict[str, object] = {}
        for field in fields(self):
            name = field.name
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif isinstance(value, tuple):
                value = list(value)
            result[name] = value
        return result


def inspect_key_file(
    source: str | os.PathLike[str] | bytes, *, password: str | bytes | None = None,
    alias: str | None = None, now: datetime | None = None,
) -> KeyInfo:
    """Describe the key, certificate or keystore in ``source``.

    A PKCS#12 keystore needs its password; ``alias`` picks an entry as in ``load_*``. A PEM
    file with a key and a certificate is described as a key with its certificate.
    """
    data, name = read_source(source)
    secret = password_bytes(password)
    aliases: tuple[str, ...] = ()
    cert: x509.Certificate | None = None
    has_private_key = True
    kind: FileKind
    if _formats.looks_like_pem(data):
        kinds = {block.kind for block in _decode.pem_blocks(data, name)}
        if kinds & {"private-key", "encrypted-private-key"}:
            kind = "pem-private-key"
            key, cert = _decode.key_and_certificate(data, name, secret, alias)
            public = key.public_key()
        elif "certificate" in kinds:
            kind, has_private_key = "pem-certificate", False
            cert = _decode.certificate(data, name, secret, alias)
            public = _decode.certificate_public_key(cert, name)
        else:
            kind, has_private_key = "pem-public-key", False
            public = _decode.public_key(data, name)
    else:
        der_kind = _formats.der_kind(data)
        if der_kind == "pkcs12":
            kind = "pkcs12"
            keystore = _decode.keystore(data, name, secret)
            aliases = keystore.aliases
            if keystore.key is None:
                has_private_key = False
                cert = keystore.certificate_entry(alias)
                public = _decode.certificate_public_key(cert, name)
            else:
                key, cert = keystore.key_entry(alias, secret)
                if cert is not None:
                    check_key_matches_certificate(key, cert, source=name)
                public = key.public_key()
        elif der_kind in ("private-key", "encrypted-private-key"):
            kind = "der-private-key"
            key, _ = _decode.key_and_certificate(data, name, secret, alias)
            public = key.public_key()
        elif der_kind == "certificate":
            kind, has_private_key = "der-certificate", False
            cert = _decode.certificate(data, name, secret, alias)
            public = _decode.certificate_public_key(cert, name)
        else:
            kind, has_private_key = "der-public-key", False
            public = _decode.public_key(data, name)
    return _describe(name, kind, public, cert, aliases, has_private_key, now)


def _describe(
    name: str, kind: FileKind, public: PublicKey, cert: x509.Certificate | None,
    aliases: tuple[str, ...], has_private_key: bool, now: datetime | None,
) -> KeyInfo:
    not_before, not_after = validity(cert) if cert is not None else (None, None)
    try:
        thumbprint: str | None = jwk_thumbprint(public)
    except KeyMaterialError:
        thumbprint = None  # an EC curve without a JOSE name (only P-256/384/521 have one)
    return KeyInfo(
        source=name,
        kind=kind,
        key_type="RSA" if isinstance(public, rsa.RSAPublicKey) else "EC",
        key_size=public.key_size,
        curve=None if isinstance(public, rsa.RSAPublicKey) else public.curve.name,
        has_private_key=has_private_key,
        subject=None if cert is None else cert.subject.rfc4514_string(),
        issuer=None if cert is None else cert.issuer.rfc4514_string(),
        not_before=not_before,
        not_after=not_after,
        days_left=None if cert is None else _days_left(cert, now=now),
        aliases=aliases,
        spki_sha256_hex=spki_sha256_hex(public),
        cert_sha256_hex=None if cert is None else cert_sha256_hex(cert),
        jwk_thumbprint=thumbprint,
        x5t_s256=None if cert is None else x5t_s256(cert),
    )

