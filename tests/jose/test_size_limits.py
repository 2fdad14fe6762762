"""Size caps on every segment: token, header, encrypted key, IV and tag."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import DecryptionError
from xbsec.jose import jwe_decrypt, jwe_encrypt
from xbsec.policy import SecurityPolicy

from .forge import b64d, b64e, forge, joined, segments

GOOD = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}


def test_a_token_over_the_cap_is_refused_and_one_at_the_cap_accepted(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    token = jwe_encrypt(b"x" * 1000, rsa_key_2048.public_key())
    assert jwe_decrypt(token, rsa_key_2048, policy=SecurityPolicy(jwe_max_token_bytes=len(token)))
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, rsa_key_2048, policy=SecurityPolicy(jwe_max_token_bytes=len(token) - 1))


def test_a_header_over_the_cap_is_refused_and_one_at_the_cap_accepted(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    raw = json.dumps({**GOOD, "pad": "p" * 4000}).encode()
    token = forge(raw, rsa_key_2048.public_key())
    at_cap = SecurityPolicy(jwe_max_header_bytes=len(raw))
    assert jwe_decrypt(token, rsa_key_2048, policy=at_cap) == b'{"ok":true}'
    for cap in (len(raw) - 1, len(raw) // 2, 10):
        with pytest.raises(DecryptionError):
            jwe_decrypt(token, rsa_key_2048, policy=SecurityPolicy(jwe_max_header_bytes=cap))


def test_the_default_header_cap_is_4096_bytes(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    def header_of(size: int) -> bytes:
        base = json.dumps({**GOOD, "pad": ""}).encode()
        return json.dumps({**GOOD, "pad": "p" * (size - len(base))}).encode()

    assert len(header_of(4096)) == 4096
    assert jwe_decrypt(forge(header_of(4096), rsa_key_2048.public_key()), rsa_key_2048)
    with pytest.raises(DecryptionError):
        jwe_decrypt(forge(header_of(4097), rsa_key_2048.public_key()), rsa_key_2048)


@pytest.mark.parametrize("change", ["one-byte-short", "one-byte-long", "double", "empty"])
def test_the_encrypted_key_must_be_exactly_the_modulus_length(
    rsa_key_2048: rsa.RSAPrivateKey, change: str
) -> None:
    parts = segments(jwe_encrypt(b"x", rsa_key_2048.public_key()))
    encrypted_key = b64d(parts[1])
    parts[1] = b64e(
        {
            "one-byte-short": encrypted_key[1:],
            "one-byte-long": b"\0" + encrypted_key,
            "double": encrypted_key * 2,
            "empty": b"",
        }[change]
    )
    with pytest.raises(DecryptionError):
        jwe_decrypt(joined(parts), rsa_key_2048)


@pytest.mark.parametrize("iv_length", [8, 11, 13, 15, 17, 32, 64])
def test_gcm_ivs_other_than_12_or_16_bytes_are_refused_by_every_policy(
    rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy, iv_length: int
) -> None:
    token = forge(GOOD, rsa_key_2048.public_key(), iv=bytes(iv_length))
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, rsa_key_2048, policy=compatible)


def test_16_byte_gcm_ivs_follow_the_policy(
    rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy
) -> None:
    token = forge(GOOD, rsa_key_2048.public_key(), iv=bytes(16))
    assert jwe_decrypt(token, rsa_key_2048, policy=compatible) == b'{"ok":true}'
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, rsa_key_2048)
    only_16 = SecurityPolicy(jwe_gcm_iv_lengths=frozenset({16}))
    assert jwe_decrypt(token, rsa_key_2048, policy=only_16) == b'{"ok":true}'
    with pytest.raises(DecryptionError):
        jwe_decrypt(forge(GOOD, rsa_key_2048.public_key()), rsa_key_2048, policy=only_16)


@pytest.mark.parametrize("iv_length", [0, 12, 15, 17, 32])
def test_cbc_ivs_must_be_one_block_whatever_the_gcm_policy(
    rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy, iv_length: int
) -> None:
    parts = segments(jwe_encrypt(b"x", rsa_key_2048.public_key(), enc="A128CBC-HS256"))
    parts[2] = b64e(bytes(iv_length))
    with pytest.raises(DecryptionError):
        jwe_decrypt(joined(parts), rsa_key_2048, policy=compatible)


@pytest.mark.parametrize(("enc", "tag_size"), [("A128CBC-HS256", 16), ("A256CBC-HS512", 32)])
def test_cbc_tags_must_be_half_the_mac_output(
    rsa_key_2048: rsa.RSAPrivateKey, enc: str, tag_size: int
) -> None:
    parts = segments(jwe_encrypt(b"x", rsa_key_2048.public_key(), enc=enc))
    tag = b64d(parts[4])
    assert len(tag) == tag_size
    for wrong in (tag[:-1], tag + b"\0", tag[: tag_size // 2]):
        parts[4] = b64e(wrong)
        with pytest.raises(DecryptionError):
            jwe_decrypt(joined(parts), rsa_key_2048)


def test_cbc_ciphertext_must_be_whole_blocks(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    parts = segments(jwe_encrypt(b"x" * 20, rsa_key_2048.public_key(), enc="A128CBC-HS256"))
    ciphertext = b64d(parts[3])
    for wrong in (b"", ciphertext[:-1], ciphertext + b"\0"):
        parts[3] = b64e(wrong)
        with pytest.raises(DecryptionError):
            jwe_decrypt(joined(parts), rsa_key_2048)


def test_an_oversized_bytes_token_is_refused_before_it_is_decoded(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    token = jwe_encrypt(b"x", rsa_key_2048.public_key()).encode("ascii")
    policy = SecurityPolicy(jwe_max_token_bytes=len(token) - 1)
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, rsa_key_2048, policy=policy)
    with pytest.raises(DecryptionError):
        jwe_decrypt(b"\xff" * (len(token) + 1), rsa_key_2048, policy=policy)
