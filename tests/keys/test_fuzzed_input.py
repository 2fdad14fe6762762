"""Whatever the bytes, a loader answers with an xbsec error, never another exception."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.serialization import pkcs12
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xbsec.errors import KeyFileError, KeyMaterialError, KeyPasswordError
from xbsec.keys import inspect_key_file, load_certificate, load_private_key, load_public_key

FAST = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def cheap_keystore(rsa_key_2048: Any, cert_2048: Any) -> bytes:
    # Few KDF rounds: the fuzzing is about structure, not about key stretching.
    encryption = (
        s.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(10)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(b"pw")
    )
    return pkcs12.serialize_key_and_certificates(b"k", rsa_key_2048, cert_2048, None, encryption)


@pytest.fixture(scope="module")
def samples(rsa_key_2048: Any, cert_2048: Any, cheap_keystore: bytes) -> list[bytes]:
    return [
        cheap_keystore,
        rsa_key_2048.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption()),
        rsa_key_2048.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()),
        cert_2048.public_bytes(s.Encoding.DER),
        cert_2048.public_bytes(s.Encoding.PEM),
        rsa_key_2048.public_key().public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo),
    ]


def _only_xbsec_errors(data: bytes) -> None:
    for attempt in (
        lambda: load_private_key(data, password="pw"),
        lambda: load_certificate(data, password="pw"),
        lambda: load_public_key(data),
        lambda: inspect_key_file(data, password="pw"),
    ):
        with contextlib.suppress(KeyMaterialError):
            attempt()


@FAST
@given(data=st.binary(min_size=1, max_size=600))
def test_random_bytes_give_only_xbsec_errors(data: bytes) -> None:
    _only_xbsec_errors(data)


@FAST
@given(data=st.data())
def test_mutated_key_material_gives_only_xbsec_errors(samples: list[bytes], data: Any) -> None:
    sample = data.draw(st.sampled_from(samples))
    position = data.draw(st.integers(0, len(sample) - 1))
    value = data.draw(st.integers(0, 255))
    mutated = sample[:position] + bytes([value]) + sample[position + 1:]
    _only_xbsec_errors(mutated)


@FAST
@given(data=st.data())
def test_every_cut_of_a_keystore_is_a_file_error(cheap_keystore: bytes, data: Any) -> None:
    # From 8 bytes on (SEQUENCE header, version 3, SEQUENCE) the start shows a keystore.
    cut = data.draw(st.integers(8, len(cheap_keystore) - 1))
    with pytest.raises(KeyFileError, match="not a readable PKCS#12 keystore"):
        load_private_key(cheap_keystore[:cut], password="pw")


@FAST
@given(data=st.data())
def test_altered_keystore_is_never_loaded(cheap_keystore: bytes, data: Any) -> None:
    position = data.draw(st.integers(0, len(cheap_keystore) - 1))
    flip = data.draw(st.integers(1, 255))
    altered = bytearray(cheap_keystore)
    altered[position] ^= flip
    with pytest.raises((KeyFileError, KeyPasswordError)):
        load_private_key(bytes(altered), password="pw")
