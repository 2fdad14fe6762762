"""Wycheproof RSA signature vectors through the OAuth 1.0a verification primitive.

Every ``invalid`` case must be refused and every ``valid`` case accepted. Wycheproof's
``acceptable`` cases (legacy encodings a lenient verifier may take) are refused by
``cryptography``; we count them apart and require refusal, because a gateway has no reason
to accept a malformed signature.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.conftest import load_wycheproof
from xbsec.oauth1 import verify_message


def _run(name: str, method: str) -> Counter[str]:
    data = load_wycheproof(name)
    counts: Counter[str] = Counter()
    for group in data["testGroups"]:
        key: Any = serialization.load_der_public_key(bytes.fromhex(group["publicKeyDer"]))
        for case in group["tests"]:
            ok = verify_message(key, bytes.fromhex(case["sig"]), bytes.fromhex(case["msg"]),
                                method)
            result = case["result"]
            if result == "valid":
                assert ok, f"{name} tcId {case['tcId']} valid but refused"
                counts["valid accepted"] += 1
            else:
                assert not ok, f"{name} tcId {case['tcId']} {result} but accepted"
                counts[f"{result} refused"] += 1
    return counts


def test_rsa_pkcs1v15_sha256_vectors() -> None:
    counts = _run("rsa_signature_2048_sha256_test.json", "RSA-SHA256")
    assert counts == {"valid accepted": 9, "invalid refused": 249, "acceptable refused": 1}


def test_rsa_pss_sha256_mgf1_32_vectors() -> None:
    counts = _run("rsa_pss_2048_sha256_mgf1_32_test.json", "RSA-PSS")
    assert counts == {"valid accepted": 63, "invalid refused": 45}


def test_an_unknown_method_is_a_configuration_error(rsa_key_2048: Any) -> None:
    from xbsec import ConfigurationError

    with pytest.raises(ConfigurationError, match="unknown signature method"):
        verify_message(rsa_key_2048.public_key(), b"", b"", "HMAC-SHA1")
