"""Does a key belong to a certificate, and is the certificate valid now?"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from xbsec.errors import ConfigurationError, KeyMaterialError, KeyMismatchError
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.keys.types import PrivateKey, PublicKey

if TYPE_CHECKING:
    from cryptography import x509

__all__ = [
    "check_key_matches_certificate",
    "days_left",
    "is_valid_at",
    "key_matches_certificate",
    "validity",
]


def key_matches_certificate(key: PrivateKey | PublicKey, cert: x509.Certificate) -> bool:
    """Whether ``key`` (private or public) is the key the certificate certifies."""
    try:
        certified = cert.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return False  # a certificate for a key type we cannot read certifies none of ours
    public = key.public_key() if isinstance(key, PrivateKey) else key
    return _spki(public) == _spki(certified)


def check_key_matches_certificate(
    key: PrivateKey | PublicKey, cert: x509.Certificate, *, source: str | None = None
) -> None:
    """Raise ``KeyMismatchError`` unless ``key`` belongs to ``cert``.

    The message gives both SPKI fingerprints and the certificate subject, which is enough to
    find the right file among several (fingerprints are public; nothing secret is shown).
    """
    if key_matches_certificate(key, cert):
        return
    try:
        cert_fingerprint = spki_sha256_hex(cert)
    except KeyMaterialError:
        cert_fingerprint = "of an unsupported key type"
    raise KeyMismatchError(
        f"the private key does not belong to the certificate {cert.subject.rfc4514_string()!r} "
        f"(key SPKI SHA-256 {spki_sha256_hex(key)}, certificate SPKI SHA-256 "
        f"{cert_fingerprint})",
        source=source,
    )


def validity(cert: x509.Certificate) -> tuple[datetime, datetime]:
    """The certificate's (notBefore, notAfter), as timezone-aware UTC datetimes."""
    return cert.not_valid_before_utc, cert.not_valid_after_utc


def is_valid_at(cert: x509.Certificate, when: datetime) -> bool:
    """Whether ``when`` lies within notBefore..notAfter (both inclusive, RFC 5280 §4.1.2.5)."""
    not_before, not_after = validity(cert)
    return not_before <= _aware(when, "when") <= not_after


def days_left(cert: x509.Certificate, *, now: datetime | None = None) -> int:
    """Whole days until notAfter, rounded down: 0 on the last day, negative once expired."""
    current = datetime.now(UTC) if now is None else _aware(now, "now")
    return (cert.not_valid_after_utc - current) // timedelta(days=1)


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ConfigurationError(f"{name} must be a timezone-aware datetime")
    return moment


def _spki(key: object) -> bytes:
    return key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
