"""A wrapped key that does not unwrap fails like a forged tag (RFC 7516 §11.5)."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import DecryptionError
from xbsec.jose import jwe_decrypt, jwe_encrypt
from xbsec.jose.jwe import _decrypt

from .forge import b64e, forge, joined, oaep, segments


class _Spy:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, n: int) -> bytes:
        self.calls.append(n)
        return os.urandom(n)


def test_a_valid_token_needs_no_substitute_key(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    spy = _Spy()
    token = jwe_encrypt(b"x", rsa_key_2048.public_key())
    assert _decrypt(token, rsa_key_2048, None, spy)[0] == b"x"
    assert spy.calls == []


def test_an_unwrap_failure_goes_on_with_a_random_key_of_the_right_size(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    spy = _Spy()
    parts = segments(jwe_encrypt(b"x", rsa_key_2048.public_key(), enc="A192GCM"))
    parts[1] = b64e(bytes(256))
    with pytest.raises(DecryptionError):
        _decrypt(joined(parts), rsa_key_2048, None, spy)
    assert spy.calls == [24]


@pytest.mark.parametrize("cek_size", [0, 16, 24, 31, 33, 64])
def test_a_content_key_of_the_wrong_size_is_replaced_and_refused(
    rsa_key_2048: rsa.RSAPrivateKey, cek_size: int
) -> None:
    # The wrapped key is valid OAEP but not the 32 bytes A256GCM needs. With 16 or 24 bytes
    # the content really is AES-GCM under that key, so a decryptor that took the unwrapped
    # key as it came would succeed.
    spy = _Spy()
    cek = os.urandom(cek_size)
    content_key = cek if cek_size in (16, 24) else os.urandom(32)
    header = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
    parts = segments(forge(header, rsa_key_2048.public_key(), cek=content_key))
    parts[1] = b64e(rsa_key_2048.public_key().encrypt(cek, oaep()))
    token = joined(parts)
    with pytest.raises(DecryptionError):
        _decrypt(token, rsa_key_2048, None, spy)
    assert spy.calls == [32]
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, rsa_key_2048)
