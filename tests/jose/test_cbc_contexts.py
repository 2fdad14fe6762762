"""AES-CBC contexts made straight from cryptography's binding give what ``Cipher`` gives."""

from __future__ import annotations

import contextlib
import os

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from xbsec.errors import DecryptionError
from xbsec.jose import content


def _reference(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


@pytest.mark.parametrize("way", ["chosen", "public"])
@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 1000])
def test_both_ways_match_cipher(monkeypatch: pytest.MonkeyPatch, way: str, size: int) -> None:
    if way == "public":
        monkeypatch.setattr(content, "_cbc_context", content._public_contexts)
    for key_size in (16, 24, 32):
        key, iv, plaintext = os.urandom(key_size), os.urandom(16), os.urandom(size)
        sealed = content.aes_cbc_encrypt(key, iv, plaintext)
        assert sealed == _reference(key, iv, plaintext)
        assert content.aes_cbc_decrypt(key, iv, sealed) == plaintext
        tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
        with contextlib.suppress(DecryptionError):  # bad padding: the one opaque error
            assert content.aes_cbc_decrypt(key, iv, tampered) != plaintext


def test_a_way_is_chosen_at_import() -> None:
    # If a new cryptography moved the binding, the public way is used: still correct, slower.
    assert content._cbc_context.__name__ in ("direct", "_public_contexts")
