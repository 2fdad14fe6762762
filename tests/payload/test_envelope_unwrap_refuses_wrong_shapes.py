"""``unwrap`` refuses every body that is not exactly one envelope with a JWE in ``data``,
each with a ``PayloadError`` that says what is wrong (and never a parser's own exception)."""

from __future__ import annotations

import pytest

from xbsec.errors import ConfigurationError, PayloadError
from xbsec.payload import decrypt_payload, is_encrypted_envelope, unwrap
from xbsec.policy import SecurityPolicy

JWE = "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a-b_c.d.e.f"
J = JWE.encode()

JSON_CASES = {
    "not JSON": (b"encrypted_payload", "not valid JSON"),
    "no envelope member": (b'{"payload":{"data":"%s"}}' % J, 'no "encrypted_payload"'),
    "empty object": (b"{}", 'no "encrypted_payload"'),
    "JSON array": (b'[{"encrypted_payload":{"data":"%s"}}]' % J, 'no "encrypted_payload"'),
    "JSON string": (b'"%s"' % J, 'no "encrypted_payload"'),
    "envelope not an object": (b'{"encrypted_payload":"%s"}' % J, "is not an object"),
    "envelope null": (b'{"encrypted_payload":null}', "is not an object"),
    "data missing": (b'{"encrypted_payload":{}}', 'no "data"'),
    "data misnamed": (b'{"encrypted_payload":{"Data":"%s"}}' % J, 'no "data"'),
    "data a number": (b'{"encrypted_payload":{"data":5}}', "not a string"),
    "data null": (b'{"encrypted_payload":{"data":null}}', "not a string"),
    "data an object": (b'{"encrypted_payload":{"data":{"jwe":"%s"}}}' % J, "not a string"),
    "data a list": (b'{"encrypted_payload":{"data":["%s"]}}' % J, "not a string"),
    "data empty": (b'{"encrypted_payload":{"data":""}}', "is empty"),
    "data with spaces": (b'{"encrypted_payload":{"data":" %s"}}' % J, "not a compact JWE"),
    "data with escapes": (b'{"encrypted_payload":{"data":"\\u00e9%s"}}' % J, "not a compact JWE"),
    "data with a quote": (b'{"encrypted_payload":{"data":"a\\"b"}}', "not a compact JWE"),
    "extra top member": (b'{"encrypted_payload":{"data":"%s"},"x":1}' % J, "beside"),
    "extra inner member": (b'{"encrypted_payload":{"data":"%s","kid":"k"}}' % J, "beside"),
    "two envelopes": (
        b'{"encrypted_payload":{"data":"%s"}}{"encrypted_payload":{"data":"%s"}}' % (J, J),
        "Extra data",
    ),
    "repeated envelope member": (
        b'{"encrypted_payload":{"data":"a"},"encrypted_payload":{"data":"%s"}}' % J,
        "repeats a member",
    ),
    "repeated data member": (
        b'{"encrypted_payload":{"data":"a","data":"%s"}}' % J,
        "repeats a member",
    ),
    "trailing garbage": (b'{"encrypted_payload":{"data":"%s"}}x' % J, "Extra data"),
    "trailing comma": (b'{"encrypted_payload":{"data":"%s"},}' % J, "not valid JSON"),
    "truncated": (b'{"encrypted_payload":{"data":"%s"}' % J, "not valid JSON"),
    "invalid UTF-8": (b'{"encrypted_payload":{"data":"%s\xff"}}' % J, "not valid UTF-8"),
    "byte-order mark": (b'\xef\xbb\xbf{"encrypted_payload":{"data":"%s"}}' % J, "not valid JSON"),
    "NaN": (b'{"encrypted_payload":{"data":"%s"},"n":NaN}' % J, "NaN"),
    "huge number": (b'{"encrypted_payload":{"data":"%s"},"n":1e999}' % J, "NaN"),
    "deep nesting": (
        b'{"encrypted_payload":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "nested too deeply",
    ),
}


@pytest.mark.parametrize(("body", "message"), JSON_CASES.values(), ids=JSON_CASES.keys())
def test_json_envelope_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError) as caught:
        unwrap(body, "application/json")
    assert message in str(caught.value)
    assert not is_encrypted_envelope(body, "application/json")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<encrypted_payload><data>&lol3;</data></encrypted_payload>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<encrypted_payload><data>&xxe;</data></encrypted_payload>"""
DTD_ONLY = (
    b"""<!DOCTYPE encrypted_payload SYSTEM "http://example.com/e.dtd">
