"""Build JWE tokens by hand, on cryptography primitives, with any header at all.

The header rules must be shown to refuse a token *because of the rule*: a token whose
header was merely edited fails at the tag anyway. ``forge`` encrypts correctly under any
protected header bytes, so a refusal of a forged token can only come from the header check;
each rule test also shows the same forge with a clean header decrypting.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

GCM_KEY_SIZES = {"A128GCM": 16, "A192GCM": 24, "A256GCM": 32}


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def oaep(hash_algorithm: hashes.HashAlgorithm | None = None) -> padding.OAEP:
    h = hash_algorithm or hashes.SHA256()
    return padding.OAEP(mgf=padding.MGF1(algorithm=h), algorithm=h, label=None)


def forge(
    header: dict[str, Any] | bytes,
    recipient: rsa.RSAPublicKey,
    plaintext: bytes = b'{"ok":true}',
    *,
    gcm_key_size: int = 32,
    iv: bytes | None = None,
    cek: bytes | None = None,
    wrap_hash: hashes.HashAlgorithm | None = None,
) -> str:
    """A correctly encrypted AES-GCM compact JWE under exactly ``header`` (dict or raw JSON)."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    segment = b64e(raw)
    cek = os.urandom(gcm_key_size) if cek is None else cek
    iv = os.urandom(12) if iv is None else iv
    sealed = AESGCM(cek).encrypt(iv, plaintext, segment.encode("ascii"))
    encrypted_key = recipient.encrypt(cek, oaep(wrap_hash))
    parts = (segment, b64e(encrypted_key), b64e(iv), b64e(sealed[:-16]), b64e(sealed[-16:]))
    return ".".join(parts)


def segments(token: str) -> list[str]:
    return token.split(".")


def joined(parts: list[str]) -> str:
    return ".".join(parts)


def flip_bit(segment: str, byte: int = 0, bit: int = 0) -> str:
    """``segment`` with one bit of its decoded bytes flipped, re-encoded canonically."""
    data = bytearray(b64d(segment))
    data[byte] ^= 1 << bit
    return b64e(bytes(data))
