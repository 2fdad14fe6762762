"""Decrypting, a node of the wrong shape is a ``PayloadError``; a node whose contents do not
decrypt is the one opaque ``DecryptionError``; an object without the value field is left
alone."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from xbsec.errors import DecryptionError, PayloadError
from xbsec.jose import aes_cbc_encrypt
from xbsec.payload import FieldLevelConfig, JweFieldConfig, decrypt_fields, encrypt_fields

RULES: dict[str, Any] = {"to_encrypt": {"v": "enc"}, "to_decrypt": {"enc": "v"}}


@pytest.fixture(scope="module")
def config(certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey) -> FieldLevelConfig:
    return FieldLevelConfig(
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
        oaep_digest_field_name="oaep",
        **RULES,
    )


@pytest.fixture(scope="module")
def node(config: FieldLevelConfig) -> dict[str, Any]:
    return encrypt_fields({"v": {"a": 1}}, config).document["enc"]


def _with(node: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = {**node, **changes}
    return {name: value for name, value in changed.items() if value is not ...}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"encryptedValue": 5}, "'encryptedValue' is not a string"),
        ({"encryptedValue": None}, "'encryptedValue' is not a string"),
        ({"iv": ...}, "no 'iv' field"),
        ({"iv": None}, "'iv' is not a string"),
        ({"iv": ["00"]}, "'iv' is not a string"),
        ({"encryptedKey": ...}, "no 'encryptedKey' field"),
        ({"encryptedKey": 1}, "'encryptedKey' is not a string"),
        ({"oaep": 256}, "'oaep' is not a string"),
    ],
)
def test_wrong_shapes_are_payload_errors(
    config: FieldLevelConfig, node: dict[str, Any], changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        decrypt_fields({"enc": _with(node, **changes)}, config)


@pytest.mark.parametrize(
    "changes",
    [
        {"iv": "zz" * 16},
        {"iv": "00" * 15},
        {"iv": "00" * 12},
        {"iv": "0" * 31},
        {"iv": "00 " * 16},
        {"encryptedValue": ""},
        {"encryptedValue": "00" * 15},
        {"encryptedValue": "é"},
        {"encryptedKey": "00" * 256},
        {"encryptedKey": "00" * 255},
        {"encryptedKey": ""},
        {"oaep": "MD5"},
        {"oaep": "SHA512"},
    ],
)
def test_contents_that_do_not_decrypt_are_one_opaque_error(
    config: FieldLevelConfig, node: dict[str, Any], changes: dict[str, Any]
) -> None:
    with pytest.raises(DecryptionError, match=r"^decryption failed$"):
        decrypt_fields({"enc": _with(node, **changes)}, config)


@pytest.mark.parametrize("value", ["text", 5, [1], True])
def test_a_node_that_is_not_an_object_is_a_payload_error(
    config: FieldLevelConfig, value: Any
) -> None:
    with pytest.raises(PayloadError, match="not an encrypted object"):
        decrypt_fields({"enc": value}, config)


@pytest.mark.parametrize("value", [{}, {"status": "plain"}, None])
def test_a_node_without_an_encrypted_value_is_left_alone(
    config: FieldLevelConfig, value: Any
) -> None:
    assert decrypt_fields({"enc": value}, config) == {"enc": value}


def _node_for(plaintext: bytes, certificate: x509.Certificate) -> dict[str, str]:
    """A node made by hand, for plaintexts xbsec itself never writes."""
    key, iv = bytes(range(16)), bytes(range(16, 32))
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    return {
        "encryptedValue": aes_cbc_encrypt(key, iv, plaintext).hex(),
        "encryptedKey": public_key.encrypt(key, oaep).hex(),
        "iv": iv.hex(),
    }


def test_a_plaintext_that_is_not_utf8_is_a_decryption_error(
    config: FieldLevelConfig, certificate: x509.Certificate
) -> None:
    with pytest.raises(DecryptionError):
        decrypt_fields({"enc": _node_for(b'"\xff"', certificate)}, config)


def test_a_plaintext_repeating_a_member_is_a_payload_error(
    config: FieldLevelConfig, certificate: x509.Certificate
) -> None:
    with pytest.raises(PayloadError, match="repeats a member"):
        decrypt_fields({"enc": _node_for(b'{"a":1,"a":2}', certificate)}, config)


@pytest.mark.parametrize(
    ("plaintext", "value"),
    [
        (b"plain text", "plain text"),
        (b"123", 123),
        (b"NaN", "NaN"),
        (b"1e999", "1e999"),
        (b"", ""),
        (b'{"a":[1,2]}', {"a": [1, 2]}),
        (b"[" * 5000, "[" * 5000),
    ],
)
def test_a_plaintext_that_is_not_json_is_read_as_text(
    config: FieldLevelConfig, certificate: x509.Certificate, plaintext: bytes, value: Any
) -> None:
    # Mastercard's libraries encrypt a string field as its bare characters (SPEC §4.2).
    assert decrypt_fields({"enc": _node_for(plaintext, certificate)}, config) == {"v": value}


def test_a_wrapped_session_key_of_a_wrong_size_is_refused(
    config: FieldLevelConfig, certificate: x509.Certificate
) -> None:
    node = _node_for(b"1", certificate)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    node["encryptedKey"] = public_key.encrypt(b"k" * 15, oaep).hex()
    with pytest.raises(DecryptionError):
        decrypt_fields({"enc": node}, config)


def test_non_canonical_base64_is_refused(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = FieldLevelConfig(
        encryption_key=certificate, decryption_keys=rsa_key_2048, data_encoding="base64", **RULES
    )
    node = encrypt_fields({"v": 1}, config).document["enc"]
    iv = base64.b64decode(node["iv"])
    assert decrypt_fields({"enc": node}, config) == {"v": 1}
    for bad in (
        node["iv"].rstrip("="),
        node["iv"][:-3] + "\n" + node["iv"][-3:],
        base64.b64encode(iv).decode()[:-3] + "B==",
        base64.urlsafe_b64encode(b"\xfb" * 16).decode(),
    ):
        with pytest.raises(DecryptionError):
            decrypt_fields({"enc": {**node, "iv": bad}}, config)


@pytest.mark.parametrize("value", [5, [1], True])
def test_a_jwe_node_of_the_wrong_shape_is_a_payload_error(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey, value: Any
) -> None:
    config = JweFieldConfig(decryption_keys=rsa_key_2048, **RULES)
    with pytest.raises(PayloadError, match="not an encrypted object"):
        decrypt_fields({"enc": value}, config)
    with pytest.raises(PayloadError, match="is not a string"):
        decrypt_fields({"enc": {"encryptedValue": value}}, config)
    assert decrypt_fields({"enc": {"other": 1}}, config) == {"enc": {"other": 1}}
    assert decrypt_fields({"enc": None}, config) == {"enc": None}
    with pytest.raises(DecryptionError):
        decrypt_fields({"enc": "not a jwe"}, config)