<encrypted_payload><data>%s</data></encrypted_payload>"""
    % J
)

XML_CASES = {
    "billion laughs": (BOMB, "DOCTYPE"),
    "external entity": (EXTERNAL, "DOCTYPE"),
    "external DTD": (DTD_ONLY, "DOCTYPE"),
    "wrong root": (b"<payload><data>%s</data></payload>" % J, "root element"),
    "namespaced root": (
        b'<encrypted_payload xmlns="urn:x"><data>%s</data></encrypted_payload>' % J,
        "root element",
    ),
    "root attribute": (
        b'<encrypted_payload v="1"><data>%s</data></encrypted_payload>' % J,
        "has attributes",
    ),
    "data attribute": (
        b'<encrypted_payload><data v="1">%s</data></encrypted_payload>' % J,
        "has attributes",
    ),
    "text before data": (
        b"<encrypted_payload>x<data>%s</data></encrypted_payload>" % J,
        "text beside",
    ),
    "text after data": (
        b"<encrypted_payload><data>%s</data>x</encrypted_payload>" % J,
        "text beside",
    ),
    "extra element": (
        b"<encrypted_payload><data>%s</data><kid>k</kid></encrypted_payload>" % J,
        "other than <data>",
    ),
    "two data": (
        b"<encrypted_payload><data>%s</data><data>%s</data></encrypted_payload>" % (J, J),
        "more than one",
    ),
    "no data": (b"<encrypted_payload></encrypted_payload>", "no <data>"),
    "element in data": (
        b"<encrypted_payload><data><b>%s</b></data></encrypted_payload>" % J,
        "holds elements",
    ),
    "empty data": (b"<encrypted_payload><data/></encrypted_payload>", "is empty"),
    "blank data": (b"<encrypted_payload><data>  </data></encrypted_payload>", "is empty"),
    "data with entity": (
        b"<encrypted_payload><data>a&amp;b</data></encrypted_payload>",
        "not a compact JWE",
    ),
    "two envelopes": (
        b"<encrypted_payload><data>%s</data></encrypted_payload>"
        b"<encrypted_payload><data>%s</data></encrypted_payload>" % (J, J),
        "not well-formed",
    ),
    "trailing garbage": (
        b"<encrypted_payload><data>%s</data></encrypted_payload>x" % J,
        "not well-formed",
    ),
    "unclosed": (b"<encrypted_payload><data>%s</data>" % J, "not well-formed"),
    "invalid UTF-8": (
        b"<encrypted_payload><data>%s\xff</data></encrypted_payload>" % J,
        "not valid UTF-8",
    ),
}


@pytest.mark.parametrize(("body", "message"), XML_CASES.values(), ids=XML_CASES.keys())
def test_xml_envelope_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        unwrap(body, "application/xml")
    assert not is_encrypted_envelope(body)


def test_a_second_data_is_refused_even_when_extra_members_are_allowed() -> None:
    body = b"<encrypted_payload><data>%s</data><data>x</data></encrypted_payload>" % J
    with pytest.raises(PayloadError, match="more than one"):
        unwrap(body, allow_extra_members=True)


def test_stray_text_is_refused_even_when_extra_members_are_allowed() -> None:
    body = b"<encrypted_payload><data>%s</data>text</encrypted_payload>" % J
    with pytest.raises(PayloadError, match="text beside"):
        unwrap(body, allow_extra_members=True)


def test_unknown_content_type_on_reading_is_a_payload_error() -> None:
    body = b'{"encrypted_payload":{"data":"%s"}}' % J
    with pytest.raises(PayloadError, match="text/plain"):
        unwrap(body, "text/plain")
    assert not is_encrypted_envelope(body, "text/plain")


def test_body_in_the_other_form_than_the_content_type_says_is_refused() -> None:
    xml = b"<encrypted_payload><data>%s</data></encrypted_payload>" % J
    with pytest.raises(PayloadError):
        unwrap(xml, "application/json")
    with pytest.raises(PayloadError):
        unwrap(b'{"encrypted_payload":{"data":"%s"}}' % J, "application/xml")


@pytest.mark.parametrize("body", [J, b"", b"   ", b"null", b'"%s"' % J])
def test_a_body_that_is_no_envelope_is_refused_when_detecting(body: bytes) -> None:
    with pytest.raises(PayloadError, match="not an encrypted_payload envelope"):
        unwrap(body)


def test_bodies_over_the_size_limit_are_refused_before_parsing() -> None:
    policy = SecurityPolicy(max_body_bytes=64)
    body = b'{"encrypted_payload":{"data":"%s"}}' % (b"a" * 40)
    with pytest.raises(PayloadError, match="64-byte limit"):
        unwrap(body, policy=policy)
    with pytest.raises(PayloadError, match="64-byte limit"):
        decrypt_payload(body, [], policy=policy)
    assert unwrap(body[:0] + b'{"encrypted_payload":{"data":"abc"}}', policy=policy) == "abc"


def test_text_with_a_lone_surrogate_is_refused() -> None:
    with pytest.raises(PayloadError, match="UTF-8"):
        unwrap('{"encrypted_payload":{"data":"\ud800"}}')


@pytest.mark.parametrize("body", [None, 5, ["x"]])
def test_a_body_of_the_wrong_type_is_a_configuration_error(body: object) -> None:
    with pytest.raises(ConfigurationError, match="bytes or str"):
        unwrap(body)


def test_a_content_type_of_the_wrong_type_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="content_type"):
        unwrap(b"{}", 5)
