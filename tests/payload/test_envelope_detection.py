"""``detect_envelope`` sniffs which envelope a body would be read as (for a reader that takes
a bare JWE or either envelope); ``is_encrypted_envelope`` says whether ``unwrap`` accepts it."""

from __future__ import annotations

import pytest

from xbsec.payload import detect_envelope, is_encrypted_envelope, wrap

JWE = "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (wrap(JWE, "application/json"), "json"),
        (wrap(JWE, "application/xml"), "xml"),
        (b"  \r\n\t{", "json"),
        (b"\n<x/>", "xml"),
        (JWE.encode(), None),
        (b"", None),
        (b"   ", None),
        (b"[1]", None),
        (b"\xef\xbb\xbf{}", None),
    ],
)
def test_detection_looks_at_the_first_non_blank_byte(body: bytes, expected: str | None) -> None:
    assert detect_envelope(body) == expected
    assert detect_envelope(body.decode("utf-8")) == expected


def test_detection_is_not_validation() -> None:
    body = b'{"quote":{}}'
    assert detect_envelope(body) == "json"
    assert not is_encrypted_envelope(body)


@pytest.mark.parametrize("content_type", ["application/json", "application/xml", None])
def test_a_written_envelope_is_recognised(content_type: str | None) -> None:
    body = wrap(JWE, content_type or "text/xml")
    assert is_encrypted_envelope(body, content_type)


def test_a_bare_jwe_is_not_an_envelope() -> None:
    assert not is_encrypted_envelope(JWE.encode())
