"""Wycheproof AES-GCM and AES-CBC-PKCS#5 vectors through the content layer.

AES-GCM: 12-byte IVs always, 16-byte IVs only where the policy allows them (Mastercard's
libraries, SPEC §3.3); any other IV length is not applicable and refused. The file holds
no short tags, so every valid case is also replayed with its tag cut to 15, 12, 8 and 4
bytes, which must be refused (RFC 7518 §5.3 uses the full 128-bit tag).
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.conftest import load_wycheproof
from xbsec.errors import DecryptionError
from xbsec.jose import aes_cbc_decrypt, aes_cbc_encrypt, aes_gcm_decrypt, aes_gcm_encrypt

STRICT_IVS = frozenset({12})
COMPATIBLE_IVS = frozenset({12, 16})


def test_aes_gcm_vectors() -> None:
    data = load_wycheproof("aes_gcm_test.json")
    counts: Counter[str] = Counter()
    for group in data["testGroups"]:
        for case in group["tests"]:
            key, iv, aad, msg, ct, tag = (
                bytes.fromhex(case[name]) for name in ("key", "iv", "aad", "msg", "ct", "tag")
            )
            label = f"tcId {case['tcId']} ({case['comment']})"
            if case["result"] == "invalid":
                with pytest.raises(DecryptionError):
                    aes_gcm_decrypt(key, iv, ct, tag, aad, iv_lengths=COMPATIBLE_IVS)
                counts["invalid, refused"] += 1
                continue
            assert case["result"] == "valid", label
            if len(iv) not in COMPATIBLE_IVS:
                with pytest.raises(DecryptionError):
                    aes_gcm_decrypt(key, iv, ct, tag, aad, iv_lengths=COMPATIBLE_IVS)
                counts["not applicable, refused: IV length outside 12 and 16"] += 1
                continue
            assert aes_gcm_decrypt(key, iv, ct, tag, aad, iv_lengths=COMPATIBLE_IVS) == msg
            assert aes_gcm_encrypt(key, iv, msg, aad) == (ct, tag), label
            if len(iv) == 12:
                assert aes_gcm_decrypt(key, iv, ct, tag, aad, iv_lengths=STRICT_IVS) == msg
                counts["passed, 12-byte IV"] += 1
            else:
                with pytest.raises(DecryptionError):
                    aes_gcm_decrypt(key, iv, ct, tag, aad, iv_lengths=STRICT_IVS)
                counts["passed, 16-byte IV (compatible policy only)"] += 1
            for size in (15, 12, 8, 4):
                with pytest.raises(DecryptionError):
                    aes_gcm_decrypt(key, iv, ct, tag[:size], aad, iv_lengths=COMPATIBLE_IVS)
                counts["derived short tag, refused"] += 1
    assert sum(counts.values()) - counts["derived short tag, refused"] == data["numberOfTests"]
    assert dict(counts) == {
        "passed, 12-byte IV": 116,
        "passed, 16-byte IV (compatible policy only)": 58,
        "not applicable, refused: IV length outside 12 and 16": 55,
        "invalid, refused": 87,
        "derived short tag, refused": 4 * (116 + 58),
    }


def test_aes_cbc_pkcs5_vectors() -> None:
    data = load_wycheproof("aes_cbc_pkcs5_test.json")
    counts: Counter[str] = Counter()
    for group in data["testGroups"]:
        for case in group["tests"]:
            key, iv, msg, ct = (bytes.fromhex(case[name]) for name in ("key", "iv", "msg", "ct"))
            if case["result"] == "valid":
                assert aes_cbc_decrypt(key, iv, ct) == msg
                assert aes_cbc_encrypt(key, iv, msg) == ct
                counts["passed"] += 1
            else:
                assert case["result"] == "invalid"
                with pytest.raises(DecryptionError):
                    aes_cbc_decrypt(key, iv, ct)
                counts["invalid, refused"] += 1
    assert sum(counts.values()) == data["numberOfTests"]
    assert dict(counts) == {"passed": 72, "invalid, refused": 144}
