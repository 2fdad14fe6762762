"""``wrap`` writes the envelope byte for byte as SPEC §3.2/§12 gives it, chosen by Content-Type."""

from __future__ import annotations

import pytest

from xbsec.errors import ConfigurationError
from xbsec.payload import envelope_format, wrap

JWE = "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a-b_c.d.e.f"
JSON_BODY = b'{"encrypted_payload":{"data":"' + JWE.encode() + b'"}}'
XML_BODY = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n'
    b"<encrypted_payload><data>" + JWE.encode() + b"</data></encrypted_payload>"
)


def test_json_form_is_exactly_the_spec_bytes() -> None:
    assert wrap(JWE, "application/json") == JSON_BODY


def test_json_is_the_default() -> None:
    assert wrap(JWE) == JSON_BODY


@pytest.mark.parametrize("content_type", ["application/xml", "text/xml"])
def test_xml_form_is_exactly_the_spec_bytes(content_type: str) -> None:
    assert wrap(JWE, content_type) == XML_BODY


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json; charset=utf-8", JSON_BODY),
        ("Application/JSON", JSON_BODY),
        ("  application/json ;charset=UTF-8", JSON_BODY),
        ("application/problem+json", JSON_BODY),
        ("APPLICATION/XML; charset=utf-8", XML_BODY),
        ("text/xml;charset=iso-8859-1", XML_BODY),
        ("application/soap+xml", XML_BODY),
    ],
)
def test_content_type_parameters_and_case_do_not_matter(content_type: str, expected: bytes) -> None:
    assert wrap(JWE, content_type) == expected


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/octet-stream",
        "json",
        "xml",
        "",
        "application/",
        "/json",
        "application/+json",
        "application/jsonx",
        "text/html",
    ],
)
def test_content_type_without_an_envelope_is_a_configuration_error(content_type: str) -> None:
    assert envelope_format(content_type) is None
    with pytest.raises(ConfigurationError, match="no encrypted_payload envelope"):
        wrap(JWE, content_type)


def test_content_type_must_be_text() -> None:
    with pytest.raises(ConfigurationError, match="content_type must be a string"):
        wrap(JWE, b"application/json")


@pytest.mark.parametrize("jwe", ["", "a b", 'a"b', "a<b", "a&b", "é", "a\nb", "a+b/c="])
def test_text_outside_the_jwe_alphabet_is_refused(jwe: str) -> None:
    with pytest.raises(ConfigurationError, match="compact JWE"):
        wrap(jwe)


def test_jwe_must_be_text() -> None:
    with pytest.raises(ConfigurationError, match="compact JWE"):
        wrap(JWE.encode())
