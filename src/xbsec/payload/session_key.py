"""The Mastercard field-level scheme's session key and its RSA-OAEP wrapping (SPEC §4.2).

The session key is AES-128 (what Mastercard's libraries generate); keys of 192 and 256 bits
are read too. It is wrapped with RSAES-OAEP, MGF1 on the same digest as OAEP, no label. The
digest is configurable (``oaepPaddingDigestAlgorithm``) and may be named on the wire
(``oaepHashingAlgorithm``): SHA-256 or SHA-512 in practice (MDES documents those two), and
SHA-1, SHA-224 and SHA-384, which Mastercard's Python library also accepts; OAEP's security
does not rest on collision resistance, so none of them is weak here.

``xbsec.jose.keywrap`` implements only the two JWE algorithms (SHA-1 and SHA-256), so this
module has its own table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from xbsec.errors import DecryptionError

__all__ = ["OAEP_DIGESTS", "SESSION_KEY_SIZE", "oaep_digest", "unwrap_session_key",
           "wrap_session_key"]  # fmt: skip

SESSION_KEY_SIZE: Final = 16
"""Bytes of the AES key xbsec generates (AES-128, as Mastercard's libraries do)."""

_READABLE_KEY_SIZES: Final = frozenset({16, 24, 32})


def _oaep(digest: hashes.HashAlgorithm) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(algorithm=digest), algorithm=digest, label=None)


_PADDINGS: Final[Mapping[str, padding.OAEP]] = {
    "SHA1": _oaep(hashes.SHA1()),  # noqa: S303 - OAEP with SHA-1 is still sound
    "SHA224": _oaep(hashes.SHA224()),
    "SHA256": _oaep(hashes.SHA256()),
    "SHA384": _oaep(hashes.SHA384()),
    "SHA512": _oaep(hashes.SHA512()),
}

OAEP_DIGESTS: Final = frozenset(_PADDINGS)
"""Digest names accepted, in Mastercard's spelling (``SHA256``)."""


def oaep_digest(name: object) -> str | None:
    """The canonical digest name (``SHA256``) for ``SHA-256``, ``sha256``, ...; ``None`` when
    ``name`` is not one of ``OAEP_DIGESTS``."""
    if not isinstance(name, str):
        return None
    canonical = name.replace("-", "").upper()
    return canonical if canonical in _PADDINGS else None


def wrap_session_key(public_key: rsa.RSAPublicKey, key: bytes, digest: str) -> bytes:
    """``key`` encrypted to ``public_key`` with OAEP on ``digest``.

    ``digest`` is a canonical name (``oaep_digest``) and ``public_key`` has at least 2048
    bits (``field_config`` checks both), so OAEP always has room: SHA-512 takes 130 bytes of
    the 256, the session key at most 32.
    """
    return public_key.encrypt(key, _PADDINGS[digest])


def unwrap_session_key(private_key: rsa.RSAPrivateKey, wrapped: bytes, digest: str) -> bytes:
    """The AES session key, or ``DecryptionError``.

    The wrapped key must be exactly as long as the modulus (RFC 8017 §7.1.2 step 1.b), and
    what it holds must be an AES key size.
    """
    oaep = _PADDINGS.get(digest)
    if oaep is None or len(wrapped) != (private_key.key_size + 7) // 8:
        raise DecryptionError()
    try:
        key = private_key.decrypt(wrapped, oaep)
    except ValueError:
        raise DecryptionError() from None
    if len(key) not in _READABLE_KEY_SIZES:
        raise DecryptionError()
    return key
