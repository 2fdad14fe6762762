"""Payloads larger than one decoding step: correct, still refused when damaged, and lean."""

from __future__ import annotations

import gc
import os
import tracemalloc

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import DecryptionError
from xbsec.jose import b64, jwe_decrypt, jwe_encrypt

from .forge import joined, segments

SIZE = 3 * b64.CHUNK_CHARS + 1234  # several encoding and decoding steps, and a ragged end


@pytest.fixture(scope="module")
def payload() -> bytes:
    return os.urandom(SIZE)


@pytest.mark.parametrize("enc", ["A256GCM", "A256CBC-HS512"])
def test_a_payload_of_several_steps_round_trips(
    rsa_key_2048: rsa.RSAPrivateKey, payload: bytes, enc: str
) -> None:
    token = jwe_encrypt(payload, rsa_key_2048.public_key(), enc=enc)
    assert jwe_decrypt(token, rsa_key_2048) == payload


@pytest.mark.parametrize(
    "position", [0, b64.CHUNK_CHARS - 1, b64.CHUNK_CHARS, 2 * b64.CHUNK_CHARS + 7, -1]
)
@pytest.mark.parametrize("damage", ["flip", "padding", "space"])
def test_damage_in_any_step_of_the_ciphertext_is_refused(
    rsa_key_2048: rsa.RSAPrivateKey, payload: bytes, position: int, damage: str
) -> None:
    parts = segments(jwe_encrypt(payload, rsa_key_2048.public_key()))
    text = list(parts[3])
    original = text[position]
    text[position] = {"flip": "A" if original != "A" else "B", "padding": "=", "space": " "}[damage]
    parts[3] = "".join(text)
    with pytest.raises(DecryptionError):
        jwe_decrypt(joined(parts), rsa_key_2048)


def test_a_large_round_trip_stays_under_four_payload_copies(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    plaintext = os.urandom(4 * 1024 * 1024)
    gc.collect()
    tracemalloc.start()
    try:
        token = jwe_encrypt(plaintext, rsa_key_2048.public_key())
        _, encrypt_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        assert jwe_decrypt(token, rsa_key_2048) == plaintext
        _, round_trip_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The token (4/3 of the payload) is held throughout the decryption.
    assert encrypt_peak < 3.0 * len(plaintext)
    assert round_trip_peak < 3.6 * len(plaintext)
