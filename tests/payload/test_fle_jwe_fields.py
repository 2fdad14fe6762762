"""JWE field mode: each field a compact JWE in ``encryptedValue`` (SPEC §4.1)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.payload.conftest import sequence_bytes
from xbsec.errors import DecryptionError
from xbsec.jose import jwe_encrypt, jwe_header
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.payload import JweFieldConfig, decrypt_fields, encrypt_fields
from xbsec.policy import SecurityPolicy

DOCUMENT: dict[str, Any] = {"path": {"to": {"foo": {"sensitive": "this is a secret"}}}, "n": 1}
RULES: dict[str, Any] = {
    "to_encrypt": {"path.to.foo": "path.to.encryptedFoo"},
    "to_decrypt": {"path.to.encryptedFoo": "path.to.foo"},
}


@pytest.fixture(scope="module")
def config(certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey) -> JweFieldConfig:
    return JweFieldConfig(encryption_key=certificate, decryption_keys=rsa_key_2048, **RULES)


def test_round_trip(config: JweFieldConfig) -> None:
    encrypted = encrypt_fields(DOCUMENT, config)
    node = encrypted.document["path"]["to"]["encryptedFoo"]
    assert list(node) == ["encryptedValue"]
    assert encrypted.headers == {}
    assert decrypt_fields(encrypted.body, config) == DOCUMENT


def test_the_header_is_mastercards(config: JweFieldConfig, certificate: x509.Certificate) -> None:
    node = encrypt_fields(DOCUMENT, config).document["path"]["to"]["encryptedFoo"]
    header = jwe_header(node["encryptedValue"])
    assert (header.alg, header.enc, header.cty) == ("RSA-OAEP-256", "A256GCM", "application/json")
    assert header.kid == spki_sha256_hex(certificate)


def test_kid_enc_and_iv_length_are_configurable(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = JweFieldConfig(
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
        encryption_key_fingerprint="my-kid",
        enc="A128CBC-HS256",
        encrypted_value_field_name="jwe",
        **RULES,
    )
    node = encrypt_fields(DOCUMENT, config).document["path"]["to"]["encryptedFoo"]
    header = jwe_header(node["jwe"])
    assert (header.kid, header.enc) == ("my-kid", "A128CBC-HS256")
    assert decrypt_fields(encrypt_fields(DOCUMENT, config).body, config) == DOCUMENT


def test_16_byte_ivs_are_read_by_default_and_refusable(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    sender = JweFieldConfig(encryption_key=certificate, iv_length=16, **RULES)
    body = encrypt_fields(DOCUMENT, sender).body
    assert decrypt_fields(body, JweFieldConfig(decryption_keys=rsa_key_2048, **RULES)) == DOCUMENT
    strict = JweFieldConfig(decryption_keys=rsa_key_2048, policy=SecurityPolicy(), **RULES)
    with pytest.raises(DecryptionError):
        decrypt_fields(body, strict)


def test_randomness_is_injectable(certificate: x509.Certificate) -> None:
    config = JweFieldConfig(encryption_key=certificate, **RULES)
    first = encrypt_fields(DOCUMENT, config, random_bytes=sequence_bytes(3)).body
    second = encrypt_fields(DOCUMENT, config, random_bytes=sequence_bytes(3)).body
    # same content key and IV; the wrapped key differs (OAEP's own seed)
    assert first.split(b".")[2:] == second.split(b".")[2:]


def test_a_node_may_be_the_jwe_string_itself(
    config: JweFieldConfig, certificate: x509.Certificate
) -> None:
    token = jwe_encrypt(b'{"sensitive":"x"}', certificate)
    document = {"path": {"to": {"encryptedFoo": token}}}
    assert decrypt_fields(document, config) == {"path": {"to": {"foo": {"sensitive": "x"}}}}
    in_place = JweFieldConfig(decryption_keys=config.keyring, to_decrypt={"secret": "secret"})
    assert decrypt_fields({"secret": token}, in_place) == {"secret": {"sensitive": "x"}}


def test_a_wrong_key_is_one_opaque_error(
    config: JweFieldConfig, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    body = encrypt_fields(DOCUMENT, config).body
    with pytest.raises(DecryptionError, match=r"^decryption failed$"):
        decrypt_fields(body, config, keys=other_rsa_key_2048)


def test_a_plaintext_that_is_not_utf8_is_a_decryption_error(
    config: JweFieldConfig, certificate: x509.Certificate
) -> None:
    token = jwe_encrypt(b"\xff\xfe", certificate)
    with pytest.raises(DecryptionError):
        decrypt_fields({"path": {"to": {"encryptedFoo": {"encryptedValue": token}}}}, config)


def test_bare_text_plaintexts_are_read_as_strings(
    config: JweFieldConfig, certificate: x509.Certificate
) -> None:
    # What Mastercard's library sends for a string field (it cannot read it back itself).
    token = jwe_encrypt(b"plain text", certificate)
    document = {"path": {"to": {"encryptedFoo": {"encryptedValue": token}}}}
    assert decrypt_fields(document, config) == {"path": {"to": {"foo": "plain text"}}}
