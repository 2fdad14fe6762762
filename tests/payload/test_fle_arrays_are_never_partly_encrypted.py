"""``[*]`` encrypts every element or the call fails; a member path through an array is an
error, never "the first element" (which is what Mastercard's library does)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import PayloadError
from xbsec.payload import FieldLevelConfig, JweFieldConfig, decrypt_fields, encrypt_fields

ACCOUNTS: dict[str, Any] = {
    "accounts": [
        {"iban": "DE89370400440532013000", "name": "a"},
        {"iban": "FR1420041010050500013M02606", "name": "b"},
        {"iban": "GB29NWBK60161331926819", "name": "c"},
    ]
}


@pytest.fixture(params=["mastercard", "jwe"])
def config_class(request: pytest.FixtureRequest) -> type[FieldLevelConfig] | type[JweFieldConfig]:
    return FieldLevelConfig if request.param == "mastercard" else JweFieldConfig


def _config(
    cls: Any,
    certificate: x509.Certificate,
    key: rsa.RSAPrivateKey,
    to_encrypt: dict[str, str],
    to_decrypt: dict[str, str] | None = None,
) -> Any:
    return cls(
        to_encrypt=to_encrypt,
        to_decrypt=to_decrypt or {v: k for k, v in to_encrypt.items()},
        encryption_key=certificate,
        decryption_keys=key,
    )


def test_every_element_is_encrypted(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(
        config_class,
        certificate,
        rsa_key_2048,
        {"$.accounts[*].iban": "$.accounts[*].encryptedIban"},
    )
    encrypted = encrypt_fields(ACCOUNTS, config)
    for element in encrypted.document["accounts"]:
        assert sorted(element) == ["encryptedIban", "name"]
    for account in ACCOUNTS["accounts"]:
        assert account["iban"].encode() not in encrypted.body
    assert decrypt_fields(encrypted.body, config) == ACCOUNTS


def test_every_element_in_place(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(config_class, certificate, rsa_key_2048, {"$.accounts[*]": "$.accounts[*]"})
    encrypted = encrypt_fields(ACCOUNTS, config)
    assert all("name" not in element for element in encrypted.document["accounts"])
    assert decrypt_fields(encrypted.body, config) == ACCOUNTS


def test_one_element_by_index(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(
        config_class, certificate, rsa_key_2048, {"accounts[1].iban": "accounts[1].encryptedIban"}
    )
    document = encrypt_fields(ACCOUNTS, config).document
    assert [sorted(e) for e in document["accounts"]] == [
        ["iban", "name"],
        ["encryptedIban", "name"],
        ["iban", "name"],
    ]
    assert decrypt_fields(document, config) == ACCOUNTS


def test_nested_wildcards(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    document = {
        "batches": [
            {"items": [{"pan": "1"}, {"pan": "2"}]},
            {"items": []},
            {"items": [{"pan": "3"}]},
        ]
    }
    config = _config(
        config_class,
        certificate,
        rsa_key_2048,
        {"batches[*].items[*].pan": "batches[*].items[*].encPan"},
    )
    encrypted = encrypt_fields(document, config)
    assert b'"pan"' not in encrypted.body
    assert encrypted.body.count(b"encPan") == 3
    assert decrypt_fields(encrypted.body, config) == document


def test_a_member_path_through_an_array_fails_instead_of_taking_the_first_element(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(
        config_class, certificate, rsa_key_2048, {"accounts.iban": "accounts.encryptedIban"}
    )
    with pytest.raises(
        PayloadError, match=r"expects an object but the document has an array.*\[\*\]"
    ):
        encrypt_fields(ACCOUNTS, config)


@pytest.mark.parametrize(
    "accounts",
    [
        [{"iban": "1"}, "not an object", {"iban": "3"}],
        [{"iban": "1"}, 5, {"iban": "3"}],
        [{"iban": "1"}, ["nested"], {"iban": "3"}],
    ],
)
def test_an_element_that_cannot_be_encrypted_fails_the_whole_call(
    config_class: Any,
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    accounts: list[Any],
) -> None:
    document = {"accounts": accounts}
    original = json.dumps(document)
    config = _config(
        config_class, certificate, rsa_key_2048, {"accounts[*].iban": "accounts[*].encryptedIban"}
    )
    with pytest.raises(PayloadError, match="expects an object"):
        encrypt_fields(document, config)
    assert json.dumps(document) == original  # nothing was half-encrypted in place


def test_a_target_that_cannot_take_the_node_fails_the_whole_call(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    document = {"accounts": [{"iban": "1", "enc": {}}, {"iban": "2", "enc": "taken"}]}
    config = _config(
        config_class, certificate, rsa_key_2048, {"accounts[*].iban": "accounts[*].enc"}
    )
    with pytest.raises(PayloadError, match="expects an object but the document has a string"):
        encrypt_fields(document, config)


def test_a_wildcard_over_an_object_is_an_error(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(config_class, certificate, rsa_key_2048, {"accounts[*]": "accounts[*]"})
    with pytest.raises(PayloadError, match="expects an array but the document has an object"):
        encrypt_fields({"accounts": {"0": 1}}, config)


def test_elements_without_the_field_have_nothing_in_clear_and_are_skipped(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    document = {"accounts": [{"iban": "1"}, {"name": "no iban"}, None, {"iban": "3"}]}
    config = _config(
        config_class, certificate, rsa_key_2048, {"accounts[*].iban": "accounts[*].enc"}
    )
    encrypted = encrypt_fields(document, config)
    assert [sorted(e) if e else e for e in encrypted.document["accounts"]] == [
        ["enc"],
        ["name"],
        None,
        ["enc"],
    ]
    assert decrypt_fields(encrypted.body, config) == document


def test_targets_in_another_array_need_its_elements(
    config_class: Any, certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    config = _config(config_class, certificate, rsa_key_2048, {"a[*].x": "b[*].x"})
    with pytest.raises(PayloadError, match="array element that is absent"):
        encrypt_fields({"a": [{"x": 1}], "b": []}, config)
    with pytest.raises(PayloadError, match="expects an array but the document has null"):
        encrypt_fields({"a": [{"x": 1}]}, config)
    encrypted = encrypt_fields({"a": [{"x": 1}], "b": [None]}, config)
    assert encrypted.document == {"a": [{}], "b": [{"x": encrypted.document["b"][0]["x"]}]}
    assert config.encrypted_value_field_name in encrypted.document["b"][0]["x"]
