"""Header mode: the IV, wrapped key, digest and fingerprints travel as HTTP headers (named by
the configuration), the fields hold only their values (SPEC §4.2)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, DecryptionError, PayloadError
from xbsec.keys.fingerprints import cert_sha256_hex, spki_sha256_hex
from xbsec.payload import FieldLevelConfig, decrypt_fields, encrypt_fields

DOCUMENT = {"card": {"number": "5123456789012345"}, "pin": "1234", "memo": "1234"}


def _config(
    certificate: x509.Certificate, key: rsa.RSAPrivateKey, **options: Any
) -> FieldLevelConfig:
    settings: dict[str, Any] = {
        "to_encrypt": {"card": "encryptedCard", "pin": "pin", "memo": "memo"},
        "to_decrypt": {"encryptedCard": "card", "pin": "pin", "memo": "memo"},
        "encryption_key": certificate,
        "decryption_keys": key,
        "use_http_headers": True,
        "iv_field_name": "x-iv",
        "encrypted_key_field_name": "x-encrypted-key",
        "oaep_digest_field_name": "x-oaep-padding-digest-algorithm",
        "encryption_key_fingerprint_field_name": "x-encryption-key-fingerprint",
        "encryption_certificate_fingerprint_field_name": "x-encryption-certificate-fingerprint",
        "encrypted_value_field_name": "data",
        "data_encoding": "base64",
    }
    settings.update(options)
    return FieldLevelConfig(**settings)


def test_parameters_go_to_the_headers_and_values_stay_in_the_fields(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    encrypted = encrypt_fields(DOCUMENT, _config(certificate, rsa_key_2048))
    assert sorted(encrypted.headers) == [
        "x-encrypted-key",
        "x-encryption-certificate-fingerprint",
        "x-encryption-key-fingerprint",
        "x-iv",
        "x-oaep-padding-digest-algorithm",
    ]
    assert encrypted.headers["x-oaep-padding-digest-algorithm"] == "SHA256"
    assert encrypted.headers["x-encryption-key-fingerprint"] == spki_sha256_hex(certificate)
    assert encrypted.headers["x-encryption-certificate-fingerprint"] == cert_sha256_hex(certificate)
    document = encrypted.document
    assert document == {
        "encryptedCard": {"data": document["encryptedCard"]["data"]},
        "pin": {"data": document["pin"]["data"]},
        "memo": {"data": document["memo"]["data"]},
    }


def test_round_trip_with_the_headers(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(certificate, rsa_key_2048)
    encrypted = encrypt_fields(DOCUMENT, config)
    assert decrypt_fields(encrypted.body, config, headers=encrypted.headers) == DOCUMENT


def test_header_names_are_matched_without_case(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(certificate, rsa_key_2048)
    encrypted = encrypt_fields(DOCUMENT, config)
    shouted = {name.upper(): value for name, value in encrypted.headers.items()}
    assert decrypt_fields(encrypted.body, config, headers=shouted) == DOCUMENT


def test_the_format_has_one_iv_so_equal_values_give_equal_ciphertexts(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    # Documented weakness of the wire format, kept for compatibility (SPEC §4.2).
    document = encrypt_fields(DOCUMENT, _config(certificate, rsa_key_2048)).document
    assert document["pin"] == document["memo"]


def test_digest_header_is_optional(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(
        certificate,
        rsa_key_2048,
        oaep_digest="SHA512",
        oaep_digest_field_name=None,
        encryption_key_fingerprint_field_name=None,
        encryption_certificate_fingerprint_field_name=None,
    )
    encrypted = encrypt_fields(DOCUMENT, config)
    assert sorted(encrypted.headers) == ["x-encrypted-key", "x-iv"]
    assert decrypt_fields(encrypted.body, config, headers=encrypted.headers) == DOCUMENT


def test_the_digest_header_wins_over_the_configuration(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    sender = _config(certificate, rsa_key_2048, oaep_digest="SHA512")
    receiver = _config(certificate, rsa_key_2048, oaep_digest="SHA256")
    encrypted = encrypt_fields(DOCUMENT, sender)
    assert decrypt_fields(encrypted.body, receiver, headers=encrypted.headers) == DOCUMENT


def test_encrypted_fields_without_the_headers_are_refused(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(certificate, rsa_key_2048)
    encrypted = encrypt_fields(DOCUMENT, config)
    with pytest.raises(PayloadError, match="no 'x-iv' header"):
        decrypt_fields(encrypted.body, config)
    only_iv = {"x-iv": encrypted.headers["x-iv"]}
    with pytest.raises(PayloadError, match="no 'x-encrypted-key' header"):
        decrypt_fields(encrypted.body, config, headers=only_iv)


def test_a_plain_response_without_headers_is_returned_as_it_is(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    plain = {"encryptedCard": {"status": "none"}, "pin": None}
    assert decrypt_fields(plain, _config(certificate, rsa_key_2048), headers={}) == plain


def test_nothing_encrypted_means_no_headers(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    assert encrypt_fields({"other": 1}, _config(certificate, rsa_key_2048)).headers == {}


def test_headers_from_another_message_do_not_decrypt(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(certificate, rsa_key_2048)
    first = encrypt_fields(DOCUMENT, config)
    second = encrypt_fields(DOCUMENT, config)
    mixed = {**first.headers, "x-iv": second.headers["x-iv"]}
    try:
        result = decrypt_fields(first.body, config, headers=mixed)
    except DecryptionError:
        return
    assert result != DOCUMENT  # the wrong IV garbles the first block: no integrity


def test_header_names_differing_only_in_case_are_a_configuration_error(
    certificate: x509.Certificate,
) -> None:
    with pytest.raises(ConfigurationError, match="same name"):
        FieldLevelConfig(
            use_http_headers=True,
            iv_field_name="X-IV",
            encrypted_key_field_name="x-iv",
            encryption_key=certificate,
        )
