"""Both directions against ``mastercard-client-encryption`` with the same configuration JSON
for both libraries: field and header mode, hex and base64, SHA-256 and SHA-512; and JWE fields."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.payload.conftest import jwe_config, mastercard_config
from xbsec.payload import FieldLevelConfig, JweFieldConfig, decrypt_fields, encrypt_fields

client_encryption = pytest.importorskip("client_encryption")

pytestmark = pytest.mark.interop

DOCUMENT: dict[str, Any] = {
    "payment": {"card": {"pan": "5123456789012345", "cvc": "123"}, "amount": "10.00"},
    "holder": "Zoë Æsir",
    "reference": "0999999034810154901",
    "flags": [True, None, 1.5],
}
TO_ENCRYPT = {
    "payment.card": "payment.encryptedCard",
    "holder": "encryptedHolder",
    "flags": "flags",
}
TO_DECRYPT = {
    "payment.encryptedCard": "payment.card",
    "encryptedHolder": "holder",
    "flags": "flags",
}

MATRIX = [
    (encoding, digest, headers)
    for encoding in ("hex", "base64")
    for digest in ("SHA-256", "SHA-512")
    for headers in (False, True)
]


def _settings(encoding: str, digest: str, headers: bool) -> dict[str, Any]:
    names = (
        {
            "ivFieldName": "x-iv",
            "encryptedKeyFieldName": "x-key",
            "oaepPaddingDigestAlgorithmFieldName": "x-oaep-digest",
            "encryptionKeyFingerprintFieldName": "x-key-fingerprint",
            "encryptionCertificateFingerprintFieldName": "x-cert-fingerprint",
            "encryptedValueFieldName": "data",
        }
        if headers
        else {
            "oaepPaddingDigestAlgorithmFieldName": "oaepHashingAlgorithm",
            "encryptionKeyFingerprintFieldName": "publicKeyFingerprint",
            "encryptionCertificateFingerprintFieldName": "encryptionCertificateFingerprint",
        }
    )
    return mastercard_config(
        TO_ENCRYPT,
        TO_DECRYPT,
        dataEncoding=encoding,
        oaepPaddingDigestAlgorithm=digest,
        useHttpHeaders=headers,
        **names,
    )


def _ids(case: tuple[str, str, bool]) -> str:
    return f"{case[0]}-{case[1]}-{'headers' if case[2] else 'fields'}"


@pytest.mark.parametrize("case", MATRIX, ids=[_ids(c) for c in MATRIX])
def test_ours_decrypt_in_theirs(case: tuple[str, str, bool]) -> None:
    from client_encryption.api_encryption import ApiEncryption
    from client_encryption.field_level_encryption import decrypt_payload
    from client_encryption.field_level_encryption_config import FieldLevelEncryptionConfig

    settings = _settings(*case)
    theirs = FieldLevelEncryptionConfig(copy.deepcopy(settings))
    encrypted = encrypt_fields(DOCUMENT, FieldLevelConfig.from_mastercard_json(settings))
    assert b"5123456789012345" not in encrypted.body
    if case[2]:
        headers = dict(encrypted.headers)
        result = json.loads(
            ApiEncryption.decrypt_field_level_payload(headers, theirs, encrypted.body.decode())
        )
    else:
        assert encrypted.headers == {}
        result = decrypt_payload(encrypted.body.decode(), theirs)
    assert result == DOCUMENT


@pytest.mark.parametrize("case", MATRIX, ids=[_ids(c) for c in MATRIX])
def test_theirs_decrypt_in_ours(case: tuple[str, str, bool]) -> None:
    from client_encryption.api_encryption import ApiEncryption
    from client_encryption.field_level_encryption import encrypt_payload
    from client_encryption.field_level_encryption_config import FieldLevelEncryptionConfig

    settings = _settings(*case)
    theirs = FieldLevelEncryptionConfig(copy.deepcopy(settings))
    headers: dict[str, str] = {}
    if case[2]:
        body = ApiEncryption.encrypt_field_level_payload(headers, theirs, copy.deepcopy(DOCUMENT))
        assert sorted(headers) == [
            "x-cert-fingerprint",
            "x-iv",
            "x-key",
            "x-key-fingerprint",
            "x-oaep-digest",
        ]
    else:
        body = encrypt_payload(copy.deepcopy(DOCUMENT), theirs)
    assert "5123456789012345" not in json.dumps(body)
    ours = FieldLevelConfig.from_mastercard_json(settings)
    assert decrypt_fields(json.dumps(body), ours, headers=headers) == DOCUMENT


def test_their_string_values_come_back_through_ours_as_they_read_them() -> None:
    # They encrypt a string as its bare text, so "12345" comes back as a number in both
    # libraries; ours encrypts JSON, so through ours it stays a string (SPEC §4.2).
    from client_encryption.field_level_encryption import decrypt_payload, encrypt_payload
    from client_encryption.field_level_encryption_config import FieldLevelEncryptionConfig

    settings = mastercard_config(
        {"reference": "reference", "holder": "holder"},
        {"reference": "reference", "holder": "holder"},
    )
    theirs = FieldLevelEncryptionConfig(copy.deepcopy(settings))
    ours = FieldLevelConfig.from_mastercard_json(settings)
    document = {"reference": "12345", "holder": "Zoë"}
    from_them = encrypt_payload(copy.deepcopy(document), theirs)
    expected = {"reference": 12345, "holder": "Zoë"}
    assert decrypt_fields(json.dumps(from_them), ours) == expected
    assert decrypt_payload(copy.deepcopy(from_them), theirs) == expected
    from_us = encrypt_fields(document, ours).body.decode()
    assert decrypt_payload(from_us, theirs) == document


@pytest.mark.parametrize(
    ("to_encrypt", "to_decrypt"),
    [({"payment": "encryptedPayment"}, {"encryptedPayment": "payment"}), ({"$": "$"}, {"$": "$"})],
)
def test_jwe_fields_ours_decrypt_in_theirs(
    to_encrypt: dict[str, str], to_decrypt: dict[str, str]
) -> None:
    from client_encryption import jwe_encryption
    from client_encryption.jwe_encryption_config import JweEncryptionConfig

    settings = jwe_config(to_encrypt, to_decrypt)
    encrypted = encrypt_fields(DOCUMENT, JweFieldConfig.from_mastercard_json(settings))
    result = jwe_encryption.decrypt_payload(encrypted.body.decode(), JweEncryptionConfig(settings))
    assert result == DOCUMENT


@pytest.mark.parametrize(
    ("to_encrypt", "to_decrypt"),
    [
        ({"payment": "encryptedPayment"}, {"encryptedPayment": "payment"}),
        ({"$": "$"}, {"$": "$"}),
        ({"payment.card": "payment.encCard"}, {"payment.encCard": "payment.card"}),
    ],
)
def test_jwe_fields_theirs_decrypt_in_ours(
    to_encrypt: dict[str, str], to_decrypt: dict[str, str]
) -> None:
    from client_encryption import jwe_encryption
    from client_encryption.jwe_encryption_config import JweEncryptionConfig

    settings = jwe_config(to_encrypt, to_decrypt)
    body = jwe_encryption.encrypt_payload(copy.deepcopy(DOCUMENT), JweEncryptionConfig(settings))
    ours = JweFieldConfig.from_mastercard_json(settings)  # 16-byte IVs read by default
    assert decrypt_fields(json.dumps(body), ours) == DOCUMENT


def test_jwe_fields_nested_paths_are_left_half_done_by_theirs() -> None:
    # Their decryption writes the value but then deletes ``payload[elem]`` with the whole
    # dotted path as one key, which fails silently: the encrypted node stays beside it.
    from client_encryption import jwe_encryption
    from client_encryption.jwe_encryption_config import JweEncryptionConfig

    settings = jwe_config({"payment.card": "payment.encCard"}, {"payment.encCard": "payment.card"})
    theirs = JweEncryptionConfig(settings)
    for body in (
        encrypt_fields(DOCUMENT, JweFieldConfig.from_mastercard_json(settings)).body,
        json.dumps(jwe_encryption.encrypt_payload(copy.deepcopy(DOCUMENT), theirs)),
    ):
        result = jwe_encryption.decrypt_payload(
            body if isinstance(body, str) else body.decode(), theirs
        )
        assert result["payment"]["card"] == DOCUMENT["payment"]["card"]
        assert "encCard" in result["payment"]


def test_jwe_fields_their_string_values_only_we_can_read() -> None:
    # They encrypt a string field as bare text, then fail to parse it as JSON on the way
    # back and return the still-encrypted document without an error.
    from client_encryption import jwe_encryption
    from client_encryption.jwe_encryption_config import JweEncryptionConfig

    settings = jwe_config({"holder": "encHolder"}, {"encHolder": "holder"})
    theirs = JweEncryptionConfig(settings)
    body = json.dumps(jwe_encryption.encrypt_payload({"holder": "Zoë Æsir"}, theirs))
    assert "encHolder" in json.dumps(jwe_encryption.decrypt_payload(body, theirs))
    ours = JweFieldConfig.from_mastercard_json(settings)
    assert decrypt_fields(body, ours) == {"holder": "Zoë Æsir"}
