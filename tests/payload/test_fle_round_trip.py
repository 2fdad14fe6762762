"""The Mastercard scheme round trip, and the shape of what it writes (SPEC §4.2)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.payload.conftest import sequence_bytes
from xbsec.keys.fingerprints import cert_sha256_hex, spki_sha256_hex
from xbsec.payload import FieldLevelConfig, decrypt_fields, encrypt_fields

DOCUMENT: dict[str, Any] = {
    "card": {"number": "5123456789012345", "expiry": "12/30", "cvc": "123"},
    "amount": "10.00",
    "names": ["a", "b"],
}


def _config(
    certificate: x509.Certificate, key: rsa.RSAPrivateKey, **options: Any
) -> FieldLevelConfig:
    return FieldLevelConfig(
        to_encrypt={"$.card": "$.encryptedCard"},
        to_decrypt={"$.encryptedCard": "$.card"},
        encryption_key=certificate,
        decryption_keys=key,
        **options,
    )


@pytest.mark.parametrize("encoding", ["hex", "base64"])
@pytest.mark.parametrize("digest", ["SHA256", "SHA-512", "sha1", "SHA224", "SHA384"])
def test_round_trip(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey, encoding: str, digest: str
) -> None:
    config = _config(certificate, rsa_key_2048, data_encoding=encoding, oaep_digest=digest)
    encrypted = encrypt_fields(DOCUMENT, config)
    assert "card" not in encrypted.document
    assert decrypt_fields(encrypted.body, config) == DOCUMENT
    assert decrypt_fields(encrypted.document, config) == DOCUMENT


def test_node_holds_value_key_iv_and_the_named_extras(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(
        certificate,
        rsa_key_2048,
        oaep_digest="SHA-512",
        oaep_digest_field_name="oaepHashingAlgorithm",
        encryption_key_fingerprint_field_name="publicKeyFingerprint",
        encryption_certificate_fingerprint_field_name="encryptionCertificateFingerprint",
    )
    node = encrypt_fields(DOCUMENT, config).document["encryptedCard"]
    assert list(node) == [
        "encryptedValue",
        "encryptedKey",
        "iv",
        "oaepHashingAlgorithm",
        "encryptionCertificateFingerprint",
        "publicKeyFingerprint",
    ]
    assert re.fullmatch("[0-9a-f]{32}", node["iv"])
    assert re.fullmatch("[0-9a-f]{512}", node["encryptedKey"])
    assert re.fullmatch("([0-9a-f]{32})+", node["encryptedValue"])
    assert node["oaepHashingAlgorithm"] == "SHA512"
    assert node["publicKeyFingerprint"] == spki_sha256_hex(certificate)
    assert node["encryptionCertificateFingerprint"] == cert_sha256_hex(certificate)
    # decryption removes every encryption field, and nothing else
    assert decrypt_fields(encrypt_fields(DOCUMENT, config).body, config) == DOCUMENT


def test_base64_node(certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey) -> None:
    config = _config(certificate, rsa_key_2048, data_encoding="BASE64")
    node = encrypt_fields(DOCUMENT, config).document["encryptedCard"]
    assert len(base64.b64decode(node["iv"], validate=True)) == 16
    assert len(base64.b64decode(node["encryptedKey"], validate=True)) == 256


def test_field_names_are_configurable(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(
        certificate,
        rsa_key_2048,
        encrypted_value_field_name="encryptedData",
        encrypted_key_field_name="k",
        iv_field_name="v",
    )
    node = encrypt_fields(DOCUMENT, config).document["encryptedCard"]
    assert sorted(node) == ["encryptedData", "k", "v"]
    assert decrypt_fields(encrypt_fields(DOCUMENT, config).body, config) == DOCUMENT


def test_values_are_encrypted_as_json_so_strings_stay_strings(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    # Mastercard's library encrypts "123" as the bare text 123 and gets the number back.
    document = {"a": "123", "b": "true", "c": "null", "d": '{"x":1}', "e": "", "f": None}
    rules = {name: f"enc_{name}" for name in document}
    config = FieldLevelConfig(
        to_encrypt=rules,
        to_decrypt={v: k for k, v in rules.items()},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )
    assert decrypt_fields(encrypt_fields(document, config).body, config) == document


def test_the_whole_document_and_back(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = FieldLevelConfig(
        to_encrypt={"$": "$.encryptedData"},
        to_decrypt={"$.encryptedData": "$"},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )
    encrypted = encrypt_fields(DOCUMENT, config)
    assert list(encrypted.document) == ["encryptedData"]
    assert decrypt_fields(encrypted.body, config) == DOCUMENT


@pytest.mark.parametrize("document", [[1, 2, 3], "text", 5, None, {"a": 1}])
def test_the_whole_document_in_place(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey, document: Any
) -> None:
    config = FieldLevelConfig(
        to_encrypt={"$": "$"},
        to_decrypt={"$": "$"},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )
    encrypted = encrypt_fields(json.dumps(document).encode(), config)
    assert sorted(encrypted.document) == ["encryptedKey", "encryptedValue", "iv"]
    assert decrypt_fields(encrypted.body, config) == document


def test_in_place_and_nested_targets(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = FieldLevelConfig(
        to_encrypt={"card": "card", "amount": "secure.deep.amount"},
        to_decrypt={"card": "card", "secure.deep.amount": "amount"},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )
    encrypted = encrypt_fields(DOCUMENT, config).document
    assert sorted(encrypted["card"]) == ["encryptedKey", "encryptedValue", "iv"]
    assert "encryptedValue" in encrypted["secure"]["deep"]["amount"]
    # the emptied "secure.deep" chain is left as {} ... only the node itself is removed
    assert decrypt_fields(encrypt_fields(DOCUMENT, config).body, config) == {
        **DOCUMENT,
        "secure": {"deep": {}},
    }


def test_source_inside_its_target_keeps_the_other_members(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = FieldLevelConfig(
        to_encrypt={"card.number": "card"},
        to_decrypt={"card": "card.number"},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )
    encrypted = encrypt_fields(DOCUMENT, config).document
    assert sorted(encrypted["card"]) == ["cvc", "encryptedKey", "encryptedValue", "expiry", "iv"]
    assert decrypt_fields(encrypt_fields(DOCUMENT, config).body, config) == DOCUMENT


def test_one_session_key_per_document_and_a_fresh_iv_per_field(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    document = {"a": "same", "b": "same", "c": "same"}
    config = FieldLevelConfig(
        to_encrypt={"a": "a", "b": "b", "c": "c"},
        to_decrypt={"a": "a", "b": "b", "c": "c"},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )
    nodes = encrypt_fields(document, config).document
    assert len({nodes[n]["encryptedKey"] for n in "abc"}) == 1
    assert len({nodes[n]["iv"] for n in "abc"}) == 3
    assert len({nodes[n]["encryptedValue"] for n in "abc"}) == 3


def test_randomness_is_injectable(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(certificate, rsa_key_2048)
    first = encrypt_fields(DOCUMENT, config, random_bytes=sequence_bytes()).document
    second = encrypt_fields(DOCUMENT, config, random_bytes=sequence_bytes()).document
    # the OAEP seed comes from OpenSSL, so only the symmetric part repeats
    assert first["encryptedCard"]["iv"] == second["encryptedCard"]["iv"]
    assert first["encryptedCard"]["encryptedValue"] == second["encryptedCard"]["encryptedValue"]


def test_the_input_document_is_never_changed(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    config = _config(certificate, rsa_key_2048)
    encrypted = encrypt_fields(document, config)
    assert document == DOCUMENT
    decrypted_input = json.loads(encrypted.body)
    snapshot = json.loads(encrypted.body)
    decrypt_fields(decrypted_input, config)
    assert decrypted_input == snapshot


def test_no_rules_means_the_document_back_unchanged(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    config = FieldLevelConfig()
    assert encrypt_fields(b'{"a":1}', config).document == {"a": 1}
    assert encrypt_fields(b'{"a":1}', config).headers == {}
    assert decrypt_fields(b'{"a":1}', config) == {"a": 1}


def test_the_body_is_compact_utf8(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    body = encrypt_fields({"name": "Zoë", "card": {}}, _config(certificate, rsa_key_2048)).body
    assert b" " not in body
    assert "Zoë".encode() in body


@pytest.mark.parametrize(
    "text", [b' {"a": [1, 2],\n "b": "\\u00e9"} \n', b"[]", b'"text"', b"null"]
)
def test_a_whole_document_given_as_text_round_trips_as_its_value(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey, text: bytes
) -> None:
    config = FieldLevelConfig(
        to_encrypt={"$": "$.encryptedData"},
        to_decrypt={"$.encryptedData": "$"},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )
    assert decrypt_fields(encrypt_fields(text, config).body, config) == json.loads(text)
