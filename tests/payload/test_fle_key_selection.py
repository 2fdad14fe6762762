"""Decryption with several keys: a node's key fingerprint (hex or base64) or a ``{name: key}``
mapping picks the key; without a match each key is tried in turn."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, DecryptionError, KeyMaterialError
from xbsec.jose import JweKeyring
from xbsec.keys.fingerprints import cert_sha256_hex, spki_sha256_hex
from xbsec.payload import FieldLevelConfig, JweFieldConfig, decrypt_fields, encrypt_fields

DOCUMENT = {"secret": {"pan": "5123456789012345"}}
RULES = {"to_encrypt": {"secret": "enc"}, "to_decrypt": {"enc": "secret"}}


@pytest.fixture(scope="module")
def third_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class CountingKey(rsa.RSAPrivateKey):
    """An RSA private key that counts its decryptions (to see which keys were tried)."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        self._key = key
        self.decryptions = 0

    def decrypt(self, ciphertext: bytes, padding: Any) -> bytes:
        self.decryptions += 1
        return self._key.decrypt(ciphertext, padding)

    @property
    def key_size(self) -> int:
        return self._key.key_size

    def public_key(self) -> rsa.RSAPublicKey:
        return self._key.public_key()

    def sign(self, *args: Any) -> bytes:
        return self._key.sign(*args)

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        return self._key.private_numbers()

    def private_bytes(self, *args: Any) -> bytes:
        return self._key.private_bytes(*args)

    def __copy__(self) -> CountingKey:
        return self

    def __deepcopy__(self, memo: Any) -> CountingKey:
        return self


def _encrypted(certificate: x509.Certificate, **options: Any) -> bytes:
    config = FieldLevelConfig(encryption_key=certificate, **RULES, **options)
    return encrypt_fields(DOCUMENT, config).body


def _receiver(**options: Any) -> FieldLevelConfig:
    return FieldLevelConfig(**RULES, **options)


@pytest.mark.parametrize("order", ["right key last", "right key first"])
def test_every_key_is_tried_when_nothing_names_one(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    other_rsa_key_2048: rsa.RSAPrivateKey,
    third_key: rsa.RSAPrivateKey,
    order: str,
) -> None:
    keys = [other_rsa_key_2048, third_key, rsa_key_2048]
    if order == "right key first":
        keys.reverse()
    assert decrypt_fields(_encrypted(certificate), _receiver(decryption_keys=keys)) == DOCUMENT


@pytest.mark.parametrize("form", ["hex", "HEX", "base64"])
def test_the_key_fingerprint_in_the_node_picks_the_key(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    other_rsa_key_2048: rsa.RSAPrivateKey,
    third_key: rsa.RSAPrivateKey,
    form: str,
) -> None:
    fingerprint = spki_sha256_hex(certificate)
    written = {
        "hex": fingerprint,
        "HEX": fingerprint.upper(),
        "base64": base64.b64encode(bytes.fromhex(fingerprint)).decode(),
    }[form]
    body = _encrypted(
        certificate,
        encryption_key_fingerprint_field_name="publicKeyFingerprint",
        encryption_key_fingerprint=written,
    )
    keys = [CountingKey(other_rsa_key_2048), CountingKey(third_key), CountingKey(rsa_key_2048)]
    receiver = _receiver(
        decryption_keys=keys, encryption_key_fingerprint_field_name="publicKeyFingerprint"
    )
    assert decrypt_fields(body, receiver) == DOCUMENT
    assert [key.decryptions for key in keys] == [0, 0, 1]


