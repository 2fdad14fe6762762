"""The content layer on its own: RFC 7518 Appendix B vectors, tag checks, bare AES-CBC."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from xbsec.errors import ConfigurationError, DecryptionError
from xbsec.jose import (
    CONTENT_ENCRYPTIONS,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    aes_gcm_decrypt,
    aes_gcm_encrypt,
)

# RFC 7518 Appendix B: the key is 00 01 .. ; same P, IV and A in B.1 and B.2.
P = (
    b"A cipher system must not be required to be secret, and it must be able to fall into "
    b"the hands of the enemy without inconvenience"
)
IV = bytes.fromhex("1af38c2dc2b96ffdd866940923 41bc04".replace(" ", ""))
A = b"The second principle of Auguste Kerckhoffs"
RFC7518_B = {
    "A128CBC-HS256": (
        "c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9a94ac9b47ad2655c5f10f9aef71427e2"
        "fc6f9b3f399a221489f16362c703233609d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b"
        "384c486f3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade54b8851ffb598f7f80074b9473c82e2db",
        "652c3fa36b0a7c5b3219fab3a30bc1c4",
    ),
    "A192CBC-HS384": (
        "ea65da6b59e61edb419be62d19712ae5d303eeb50052d0dfd6697f77224c8edb000d279bdc14c1072654bd30944230c6"
        "57bed4ca0c9f4a8466f22b226d1746214bf8cfc2400add9f5126e479663fc90b3bed787a2f0ffcbf3904be2a641d5c21"
        "05bfe591bae23b1d7449e532eef60a9ac8bb6c6b01d35d49787bcd57ef484927f280adc91ac0c4e79c7b11efc60054e3",
        "8490ac0e58949bfe51875d733f93ac2075168039ccc733d7",
    ),
}


@pytest.mark.parametrize("enc", sorted(RFC7518_B))
def test_rfc7518_appendix_b_vectors_seal_and_open(enc: str) -> None:
    cipher = CONTENT_ENCRYPTIONS[enc]
    key = bytes(range(cipher.key_size))
    ciphertext, tag = (bytes.fromhex(h) for h in RFC7518_B[enc])
    assert cipher.seal(key, IV, P, A) == ciphertext + tag
    assert cipher.open(key, IV, ciphertext + tag, A) == P


@pytest.mark.parametrize("enc", sorted(RFC7518_B))
def test_cbc_hmac_refuses_any_change_to_aad_iv_ciphertext_or_tag(enc: str) -> None:
    cipher = CONTENT_ENCRYPTIONS[enc]
    key = bytes(range(cipher.key_size))
    sealed = bytes.fromhex("".join(RFC7518_B[enc]))
    for position in (0, 50, len(sealed) - cipher.tag_size, len(sealed) - 1):
        damaged = bytearray(sealed)
        damaged[position] ^= 0x80
        with pytest.raises(DecryptionError):
            cipher.open(key, IV, bytes(damaged), A)
    for iv, aad in ((IV[:-1] + b"\0", A), (IV, A + b"."), (IV, b"")):
        with pytest.raises(DecryptionError):
            cipher.open(key, iv, sealed, aad)
    with pytest.raises(DecryptionError):
        cipher.open(key[:-1], IV, sealed, A)


def test_the_mac_covers_the_aad_length_so_aad_bytes_cannot_move_into_the_iv() -> None:
    cipher = CONTENT_ENCRYPTIONS["A128CBC-HS256"]
    key = os.urandom(32)
    sealed = cipher.seal(key, IV, b"data", b"header")
    with pytest.raises(DecryptionError):
        cipher.open(key, IV, sealed, b"heade")


@given(
    st.binary(max_size=300), st.binary(max_size=40), st.sampled_from(sorted(CONTENT_ENCRYPTIONS))
)
def test_every_content_cipher_round_trips(plaintext: bytes, aad: bytes, enc: str) -> None:
    cipher = CONTENT_ENCRYPTIONS[enc]
    key = os.urandom(cipher.key_size)
    iv = os.urandom(cipher.iv_size(12))
    assert cipher.open(key, iv, cipher.seal(key, iv, plaintext, aad), aad) == plaintext


def test_gcm_functions_agree_with_cryptography() -> None:
    key, iv = os.urandom(32), os.urandom(12)
    ciphertext, tag = aes_gcm_encrypt(key, iv, b"message", b"aad")
    assert ciphertext + tag == AESGCM(key).encrypt(iv, b"message", b"aad")
    assert aes_gcm_decrypt(key, iv, ciphertext, tag, b"aad") == b"message"


def test_gcm_decrypt_refuses_short_tags_and_ivs_the_caller_does_not_allow() -> None:
    key, iv16 = os.urandom(16), os.urandom(16)
    ciphertext, tag = aes_gcm_encrypt(key, iv16, b"message", b"")
    assert aes_gcm_decrypt(key, iv16, ciphertext, tag, iv_lengths={12, 16}) == b"message"
    for bad_tag in (tag[:15], tag[:12], tag[:8], tag[:4], b"", tag + b"\0"):
        with pytest.raises(DecryptionError):
            aes_gcm_decrypt(key, iv16, ciphertext, bad_tag, iv_lengths={12, 16})
    with pytest.raises(DecryptionError):
        aes_gcm_decrypt(key, iv16, ciphertext, tag)  # 16-byte IVs only when asked for
    with pytest.raises(DecryptionError):
        aes_gcm_decrypt(key[:15], iv16, ciphertext, tag, iv_lengths={16})


@pytest.mark.parametrize(("key", "iv"), [(bytes(15), bytes(12)), (bytes(16), bytes(7))])
def test_gcm_encrypt_with_unusable_key_or_iv_is_a_configuration_error(
    key: bytes, iv: bytes
) -> None:
    with pytest.raises(ConfigurationError):
        aes_gcm_encrypt(key, iv, b"x")


@given(st.binary(max_size=100), st.sampled_from([16, 24, 32]))
def test_cbc_round_trips_with_pkcs7_padding(plaintext: bytes, key_size: int) -> None:
    key, iv = os.urandom(key_size), os.urandom(16)
    ciphertext = aes_cbc_encrypt(key, iv, plaintext)
    assert len(ciphertext) == (len(plaintext) // 16 + 1) * 16
    assert aes_cbc_decrypt(key, iv, ciphertext) == plaintext


def test_cbc_refuses_bad_padding_lengths_keys_and_ivs() -> None:
    key, iv = os.urandom(16), os.urandom(16)
    ciphertext = aes_cbc_encrypt(key, iv, b"sixteen bytes!!!")
    for bad in (b"", ciphertext[:-1], ciphertext[:16]):  # the last: a block of pure padding lost
        with pytest.raises(DecryptionError):
            aes_cbc_decrypt(key, iv, bad)
    with pytest.raises(DecryptionError):
        aes_cbc_decrypt(key[:15], iv, ciphertext)
    with pytest.raises(DecryptionError):
        aes_cbc_decrypt(key, iv[:12], ciphertext)
    with pytest.raises(ConfigurationError):
        aes_cbc_encrypt(key, iv[:12], b"x")
