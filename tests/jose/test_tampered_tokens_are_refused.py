"""The tamper matrix: every modification of a valid token is one opaque DecryptionError."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import DecryptionError
from xbsec.jose import jwe_decrypt, jwe_encrypt
from xbsec.policy import SecurityPolicy

from .forge import b64d, b64e, flip_bit, joined, segments

PLAINTEXT = b'{"paymentrequest":{"amount":"100.00"}}'
SEGMENTS = ["header", "encrypted_key", "iv", "ciphertext", "tag"]


@pytest.fixture(scope="module")
def token(rsa_key_2048: rsa.RSAPrivateKey) -> str:
    return jwe_encrypt(PLAINTEXT, rsa_key_2048.public_key())


def _refused(token: object, key: rsa.RSAPrivateKey, policy: SecurityPolicy | None = None) -> None:
    with pytest.raises(DecryptionError) as caught:
        jwe_decrypt(token, key, policy=policy)  # type: ignore[arg-type]
    assert str(caught.value) == "decryption failed"


def test_the_untouched_token_decrypts(token: str, rsa_key_2048: rsa.RSAPrivateKey) -> None:
    assert jwe_decrypt(token, rsa_key_2048) == PLAINTEXT


@pytest.mark.parametrize("index", range(5), ids=SEGMENTS)
@pytest.mark.parametrize("position", ["first", "last"])
def test_a_bit_flip_in_any_segment_is_refused(
    token: str, rsa_key_2048: rsa.RSAPrivateKey, index: int, position: str
) -> None:
    parts = segments(token)
    size = len(b64d(parts[index]))
    parts[index] = flip_bit(parts[index], byte=0 if position == "first" else size - 1)
    _refused(joined(parts), rsa_key_2048)


@pytest.mark.parametrize("tag", [bytes(16), b"", bytes(8), bytes(12), bytes(15), bytes(17)])
def test_zeroed_truncated_or_lengthened_tags_are_refused(
    token: str, rsa_key_2048: rsa.RSAPrivateKey, tag: bytes
) -> None:
    parts = segments(token)
    if len(tag) in (8, 12, 15):
        tag = b64d(parts[4])[: len(tag)]  # a prefix of the real tag: truncation proper
    parts[4] = b64e(tag)
    _refused(joined(parts), rsa_key_2048)


def _with_header(token: str, **changes: object) -> str:
    parts = segments(token)
    header = json.loads(b64d(parts[0]))
    header.update(changes)
    parts[0] = b64e(json.dumps(header).encode())
    return joined(parts)


@pytest.mark.parametrize(
    "changes",
    [
        {"kid": "0" * 64},
        {"alg": "RSA-OAEP"},
        {"alg": "RSA1_5"},
        {"alg": "dir"},
        {"alg": "none"},
        {"enc": "A128GCM"},
        {"enc": "A128CBC-HS256"},
        {"zip": "DEF"},
        {"crit": ["exp"]},
        {"alg": "A256GCM", "enc": "RSA-OAEP-256"},  # swapped
    ],
    ids=[
        "kid",
        "alg-oaep",
        "alg-rsa1_5",
        "alg-dir",
        "alg-none",
        "enc",
        "enc-cbc",
        "zip",
        "crit",
        "swapped",
    ],
)
def test_header_edits_are_refused(
    token: str, rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy, changes: dict
) -> None:
    _refused(_with_header(token, **changes), rsa_key_2048, compatible)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 6, 7])
def test_a_token_without_exactly_five_segments_is_refused(
    token: str, rsa_key_2048: rsa.RSAPrivateKey, count: int
) -> None:
    parts = segments(token)
    parts = parts[:count] if count < 5 else parts + parts[: count - 5]
    _refused(joined(parts), rsa_key_2048)


@pytest.mark.parametrize("index", range(5), ids=SEGMENTS)
@pytest.mark.parametrize(
    "damage",
    ["pad", "plus", "slash", "space", "newline", "non-ascii", "percent", "one-char-more"],
)
def test_base64url_that_is_not_strict_is_refused(
    token: str, rsa_key_2048: rsa.RSAPrivateKey, index: int, damage: str
) -> None:
    parts = segments(token)
    segment = parts[index]
    parts[index] = {
        "pad": segment + "=" * (-len(segment) % 4 or 4),
        "plus": "+" + segment[1:],
        "slash": segment[:-1] + "/",
        "space": segment[:5] + " " + segment[5:],
        "newline": segment + "\n",
        "non-ascii": segment[:3] + "é" + segment[4:],
        "percent": "%" + segment[1:],
        "one-char-more": segment + "A" * ((1 - len(segment)) % 4 or 4),
    }[damage]
    _refused(joined(parts), rsa_key_2048)


def test_non_canonical_trailing_bits_are_refused_though_lenient_decoders_agree(
    token: str, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    parts = segments(token)
    tag = parts[4]  # 16 bytes: 22 characters, the last one carries 4 unused bits
    assert len(tag) == 22
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = tag[:-1] + alphabet[alphabet.index(tag[-1]) | 0x01]
    assert twin != tag
    assert b64d(twin) == b64d(tag)  # the same bytes to a lenient decoder
    parts[4] = twin
    _refused(joined(parts), rsa_key_2048)


def test_a_token_encrypted_to_another_key_is_refused(
    rsa_key_2048: rsa.RSAPrivateKey, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    _refused(jwe_encrypt(PLAINTEXT, other_rsa_key_2048.public_key()), rsa_key_2048)


@pytest.mark.parametrize(
    "not_a_token", ["", "....", None, 42, ["a", "b"], b"\xff.a.b.c.d", "a.b.c.d.e"]
)
def test_things_that_are_not_tokens_are_refused(
    rsa_key_2048: rsa.RSAPrivateKey, not_a_token: object
) -> None:
    _refused(not_a_token, rsa_key_2048)


def test_segments_swapped_between_two_valid_tokens_are_refused(
    token: str, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    other = segments(jwe_encrypt(PLAINTEXT, rsa_key_2048.public_key()))
    for index in range(1, 5):
        parts = segments(token)
        parts[index] = other[index]
        _refused(joined(parts), rsa_key_2048)
