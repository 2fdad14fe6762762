"""Property: whatever is received, reading it raises nothing but the documented errors:
``PayloadError`` for shape, ``DecryptionError`` for contents, and never a ``ValueError``,
``KeyError``, ``TypeError`` or a parser's exception. Error messages never carry plaintext."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.payload.strategies import json_values
from xbsec.errors import ConfigurationError, DecryptionError, PayloadError
from xbsec.payload import (
    FieldLevelConfig,
    JweFieldConfig,
    decrypt_fields,
    decrypt_payload,
    encrypt_fields,
    unwrap,
)

FIXTURES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
SECRET = "PLAINTEXT-5123456789012345"
DOCUMENT = {"card": {"pan": SECRET, "list": [1, 2]}, "other": [SECRET]}
RULES: dict[str, Any] = {
    "to_encrypt": {"card": "enc", "other[*]": "other[*]"},
    "to_decrypt": {"enc": "card", "other[*]": "other[*]"},
}


@pytest.fixture(scope="module")
def configs(certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey) -> list[Any]:
    common = {"encryption_key": certificate, "decryption_keys": rsa_key_2048, **RULES}
    return [
        FieldLevelConfig(
            oaep_digest_field_name="oaep", encryption_key_fingerprint_field_name="kfp", **common
        ),
        FieldLevelConfig(use_http_headers=True, data_encoding="base64", **common),
        JweFieldConfig(**common),
    ]


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    places = [path]
    if isinstance(value, dict):
        for name, item in value.items():
            places += _places(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            places += _places(item, (*path, index))
    return places


def _mutate(document: Any, place: tuple[Any, ...], replacement: Any, delete: bool) -> Any:
    document = copy.deepcopy(document)
    if not place:
        return replacement
    parent = document
    for key in place[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[place[-1]]
    else:
        parent[place[-1]] = replacement
    return document


@FIXTURES
@given(which=st.integers(0, 2), data=st.data(), replacement=json_values, delete=st.booleans())
def test_a_changed_document_raises_only_documented_errors(
    configs: list[Any], which: int, data: st.DataObject, replacement: Any, delete: bool
) -> None:
    config = configs[which]
    encrypted = encrypt_fields(DOCUMENT, config)
    place = data.draw(st.sampled_from(_places(encrypted.document)))
    changed = _mutate(encrypted.document, place, replacement, delete)
    headers = dict(encrypted.headers)
    if headers and data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(headers)))
        headers[name] = data.draw(st.text(max_size=40))
    try:
        decrypt_fields(json.dumps(changed), config, headers=headers)
    except (PayloadError, DecryptionError) as error:
        message = str(error)
    else:
        message = ""
    assert SECRET not in message


@FIXTURES
@given(
    body=st.binary(max_size=200)
    | st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace")),
    content_type=st.sampled_from([None, "application/json", "application/xml", "text/plain"]),
)
def test_any_body_raises_only_payload_or_decryption_errors(
    rsa_key_2048: rsa.RSAPrivateKey, body: bytes, content_type: str | None
) -> None:
    with contextlib.suppress(PayloadError):
        unwrap(body, content_type)
    with contextlib.suppress(PayloadError, DecryptionError):
        decrypt_payload(body, rsa_key_2048, content_type=content_type)


@settings(max_examples=100)
@given(
    settings_document=st.dictionaries(
        st.sampled_from(
            [
                "paths",
                "ivFieldName",
                "encryptedKeyFieldName",
                "encryptedValueFieldName",
                "dataEncoding",
                "oaepPaddingDigestAlgorithm",
                "useHttpHeaders",
                "oaepPaddingDigestAlgorithmFieldName",
                "encryptionKeyFingerprint",
            ]
        ),
        json_values,
    ),
    service_path=st.sampled_from(["$", "x"]),
)
def test_any_configuration_raises_only_configuration_errors(
    settings_document: dict[str, Any], service_path: str
) -> None:
    for cls in (FieldLevelConfig, JweFieldConfig):
        with contextlib.suppress(ConfigurationError):
            cls.from_mastercard_json(settings_document, service_path=service_path)


path_texts = st.text(st.sampled_from("$.[]*0123ab"), max_size=10)


@settings(FIXTURES, max_examples=300)
@given(rules=st.dictionaries(path_texts, path_texts, max_size=3), document=json_values)
def test_any_paths_over_any_document_raise_only_documented_errors(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    rules: dict[str, str],
    document: Any,
) -> None:
    try:
        config = FieldLevelConfig(
            to_encrypt=rules,
            to_decrypt=rules,
            encryption_key=certificate,
            decryption_keys=rsa_key_2048,
        )
    except ConfigurationError:
        return
    text = json.dumps(document)
    with contextlib.suppress(PayloadError):
        text = encrypt_fields(text, config).body.decode()
    with contextlib.suppress(PayloadError, DecryptionError):
        decrypt_fields(text, config)
