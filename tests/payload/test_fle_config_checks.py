"""A configuration that cannot work is refused when it is made, with a ``ConfigurationError``
(or ``KeyMaterialError`` for keys) that says what is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec.errors import ConfigurationError, KeyMaterialError
from xbsec.keys.fingerprints import cert_sha256_hex, spki_sha256_hex
from xbsec.payload import FieldLevelConfig, FieldPath, FieldRule, JweFieldConfig
from xbsec.policy import SecurityPolicy

BOTH = [FieldLevelConfig, JweFieldConfig]


@pytest.mark.parametrize("cls", BOTH)
@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"a[*].b": "c"}, "same number of"),
        ({"a.b": "c[*]"}, "same number of"),
        ({"a[*]": "b[*]"}, "in place"),
        ({"a[0]": "b"}, "in place"),
        ({"a..b": "c"}, "empty member name"),
    ],
)
def test_rules_that_cannot_work(cls: Any, rules: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        cls(to_encrypt=rules)
    with pytest.raises(ConfigurationError, match=message):
        cls(to_decrypt=rules)


@pytest.mark.parametrize("cls", BOTH)
def test_two_fields_may_not_be_encrypted_into_one_node(cls: Any) -> None:
    with pytest.raises(ConfigurationError, match="two fields would be written"):
        cls(to_encrypt={"a": "enc", "$.b": "$.enc"})
    cls(to_decrypt={"enc1": "a", "enc2": "a"})  # reading two into one is a merge


@pytest.mark.parametrize("cls", BOTH)
@pytest.mark.parametrize("rules", [["a", "b"], "a", None])
def test_rules_must_be_a_mapping(cls: Any, rules: Any) -> None:
    with pytest.raises(ConfigurationError, match="must map source paths"):
        cls(to_encrypt=rules)


def test_rules_are_parsed_once_and_kept_read_only() -> None:
    config = FieldLevelConfig(to_encrypt={"$.a": "b"}, to_decrypt={"b": "a"})
    assert config.encrypt_rules == (FieldRule(FieldPath("a"), FieldPath("b")),)
    assert config.decrypt_rules == (FieldRule(FieldPath("b"), FieldPath("a")),)
    with pytest.raises(TypeError):
        config.to_encrypt["c"] = "d"


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("SHA-256", "SHA256"), ("sha512", "SHA512"), ("Sha-1", "SHA1"), ("SHA384", "SHA384")],
)
def test_digest_names_are_read_as_mastercard_writes_them(name: str, canonical: str) -> None:
    assert FieldLevelConfig(oaep_digest=name).oaep_digest == canonical


@pytest.mark.parametrize("name", ["MD5", "SHA3-256", "", None, 256])
def test_unsupported_digests_are_refused(name: Any) -> None:
    with pytest.raises(ConfigurationError, match="unsupported OAEP digest"):
        FieldLevelConfig(oaep_digest=name)


@pytest.mark.parametrize(("name", "canonical"), [("HEX", "hex"), ("Base64", "base64")])
def test_data_encodings(name: str, canonical: str) -> None:
    assert FieldLevelConfig(data_encoding=name).data_encoding == canonical


@pytest.mark.parametrize("name", ["base64url", "", None])
def test_unknown_data_encodings_are_refused(name: Any) -> None:
    with pytest.raises(ConfigurationError, match="dataEncoding"):
        FieldLevelConfig(data_encoding=name)


@pytest.mark.parametrize(
    "names",
    [
        {"iv_field_name": "encryptedValue"},
        {"encrypted_key_field_name": "iv"},
        {"oaep_digest_field_name": "encryptedKey"},
        {
            "encryption_key_fingerprint_field_name": "x",
            "encryption_certificate_fingerprint_field_name": "x",
        },
    ],
)
def test_two_encryption_fields_may_not_share_a_name(names: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="same name"):
        FieldLevelConfig(**names)


def test_in_header_mode_the_value_field_may_share_a_header_name() -> None:
    FieldLevelConfig(use_http_headers=True, encrypted_value_field_name="iv")


@pytest.mark.parametrize(
    "options",
    [
        {"iv_field_name": ""},
        {"encrypted_key_field_name": None},
        {"encrypted_value_field_name": 1},
        {"oaep_digest_field_name": ""},
        {"encryption_key_fingerprint": 5},
        {"use_http_headers": "yes"},
        {"encryption_certificate_fingerprint": ""},
    ],
)
def test_names_and_switches_have_types(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        FieldLevelConfig(**options)


@pytest.mark.parametrize("cls", BOTH)
def test_the_policy_must_be_a_policy(cls: Any) -> None:
    with pytest.raises(ConfigurationError, match="SecurityPolicy"):
        cls(policy={"max_body_bytes": 1})


def test_fingerprints_are_computed_from_the_certificate(certificate: x509.Certificate) -> None:
    config = FieldLevelConfig(encryption_key=certificate)
    assert config.encryption_key_fingerprint == spki_sha256_hex(certificate)
    assert config.encryption_certificate_fingerprint == cert_sha256_hex(certificate)
    assert JweFieldConfig(encryption_key=certificate).encryption_key_fingerprint == spki_sha256_hex(
        certificate
    )


def test_given_fingerprints_are_kept(certificate: x509.Certificate) -> None:
    config = FieldLevelConfig(
        encryption_key=certificate,
        encryption_key_fingerprint="k",
        encryption_certificate_fingerprint="c",
    )
    assert (config.encryption_key_fingerprint, config.encryption_certificate_fingerprint) == (
        "k",
        "c",
    )


def test_a_bare_public_key_has_no_certificate_fingerprint(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    config = FieldLevelConfig(encryption_key=rsa_key_2048.public_key())
    assert config.encryption_certificate_fingerprint is None
    with pytest.raises(ConfigurationError, match="not a certificate"):
        FieldLevelConfig(
            encryption_key=rsa_key_2048.public_key(),
            encryption_certificate_fingerprint_field_name="certFingerprint",
        )
    FieldLevelConfig(
        encryption_key=rsa_key_2048.public_key(),
        encryption_certificate_fingerprint_field_name="certFingerprint",
        encryption_certificate_fingerprint="given",
    )


@pytest.mark.parametrize("cls", BOTH)
def test_encryption_keys_must_be_rsa_of_2048_bits_or_more(
    cls: Any, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - refusing it is the test
    with pytest.raises(KeyMaterialError, match="too small"):
        cls(encryption_key=small.public_key())
    with pytest.raises(KeyMaterialError, match="RSA"):
        cls(encryption_key=ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(KeyMaterialError, match="RSA"):
        cls(encryption_key=rsa_key_2048)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"enc": "A128KW"}, "unsupported JWE enc"), ({"iv_length": 8}, "12 or 16")],
)
def test_jwe_options_are_checked(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        JweFieldConfig(**options)


def test_jwe_decryption_accepts_mastercard_iv_lengths_by_default() -> None:
    assert JweFieldConfig().decryption_policy.jwe_gcm_iv_lengths == {12, 16}
    policy = SecurityPolicy()
    assert JweFieldConfig(policy=policy).decryption_policy is policy
