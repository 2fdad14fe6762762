"""Wycheproof RSA-OAEP decryption vectors through the key unwrap of JWE.

A case is ours when its OAEP hash and MGF1 hash are SHA-256/SHA-256 (``RSA-OAEP-256``) or
SHA-1/SHA-1 (``RSA-OAEP``) and it has no label (JWE uses none): valid cases must unwrap to
their message, invalid ones be refused. The rest are not applicable and counted apart; the
near misses among them (our OAEP hash with another MGF1 hash, or a label) are still shown
to be refused, since a decryptor that ignored the MGF hash or the label would accept them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.conftest import load_wycheproof
from xbsec.errors import DecryptionError
from xbsec.jose import rsa_oaep_unwrap

OURS = {("SHA-256", "SHA-256"): "RSA-OAEP-256", ("SHA-1", "SHA-1"): "RSA-OAEP"}
BY_OAEP_HASH = {"SHA-256": "RSA-OAEP-256", "SHA-1": "RSA-OAEP"}

EXPECTED = {
    "rsa_oaep_2048_sha256_mgf1sha256_test.json": {
        "passed": 10,
        "invalid, refused": 19,
        "not applicable, refused: has a label": 8,
    },
    "rsa_oaep_2048_sha1_mgf1sha1_test.json": {
        "passed": 10,
        "invalid, refused": 19,
        "not applicable, refused: has a label": 7,
    },
    "rsa_oaep_misc_test.json": {
        "passed": 30,
        "not applicable, refused: has a label": 16,
        "not applicable, refused: MGF1 hash differs from the OAEP hash": 120,
        "not applicable: OAEP hash neither SHA-256 nor SHA-1": 229,
    },
}


def _load_key(group: dict[str, Any]) -> Any:
    # Wycheproof keys are sound; skipping OpenSSL's slow RSA key check keeps the run short.
    return serialization.load_pem_private_key(
        group["privateKeyPem"].encode(), password=None, unsafe_skip_rsa_key_validation=True
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_rsa_oaep_vectors(name: str) -> None:
    data = load_wycheproof(name)
    counts: Counter[str] = Counter()
    for group in data["testGroups"]:
        key = _load_key(group)
        hashes = (group["sha"], group["mgfSha"])
        for case in group["tests"]:
            ciphertext = bytes.fromhex(case["ct"])
            label = f"tcId {case['tcId']} ({case['comment']})"
            if hashes in OURS and not case["label"]:
                alg = OURS[hashes]
                if case["result"] == "valid":
                    assert rsa_oaep_unwrap(key, ciphertext, alg) == bytes.fromhex(case["msg"])
                    counts["passed"] += 1
                else:
                    assert case["result"] == "invalid", label
                    with pytest.raises(DecryptionError):
                        rsa_oaep_unwrap(key, ciphertext, alg)
                    counts["invalid, refused"] += 1
            elif group["sha"] in BY_OAEP_HASH:
                with pytest.raises(DecryptionError):
                    rsa_oaep_unwrap(key, ciphertext, BY_OAEP_HASH[group["sha"]])
                reason = "has a label" if hashes in OURS else "MGF1 hash differs from the OAEP hash"
                counts[f"not applicable, refused: {reason}"] += 1
            else:
                counts["not applicable: OAEP hash neither SHA-256 nor SHA-1"] += 1
    assert sum(counts.values()) == data["numberOfTests"]
    assert dict(counts) == EXPECTED[name]


def test_unwrap_refuses_an_unknown_alg_and_a_wrong_length(rsa_key_2048: Any) -> None:
    from xbsec.jose import rsa_oaep_wrap

    wrapped = rsa_oaep_wrap(rsa_key_2048.public_key(), b"k" * 32)
    assert rsa_oaep_unwrap(rsa_key_2048, wrapped) == b"k" * 32
    for alg in ("RSA1_5", "RSA-OAEP-384", ""):
        with pytest.raises(DecryptionError):
            rsa_oaep_unwrap(rsa_key_2048, wrapped, alg)
    for bad in (wrapped[1:], b"\0" + wrapped, b""):
        with pytest.raises(DecryptionError):
            rsa_oaep_unwrap(rsa_key_2048, bad)


def test_wrap_refuses_an_unknown_alg_and_an_oversized_key(rsa_key_2048: Any) -> None:
    from xbsec.errors import ConfigurationError
    from xbsec.jose import rsa_oaep_wrap

    with pytest.raises(ConfigurationError):
        rsa_oaep_wrap(rsa_key_2048.public_key(), b"k" * 32, "RSA1_5")
    with pytest.raises(ConfigurationError):
        rsa_oaep_wrap(rsa_key_2048.public_key(), b"k" * 300)
