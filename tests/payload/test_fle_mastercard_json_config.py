"""``from_mastercard_json`` reads ``mastercard-client-encryption`` configuration files
unchanged: a file path, JSON text or a mapping, with the key files they name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.payload.conftest import certificate_for, jwe_config, mastercard_config
from xbsec.errors import ConfigurationError, KeyFileError, KeyPasswordError
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.payload import FieldLevelConfig, JweFieldConfig, decrypt_fields, encrypt_fields

PEER_KEY_FINGERPRINT = "761b003c1eade3a5490e5000d37887baa5e6ec0e226c07706e599451fc032a79"
PEER_CERT_FINGERPRINT = "80810fc13a8319fcf0e2ec322c82a4c304b782cc3ce671176343cfe8160c2279"
RULES = ({"a": "encA"}, {"encA": "a"})


def test_every_setting_is_read() -> None:
    config = FieldLevelConfig.from_mastercard_json(
        mastercard_config(
            *RULES,
            dataEncoding="base64",
            oaepPaddingDigestAlgorithm="SHA-512",
            ivFieldName="x-iv",
            encryptedKeyFieldName="x-key",
            encryptedValueFieldName="data",
            oaepPaddingDigestAlgorithmFieldName="x-oaep",
            encryptionKeyFingerprintFieldName="x-kfp",
            encryptionCertificateFingerprintFieldName="x-cfp",
            useHttpHeaders=True,
            somethingElse={"ignored": True},
        )
    )
    assert dict(config.to_encrypt) == {"a": "encA"}
    assert dict(config.to_decrypt) == {"encA": "a"}
    assert (config.data_encoding, config.oaep_digest) == ("base64", "SHA512")
    assert (
        config.iv_field_name,
        config.encrypted_key_field_name,
        config.encrypted_value_field_name,
    ) == ("x-iv", "x-key", "data")
    assert (
        config.oaep_digest_field_name,
        config.encryption_key_fingerprint_field_name,
        config.encryption_certificate_fingerprint_field_name,
    ) == ("x-oaep", "x-kfp", "x-cfp")
    assert config.use_http_headers is True
    assert config.encryption_key_fingerprint == PEER_KEY_FINGERPRINT
    assert config.encryption_certificate_fingerprint == PEER_CERT_FINGERPRINT
    assert isinstance(config.encryption_key, x509.Certificate)
    assert config.keyring is not None
    assert spki_sha256_hex(config.keyring.keys[0]) == PEER_KEY_FINGERPRINT


def test_a_file_path_json_text_and_a_mapping_give_the_same_configuration(tmp_path: Path) -> None:
    settings = mastercard_config(*RULES)
    path = tmp_path / "encryption-config.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    configs = [
        FieldLevelConfig.from_mastercard_json(source)
        for source in (path, str(path), json.dumps(settings), settings)
    ]

    def summary(config: FieldLevelConfig) -> tuple[Any, ...]:
        assert config.keyring is not None
        return (
            str(dict(config.to_encrypt)),
            str(dict(config.to_decrypt)),
            config.encryption_key,
            config.encryption_key_fingerprint,
            spki_sha256_hex(config.keyring.keys[0]),
        )

    assert {summary(config) for config in configs} == {summary(configs[0])}


def test_fingerprint_overrides_are_read() -> None:
    config = FieldLevelConfig.from_mastercard_json(
        mastercard_config(
            *RULES, encryptionKeyFingerprint="kfp", encryptionCertificateFingerprint="cfp"
        )
    )
    assert (config.encryption_key_fingerprint, config.encryption_certificate_fingerprint) == (
        "kfp",
        "cfp",
    )


def test_a_round_trip_through_the_files(tmp_path: Path) -> None:
    config = FieldLevelConfig.from_mastercard_json(mastercard_config(*RULES))
    body = encrypt_fields({"a": [1, "two"]}, config).body
    assert decrypt_fields(body, config) == {"a": [1, "two"]}


def test_keys_given_in_memory_replace_the_files(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    settings = mastercard_config(
        *RULES, encryptionCertificate="/nonexistent.pem", decryptionKey="/nonexistent.pem"
    )
    config = FieldLevelConfig.from_mastercard_json(
        settings, encryption_key=certificate, decryption_keys=rsa_key_2048
    )
    assert config.encryption_key is certificate
    assert decrypt_fields(encrypt_fields({"a": 1}, config).body, config) == {"a": 1}


def test_keys_are_optional() -> None:
    settings = mastercard_config(*RULES)
    del settings["encryptionCertificate"], settings["decryptionKey"]
    config = FieldLevelConfig.from_mastercard_json(settings)
    assert config.encryption_key is None
    assert config.keyring is None


def test_service_paths() -> None:
    settings = mastercard_config(*RULES)
    settings["paths"]["/payments"] = {"toEncrypt": {"p": "encP"}, "toDecrypt": {}}
    assert dict(FieldLevelConfig.from_mastercard_json(settings).to_encrypt) == {"a": "encA"}
    config = FieldLevelConfig.from_mastercard_json(settings, service_path="/payments")
    assert dict(config.to_encrypt) == {"p": "encP"}
    with pytest.raises(ConfigurationError, match="no service path '/quotes'"):
        FieldLevelConfig.from_mastercard_json(settings, service_path="/quotes")


@pytest.mark.parametrize(
    "missing",
    [
        "paths",
        "ivFieldName",
        "encryptedKeyFieldName",
        "encryptedValueFieldName",
        "dataEncoding",
        "oaepPaddingDigestAlgorithm",
    ],
)
def test_what_mastercard_requires_is_required(missing: str) -> None:
    settings = mastercard_config(*RULES)
    del settings[missing]
    with pytest.raises(ConfigurationError, match=f"'{missing}' is required"):
        FieldLevelConfig.from_mastercard_json(settings)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"paths": {}}, "at least one service path"),
        ({"paths": []}, "at least one service path"),
        ({"paths": {"$": {"toEncrypt": {}}}}, "'toDecrypt' is required"),
        ({"paths": {"$": {"toEncrypt": {"a": 1}, "toDecrypt": {}}}}, "must map paths to paths"),
        ({"paths": {"$": {"toEncrypt": [], "toDecrypt": {}}}}, "must map paths to paths"),
        ({"paths": {"$": "x"}}, "no service path"),
        ({"useHttpHeaders": "true"}, "true or false"),
        ({"encryptionCertificate": 5}, "must be a string"),
        ({"decryptionKeyPassword": 5}, "must be a string"),
        ({"ivFieldName": 5}, "iv_field_name"),
        ({"dataEncoding": "base32"}, "dataEncoding"),
        ({"oaepPaddingDigestAlgorithm": "MD5"}, "unsupported OAEP digest"),
        ({"paths": {"$": {"toEncrypt": {"a[*]": "b"}, "toDecrypt": {}}}}, "same number of"),
    ],
)
def test_wrong_settings_are_configuration_errors(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        FieldLevelConfig.from_mastercard_json(mastercard_config(*RULES, **changes))


def test_unreadable_or_malformed_configuration_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"missing\.json: cannot read"):
        FieldLevelConfig.from_mastercard_json(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"paths": {"$": {}}, "paths": {}}')
    with pytest.raises(ConfigurationError, match=r"bad.json: .*repeats a member"):
        FieldLevelConfig.from_mastercard_json(bad)
    bad.write_text("[1]")
    with pytest.raises(ConfigurationError, match="not a JSON object"):
        FieldLevelConfig.from_mastercard_json(bad)
    with pytest.raises(ConfigurationError, match="file path, JSON text or a mapping"):
        FieldLevelConfig.from_mastercard_json(42)


def test_jwe_configuration() -> None:
    config = JweFieldConfig.from_mastercard_json(jwe_config(*RULES))
    assert config.encryption_key_fingerprint == PEER_KEY_FINGERPRINT
    assert config.encrypted_value_field_name == "encryptedValue"
    assert decrypt_fields(encrypt_fields({"a": 1}, config).body, config) == {"a": 1}
    settings = jwe_config(*RULES)
    del settings["encryptedValueFieldName"]
    with pytest.raises(ConfigurationError, match="'encryptedValueFieldName' is required"):
        JweFieldConfig.from_mastercard_json(settings)


# --- key files ---------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _pem(
    key: rsa.RSAPrivateKey,
    form: serialization.PrivateFormat,
    encryption: serialization.KeySerializationEncryption | None = None,
    encoding: serialization.Encoding = serialization.Encoding.PEM,
) -> bytes:
    return key.private_bytes(encoding, form, encryption or serialization.NoEncryption())


@pytest.mark.parametrize(
    ("name", "password", "make"),
    [
        ("pkcs8.pem", None, lambda k, c: _pem(k, serialization.PrivateFormat.PKCS8)),
        ("pkcs1.pem", None, lambda k, c: _pem(k, serialization.PrivateFormat.TraditionalOpenSSL)),
        (
            "key.der",
            None,
            lambda k, c: _pem(
                k, serialization.PrivateFormat.PKCS8, encoding=serialization.Encoding.DER
            ),
        ),
        (
            "pkcs1.der",
            "ignored",
            lambda k, c: _pem(
                k,
                serialization.PrivateFormat.TraditionalOpenSSL,
                encoding=serialization.Encoding.DER,
            ),
        ),
        (
            "plain-with-password.pem",
            "ignored",
            lambda k, c: _pem(k, serialization.PrivateFormat.PKCS8),
        ),
        (
            "encrypted.pem",
            "secret",
            lambda k, c: _pem(
                k,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"secret"),
            ),
        ),
        (
            "keystore.p12",
            "keystorepassword",
            lambda k, c: pkcs12.serialize_key_and_certificates(
                b"keyalias", k, c, None, serialization.BestAvailableEncryption(b"keystorepassword")
            ),
        ),
    ],
)
def test_decryption_key_files(
    tmp_path: Path,
    rsa_key_2048: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
    name: str,
    password: str | None,
    make: Any,
) -> None:
    path = _write(tmp_path, name, make(rsa_key_2048, certificate))
    settings = mastercard_config(*RULES, decryptionKey=path)
    if password is not None:
        settings["decryptionKeyPassword"] = password
    config = FieldLevelConfig.from_mastercard_json(settings)
    assert config.keyring is not None
    assert spki_sha256_hex(config.keyring.keys[0]) == spki_sha256_hex(rsa_key_2048)


@pytest.mark.parametrize("encoding", [serialization.Encoding.PEM, serialization.Encoding.DER])
def test_certificate_files(
    tmp_path: Path, certificate: x509.Certificate, encoding: serialization.Encoding
) -> None:
    path = _write(tmp_path, "cert", certificate.public_bytes(encoding))
    config = FieldLevelConfig.from_mastercard_json(
        mastercard_config(*RULES, encryptionCertificate=path)
    )
    assert config.encryption_key == certificate


def test_key_file_problems_name_the_file(tmp_path: Path, rsa_key_2048: rsa.RSAPrivateKey) -> None:
    encrypted = _write(
        tmp_path,
        "enc.pem",
        _pem(
            rsa_key_2048,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pw"),
        ),
    )
    garbage = _write(tmp_path, "garbage.bin", b"\x00\x01 not a key")
    ec_key = _write(
        tmp_path,
        "ec.pem",
        _pem(ec.generate_private_key(ec.SECP256R1()), serialization.PrivateFormat.PKCS8),
    )
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"decryptionKey": str(tmp_path / "none.pem")}, KeyFileError, "none.pem: no such file"),
        ({"decryptionKey": encrypted}, KeyPasswordError, "enc.pem: .*a password is required"),
        ({"decryptionKey": encrypted, "decryptionKeyPassword": "wrong"}, KeyPasswordError,
         "enc.pem: wrong password"),
        ({"decryptionKey": garbage}, KeyFileError, "garbage.bin: is not a key"),
        ({"decryptionKey": garbage, "decryptionKeyPassword": "x"}, KeyFileError, "garbage.bin"),
        ({"decryptionKey": ec_key}, KeyFileError, "ec.pem: .*needs an RSA key"),
        ({"encryptionCertificate": garbage}, KeyFileError, "garbage.bin: is not a key"),
        ({"encryptionCertificate": str(tmp_path / "no.pem")}, KeyFileError, "no.pem: no such"),
    ]
    for changes, error, message in cases:
        with pytest.raises(error, match=message):
            FieldLevelConfig.from_mastercard_json(mastercard_config(*RULES, **changes))


def test_passwords_never_appear_in_messages(
    tmp_path: Path, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    path = _write(
        tmp_path,
        "enc.pem",
        _pem(
            rsa_key_2048,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"right"),
        ),
    )
    with pytest.raises(KeyPasswordError) as caught:
        FieldLevelConfig.from_mastercard_json(
            mastercard_config(
                *RULES, decryptionKey=path, decryptionKeyPassword="wrong-Password-123"
            )
        )
    assert "wrong-Password-123" not in str(caught.value)


def test_a_keystore_with_its_certificate(
    tmp_path: Path, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"k",
        other_rsa_key_2048,
        certificate_for(other_rsa_key_2048),
        None,
        serialization.BestAvailableEncryption(b"pw"),
    )
    path = _write(tmp_path, "k.p12", data)
    config = JweFieldConfig.from_mastercard_json(
        {**jwe_config(*RULES), "decryptionKey": path, "decryptionKeyPassword": "pw"}
    )
    assert config.keyring is not None
    assert spki_sha256_hex(config.keyring.keys[0]) == spki_sha256_hex(other_rsa_key_2048)
