"""JWEs produced by Mastercard's client-encryption library (peer-vectors/jwe_vectors.json)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from cryptography import x509

from tests.conftest import load_peer
from xbsec.errors import DecryptionError
from xbsec.jose import jwe_decrypt, jwe_decrypt_with_header
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.policy import SecurityPolicy


@pytest.fixture(scope="module")
def vectors() -> list[dict[str, Any]]:
    return load_peer("jwe_vectors.json")["vectors"]  # type: ignore[no-any-return]


def test_every_vector_decrypts_under_the_mastercard_compatible_policy(
    vectors: list[dict[str, Any]], mc_key: Any, compatible: SecurityPolicy
) -> None:
    for vector in vectors:
        plaintext, header = jwe_decrypt_with_header(vector["token"], mc_key, policy=compatible)
        assert plaintext == vector["plaintext"].encode()
        assert dict(header.members) == vector["header"]
    assert len(vectors) == 6


def test_16_byte_gcm_ivs_are_refused_by_the_strict_policy(
    vectors: list[dict[str, Any]], mc_key: Any
) -> None:
    outcome: Counter[str] = Counter()
    for vector in vectors:
        gcm16 = vector["header"]["enc"].endswith("GCM") and vector["iv_len"] == 16
        if gcm16:
            with pytest.raises(DecryptionError):
                jwe_decrypt(vector["token"], mc_key)
            outcome["16-byte GCM IV, refused by strict"] += 1
        else:
            assert jwe_decrypt(vector["token"], mc_key) == vector["plaintext"].encode()
            outcome["accepted by strict"] += 1
    assert outcome == {"16-byte GCM IV, refused by strict": 2, "accepted by strict": 4}


def test_the_peer_kid_is_the_spki_fingerprint_of_the_peer_certificate(
    vectors: list[dict[str, Any]], mc_certificate: x509.Certificate
) -> None:
    kids = {v["header"]["kid"] for v in vectors if "kid" in v["header"]}
    assert kids == {spki_sha256_hex(mc_certificate)}
