"""``unwrap`` reads the exact form and reasonable variants of it (whitespace, declaration,
comments, CDATA, Content-Type parameters), and finds the form itself when not told."""

from __future__ import annotations

import pytest

from xbsec.payload import unwrap, wrap

JWE = "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a-b_c.d.e.f"


@pytest.mark.parametrize("content_type", ["application/json", "application/xml", "text/xml"])
def test_the_exact_form_unwraps(content_type: str) -> None:
    assert unwrap(wrap(JWE, content_type), content_type) == JWE


@pytest.mark.parametrize(
    "body",
    [
        '{ "encrypted_payload" : { "data" : "%s" } }',
        '\n{\n  "encrypted_payload": {\n    "data": "%s"\n  }\n}\n',
        '\t{"encrypted_payload":{"data":"%s"}}\r\n',
    ],
)
def test_json_whitespace_variants(body: str) -> None:
    raw = (body % JWE).encode()
    assert unwrap(raw, "application/json") == JWE
    assert unwrap(raw) == JWE


@pytest.mark.parametrize(
    "body",
    [
        "<encrypted_payload><data>%s</data></encrypted_payload>",
        '<?xml version="1.0"?><encrypted_payload><data>%s</data></encrypted_payload>',
        '<?xml version="1.0" encoding="UTF-8" ?>\n<encrypted_payload>\n  <data>%s</data>\n'
        "</encrypted_payload>\n",
        "<encrypted_payload><data>\n  %s\n</data></encrypted_payload>",
        "<encrypted_payload><!-- from the gateway --><data>%s</data></encrypted_payload>",
        "<encrypted_payload><data><![CDATA[%s]]></data></encrypted_payload>",
        "\n  <encrypted_payload><data>%s</data></encrypted_payload>",
    ],
)
def test_xml_variants(body: str) -> None:
    raw = (body % JWE).encode()
    assert unwrap(raw, "application/xml") == JWE
    assert unwrap(raw) == JWE


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.api+json"],
)
def test_json_content_types(content_type: str) -> None:
    assert unwrap(wrap(JWE), content_type) == JWE


def test_text_and_bytearray_bodies_are_read_like_bytes() -> None:
    body = wrap(JWE)
    assert unwrap(body.decode()) == JWE
    assert unwrap(bytearray(body)) == JWE
    assert unwrap(memoryview(body)) == JWE


def test_extra_members_are_ignored_only_when_allowed() -> None:
    body = b'{"encrypted_payload":{"data":"%s","v":1},"meta":{}}' % JWE.encode()
    assert unwrap(body, allow_extra_members=True) == JWE
    xml = (
        b'<encrypted_payload id="1"><data enc="x">%s</data><note/></encrypted_payload>'
        % JWE.encode()
    )
    assert unwrap(xml, allow_extra_members=True) == JWE
