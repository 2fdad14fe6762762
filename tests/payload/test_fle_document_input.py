"""Documents come as JSON text (bytes or str) or as parsed ``dict``/``list``; text is read
strictly and objects are checked, so that what is written back is always JSON."""

from __future__ import annotations

import math
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, PayloadError
from xbsec.payload import EncryptedFields, FieldLevelConfig, decrypt_fields, encrypt_fields
from xbsec.policy import SecurityPolicy


@pytest.fixture(scope="module")
def config(certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey) -> FieldLevelConfig:
    return FieldLevelConfig(
        to_encrypt={"a": "a"},
        to_decrypt={"a": "a"},
        encryption_key=certificate,
        decryption_keys=rsa_key_2048,
    )


@pytest.mark.parametrize(
    "document",
    [
        b'{"a":"x","b":1}',
        '{"a":"x","b":1}',
        bytearray(b'{"a":"x","b":1}'),
        memoryview(b'{"a":"x","b":1}'),
        {"a": "x", "b": 1},
    ],
)
def test_every_input_form(config: FieldLevelConfig, document: Any) -> None:
    encrypted = encrypt_fields(document, config)
    assert decrypt_fields(encrypted.body, config) == {"a": "x", "b": 1}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"", "not valid JSON"),
        (b"{", "not valid JSON"),
        (b'{"a":1} x', "not valid JSON"),
        (b'{"a":1,"a":2}', "repeats a member"),
        (b'{"a":NaN}', "NaN"),
        (b'{"a":-Infinity}', "NaN"),
        (b'{"a":1e400}', "out-of-range"),
        (b'{"a":"\xff"}', "not valid UTF-8"),
        (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
    ],
)
def test_malformed_text_is_a_payload_error(
    config: FieldLevelConfig, text: bytes, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        encrypt_fields(text, config)
    with pytest.raises(PayloadError, match=message):
        decrypt_fields(text, config)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"a": (1, 2)}, "tuple"),
        ({"a": b"x"}, "bytes"),
        ({"a": math.nan}, "float"),
        ({"a": {1: "x"}}, "member name"),
        ({"a": object()}, "object"),
    ],
)
def test_objects_that_are_not_json_are_a_payload_error(
    config: FieldLevelConfig, document: Any, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        encrypt_fields(document, config)


def test_deeply_nested_objects_are_a_payload_error(config: FieldLevelConfig) -> None:
    document: Any = []
    for _ in range(100_000):
        document = [document]
    with pytest.raises(PayloadError, match="nested too deeply"):
        encrypt_fields({"b": document}, config)


@pytest.mark.parametrize("document", [5, None, len, 1.5])
def test_other_types_are_a_configuration_error(config: FieldLevelConfig, document: Any) -> None:
    with pytest.raises(ConfigurationError, match="JSON text"):
        encrypt_fields(document, config)


def test_a_configuration_of_the_wrong_type_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="FieldLevelConfig or a JweFieldConfig"):
        encrypt_fields(b"{}", {"paths": {}})
    with pytest.raises(ConfigurationError, match="FieldLevelConfig or a JweFieldConfig"):
        decrypt_fields(b"{}", None)


def test_the_size_limit_applies_to_text(certificate: x509.Certificate) -> None:
    config = FieldLevelConfig(
        to_encrypt={"a": "a"}, encryption_key=certificate, policy=SecurityPolicy(max_body_bytes=32)
    )
    fits = '{"a":"' + "x" * 24 + '"}'
    assert len(fits) == 32
    encrypt_fields(fits, config)
    with pytest.raises(PayloadError, match="32-byte limit"):
        encrypt_fields(fits.encode() + b" ", config)
    with pytest.raises(PayloadError, match="32-byte limit"):
        encrypt_fields('{"a":"' + "é" * 14 + '"}', config)  # 22 characters, 36 bytes
    with pytest.raises(PayloadError, match="32-byte limit"):
        decrypt_fields(
            "x" * 33,
            FieldLevelConfig(to_decrypt={"a": "a"}, policy=SecurityPolicy(max_body_bytes=32)),
        )


def test_lone_surrogates_survive_as_json_escapes(config: FieldLevelConfig) -> None:
    document = {"a": "\ud800 lone", "b": "\udfff"}
    encrypted = encrypt_fields(document, config)
    assert b"\\udfff" in encrypted.body
    assert decrypt_fields(encrypted.body, config) == document


def test_the_result_type(config: FieldLevelConfig) -> None:
    result = encrypt_fields({"a": 1}, config)
    assert isinstance(result, EncryptedFields)
    assert result.headers == {}


@pytest.mark.parametrize(
    ("document", "message"), [({"a": {1, 2}}, "not JSON"), ({"a": math.inf}, "not JSON")]
)
def test_a_result_built_by_hand_is_checked_when_written(document: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        EncryptedFields(document).body  # noqa: B018


def test_a_result_nested_too_deeply_is_refused_when_written() -> None:
    document: Any = []
    for _ in range(100_000):
        document = [document]
    with pytest.raises(PayloadError, match="nested too deeply"):
        EncryptedFields(document).body  # noqa: B018


def test_randomness_of_the_wrong_size_is_a_configuration_error(config: FieldLevelConfig) -> None:
    with pytest.raises(ConfigurationError, match="random_bytes"):
        encrypt_fields({"a": 1}, config, random_bytes=lambda size: b"short")
    with pytest.raises(ConfigurationError, match="random_bytes"):
        encrypt_fields({"a": 1}, config, random_bytes=lambda size: "x" * size)  # type: ignore[arg-type,return-value]


def test_subclasses_of_dict_and_list_and_floats_are_copied_as_json() -> None:
    from collections import OrderedDict, UserList

    from xbsec.payload.json_document import copy_json

    class Items(list):  # type: ignore[type-arg]
        pass

    class Text(str):
        pass

    document = OrderedDict(a=Items([1.5, OrderedDict(b=True)]), c=None, d=Text("t"))
    copied = copy_json(document)
    assert copied == {"a": [1.5, {"b": True}], "c": None, "d": "t"}
    assert type(copied) is dict
    assert type(copied["a"]) is list  # type: ignore[index]
    with pytest.raises(PayloadError, match="not a string"):
        copy_json(OrderedDict({1: "x"}))
    with pytest.raises(PayloadError, match="UserList"):
        copy_json({"a": UserList([1])})
    with pytest.raises(PayloadError, match="float"):
        copy_json({"a": float("inf")})