def test_a_mapping_names_keys_by_certificate_fingerprint(
    certificate: x509.Certificate,
    other_certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    other_rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    body = _encrypted(certificate, encryption_certificate_fingerprint_field_name="certFingerprint")
    keys = {
        cert_sha256_hex(other_certificate): other_rsa_key_2048,
        cert_sha256_hex(certificate): rsa_key_2048,
    }
    receiver = _receiver(
        decryption_keys=keys, encryption_certificate_fingerprint_field_name="certFingerprint"
    )
    assert decrypt_fields(body, receiver) == DOCUMENT
    counting = {name: CountingKey(key) for name, key in keys.items()}
    assert decrypt_fields(body, receiver, keys=counting) == DOCUMENT
    assert [key.decryptions for key in counting.values()] == [0, 1]


def test_an_unknown_fingerprint_falls_back_to_trying_every_key(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    other_rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    body = _encrypted(
        certificate,
        encryption_key_fingerprint_field_name="kfp",
        encryption_key_fingerprint="not-a-known-fingerprint",
    )
    keys = [CountingKey(other_rsa_key_2048), CountingKey(rsa_key_2048)]
    receiver = _receiver(decryption_keys=keys, encryption_key_fingerprint_field_name="kfp")
    assert decrypt_fields(body, receiver) == DOCUMENT
    assert [key.decryptions for key in keys] == [1, 1]


def test_a_wrapped_key_shared_by_several_fields_is_unwrapped_once(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    rules = {"a": "a", "b": "b", "c": "c"}
    sender = FieldLevelConfig(to_encrypt=rules, encryption_key=certificate)
    key = CountingKey(rsa_key_2048)
    receiver = FieldLevelConfig(to_decrypt=rules, decryption_keys=key)
    body = encrypt_fields({"a": 1, "b": 2, "c": 3}, sender).body
    assert decrypt_fields(body, receiver) == {"a": 1, "b": 2, "c": 3}
    assert key.decryptions == 1


def test_no_right_key_is_one_opaque_error(
    certificate: x509.Certificate,
    other_rsa_key_2048: rsa.RSAPrivateKey,
    third_key: rsa.RSAPrivateKey,
) -> None:
    with pytest.raises(DecryptionError, match=r"^decryption failed$"):
        decrypt_fields(
            _encrypted(certificate), _receiver(decryption_keys=[other_rsa_key_2048, third_key])
        )
    with pytest.raises(DecryptionError, match=r"^decryption failed$"):
        decrypt_fields(_encrypted(certificate), _receiver(decryption_keys=third_key))


def test_keys_given_to_the_call_replace_the_configured_ones(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    other_rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    receiver = _receiver(decryption_keys=other_rsa_key_2048)
    body = _encrypted(certificate)
    assert decrypt_fields(body, receiver, keys=rsa_key_2048) == DOCUMENT
    assert decrypt_fields(body, receiver, keys=JweKeyring([rsa_key_2048])) == DOCUMENT
    with pytest.raises(DecryptionError):
        decrypt_fields(body, receiver)


@pytest.mark.parametrize("cls", [FieldLevelConfig, JweFieldConfig])
def test_decrypting_without_any_key_is_a_configuration_error(
    cls: Any, certificate: x509.Certificate
) -> None:
    with pytest.raises(ConfigurationError, match="no decryption key"):
        decrypt_fields(b"{}", cls(**RULES))


@pytest.mark.parametrize("cls", [FieldLevelConfig, JweFieldConfig])
def test_encrypting_without_a_key_is_a_configuration_error(cls: Any) -> None:
    with pytest.raises(ConfigurationError, match="no encryption key"):
        encrypt_fields(b"{}", cls(**RULES))


@pytest.mark.parametrize("cls", [FieldLevelConfig, JweFieldConfig])
def test_keys_that_are_not_rsa_private_keys_are_refused(
    cls: Any, certificate: x509.Certificate
) -> None:
    with pytest.raises(KeyMaterialError):
        cls(**RULES, decryption_keys=certificate)
    with pytest.raises(KeyMaterialError):
        decrypt_fields(b"{}", cls(**RULES), keys="key.pem")


def test_jwe_fields_pick_the_key_by_kid(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    other_rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    body = encrypt_fields(DOCUMENT, JweFieldConfig(encryption_key=certificate, **RULES)).body
    receiver = JweFieldConfig(decryption_keys=[other_rsa_key_2048, rsa_key_2048], **RULES)
    assert decrypt_fields(body, receiver) == DOCUMENT
