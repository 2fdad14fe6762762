"""Wycheproof json_web_encryption_test.json through jwe_decrypt.

Every invalid case is refused, whatever its algorithms. Every valid case in our profile
(RSA-OAEP-256 or RSA-OAEP with a GCM or CBC-HMAC enc, compact serialisation) decrypts to
its plaintext under the policy that allows it, and RSA-OAEP ones are refused by the strict
policy. Valid cases outside the profile (RSA1_5, ECDH-ES, AES key wrap, dir; the one compressed
case uses A128KW) are not applicable: counted apart with the reason, and still shown to be
refused.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import load_wycheproof
from xbsec.errors import DecryptionError
from xbsec.jose import KEY_ALGORITHMS, jwe_decrypt
from xbsec.policy import SecurityPolicy

from .wycheproof_keys import rsa_private_key_from_jwk

# Wycheproof's invalid cases all use algorithms outside our profile (its invalid RSA cases are
# RSA1_5); the tamper matrix in test_tampered_tokens_are_refused.py covers ours.
EXPECTED = {
    "passed": 14,
    "invalid, refused (other: alg RSA1_5 not implemented)": 22,
    "invalid, refused (other: alg A256KW not implemented)": 23,
    "invalid, refused (other: alg ECDH-ES+A128KW not implemented)": 13,
    "invalid, refused (other: alg ECDH-ES+A256KW not implemented)": 3,
    "invalid, refused (other: alg A256GCMKW not implemented)": 5,
    "invalid, refused (other: alg A128GCMKW not implemented)": 1,
    "invalid, refused (other: alg A128KW not implemented)": 1,
    "invalid, refused (other: no alg member)": 1,
    "invalid, refused (other: not compact serialisation)": 5,
    "not applicable, refused: alg RSA1_5 not implemented": 8,
    "not applicable, refused: alg ECDH-ES+A128KW not implemented": 12,
    "not applicable, refused: alg ECDH-ES+A192KW not implemented": 2,
    "not applicable, refused: alg ECDH-ES+A256KW not implemented": 4,
    "not applicable, refused: alg ECDH-ES not implemented": 7,
    "not applicable, refused: alg A256KW not implemented": 7,
    "not applicable, refused: alg A128KW not implemented": 3,
    "not applicable, refused: alg A192KW not implemented": 1,
    "not applicable, refused: alg A128GCMKW not implemented": 1,
    "not applicable, refused: alg A192GCMKW not implemented": 1,
    "not applicable, refused: alg A256GCMKW not implemented": 4,
    "not applicable, refused: alg dir not implemented": 1,
}


def _header(token: Any) -> dict[str, Any] | None:
    try:
        segment = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (AttributeError, ValueError):
        return None
    return header if isinstance(header, dict) else None


def _not_applicable(header: dict[str, Any] | None) -> str | None:
    if header is None:
        return "not compact serialisation"
    if "alg" not in header:
        return "no alg member"
    if header["alg"] not in KEY_ALGORITHMS:
        return f"alg {header.get('alg')} not implemented"
    if "zip" in header:
        return "zip (compressed plaintext) refused by design"
    return None


def test_json_web_encryption_vectors(
    rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy
) -> None:
    data = load_wycheproof("json_web_encryption_test.json")
    counts: Counter[str] = Counter()
    for group in data["testGroups"]:
        jwk = group["private"]
        # Non-RSA keys cannot be ours; their tokens are offered to an RSA key of our own.
        key = rsa_private_key_from_jwk(jwk) if jwk["kty"] == "RSA" else rsa_key_2048
        for case in group["tests"]:
            token, result = case["jwe"], case["result"]
            reason = _not_applicable(_header(token))
            label = f"tcId {case['tcId']} ({case['comment']})"
            if result == "valid" and reason is None:
                plaintext = jwe_decrypt(token, key, policy=compatible)
                assert plaintext == bytes.fromhex(case["pt"]), label
                if _header(token)["alg"] == "RSA-OAEP":  # type: ignore[index]
                    with pytest.raises(DecryptionError):
                        jwe_decrypt(token, key)
                counts["passed"] += 1
                continue
            with pytest.raises(DecryptionError):
                jwe_decrypt(token, key, policy=compatible)
            if result == "invalid":
                where = "ours" if reason is None else "other: " + reason
                counts[f"invalid, refused ({where})"] += 1
            else:
                counts[f"not applicable, refused: {reason}"] += 1
    assert sum(counts.values()) == data["numberOfTests"] == 139
    assert dict(counts) == EXPECTED
