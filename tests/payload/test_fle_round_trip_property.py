"""Properties: for any JSON document and any path that names a value in it, encrypting and
then decrypting gives the document back, in place or moved, in either scheme."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.payload.strategies import json_objects, json_values, member_names
from xbsec.payload import FieldLevelConfig, JweFieldConfig, decrypt_fields, encrypt_fields

FIXTURES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def _locations(value: Any, path: str = "$", by_name: bool = False) -> Iterator[tuple[str, bool]]:
    """Every path naming a value in ``value``, and whether it ends with a member name."""
    yield path, by_name
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _locations(item, f"{path}.{name}", True)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _locations(item, f"{path}[{index}]", False)


@st.composite
def documents_and_paths(draw: st.DrawFn, *, by_name_only: bool = False) -> tuple[Any, str, bool]:
    document = draw(json_objects.filter(bool) if by_name_only else json_objects)
    locations = [place for place in _locations(document) if place[1] or not by_name_only]
    path, by_name = draw(st.sampled_from(locations))
    return document, path, by_name


def _config(
    cls: Any,
    certificate: x509.Certificate,
    key: rsa.RSAPrivateKey,
    forward: dict[str, str],
    backward: dict[str, str],
    **options: Any,
) -> Any:
    return cls(
        to_encrypt=forward,
        to_decrypt=backward,
        encryption_key=certificate,
        decryption_keys=key,
        **options,
    )


def _same(left: Any, right: Any) -> bool:
    # Compare as JSON text with sorted keys, so that 1 == 1.0 and True == 1 cannot pass.
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


@FIXTURES
@given(
    case=documents_and_paths(),
    encoding=st.sampled_from(["hex", "base64"]),
    digest=st.sampled_from(["SHA256", "SHA512"]),
    headers=st.booleans(),
)
def test_in_place_round_trip(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    case: tuple[Any, str, bool],
    encoding: str,
    digest: str,
    headers: bool,
) -> None:
    document, path, _ = case
    config = _config(
        FieldLevelConfig,
        certificate,
        rsa_key_2048,
        {path: path},
        {path: path},
        data_encoding=encoding,
        oaep_digest=digest,
        use_http_headers=headers,
    )
    encrypted = encrypt_fields(document, config)
    assert _same(decrypt_fields(encrypted.body, config, headers=encrypted.headers), document)


@FIXTURES
@given(case=documents_and_paths(by_name_only=True), target=member_names)
def test_moved_round_trip(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    case: tuple[Any, str, bool],
    target: str,
) -> None:
    document, path, _ = case
    assume(target not in document)
    config = _config(
        FieldLevelConfig, certificate, rsa_key_2048, {path: f"$.{target}"}, {f"$.{target}": path}
    )
    encrypted = encrypt_fields(document, config)
    assert target in encrypted.document
    assert _same(decrypt_fields(encrypted.body, config), document)


@settings(FIXTURES, max_examples=25)
@given(case=documents_and_paths())
def test_jwe_field_round_trip(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey, case: tuple[Any, str, bool]
) -> None:
    document, path, _ = case
    config = _config(JweFieldConfig, certificate, rsa_key_2048, {path: path}, {path: path})
    assert _same(decrypt_fields(encrypt_fields(document, config).body, config), document)


@FIXTURES
@given(
    items=st.lists(
        st.one_of(st.none(), st.dictionaries(st.sampled_from(["x", "y"]), json_values, max_size=2)),
        max_size=6,
    )
)
def test_every_element_round_trip(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey, items: list[Any]
) -> None:
    document = {"items": items}
    config = _config(
        FieldLevelConfig,
        certificate,
        rsa_key_2048,
        {"$.items[*].x": "$.items[*].encX"},
        {"$.items[*].encX": "$.items[*].x"},
    )
    encrypted = encrypt_fields(document, config)
    for element in encrypted.document["items"]:
        assert element is None or "x" not in element
    assert _same(decrypt_fields(encrypted.body, config), document)
