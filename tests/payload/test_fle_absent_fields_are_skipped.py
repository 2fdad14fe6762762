"""Absent fields are skipped, as Mastercard's libraries skip them: a missing member, an index
past the end, ``null`` on the way. A path that meets the wrong kind of value is an error."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import PayloadError
from xbsec.payload import FieldLevelConfig, decrypt_fields, encrypt_fields


@pytest.fixture(scope="module")
def config(certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey) -> FieldLevelConfig:
    return FieldLevelConfig(
        to_encrypt={"$.a.b": "$.a.encB", "list[3]": "list[3]", "x[*].y": "x[*].encY"},
        to_decrypt={"$.a.encB": "$.a.b", "list[3]": "list[3]", "x[*].encY": "x[*].y"},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"a": {}},
        {"a": None},
        {"a": {"c": 1}, "list": [1, 2, 3]},
        {"list": []},
        {"x": []},
        {"x": None},
        {"x": [{}, None, {"z": 1}]},
    ],
)
def test_nothing_to_encrypt_returns_the_document_and_no_headers(
    config: FieldLevelConfig, document: Any
) -> None:
    encrypted = encrypt_fields(document, config)
    assert encrypted.document == document
    assert encrypted.headers == {}
    assert decrypt_fields(document, config) == document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"a": "text"}, "expects an object but the document has a string"),
        ({"a": 5}, "expects an object but the document has a scalar"),
        ({"a": [{"b": 1}]}, "expects an object but the document has an array"),
        ({"list": {"3": 1}}, "expects an array but the document has an object"),
        ({"x": "abc"}, "expects an array but the document has a string"),
        ([1], "expects an object but the document has an array"),
    ],
)
def test_the_wrong_kind_of_value_on_the_way_is_an_error(
    config: FieldLevelConfig, document: Any, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        encrypt_fields(document, config)
    with pytest.raises(PayloadError, match=message):
        decrypt_fields(document, config)


def test_null_is_a_value_when_it_is_the_field_itself(config: FieldLevelConfig) -> None:
    encrypted = encrypt_fields({"a": {"b": None}}, config)
    assert "encB" in encrypted.document["a"]
    assert decrypt_fields(encrypted.body, config) == {"a": {"b": None}}


def test_a_target_through_a_scalar_is_an_error(config: FieldLevelConfig) -> None:
    moved = FieldLevelConfig(to_encrypt={"x": "a.b.enc"}, encryption_key=config.encryption_key)
    with pytest.raises(PayloadError, match=r"'a\.b\.enc' expects an object but .* a string"):
        encrypt_fields({"x": 1, "a": {"b": "text"}}, moved)
    assert encrypt_fields({"x": 1, "a": None}, moved).document["a"]["b"]["enc"]


def test_a_target_member_is_never_overwritten(config: FieldLevelConfig) -> None:
    # Encrypting card.number into card would overwrite card's own "iv" member.
    inside = FieldLevelConfig(
        to_encrypt={"card.number": "card"}, encryption_key=config.encryption_key
    )
    with pytest.raises(PayloadError, match="would overwrite"):
        encrypt_fields({"card": {"number": "1", "iv": "mine"}}, inside)
