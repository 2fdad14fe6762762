"""Property: every string of the JWE alphabet survives wrap/unwrap in both forms, with the
form given or detected, and the written form is always the exact one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.payload.strategies import jwe_texts
from xbsec.payload import detect_envelope, unwrap, wrap

content_types = st.sampled_from(
    [
        "application/json",
        "application/xml",
        "text/xml",
        "application/json; charset=utf-8",
        "TEXT/XML; charset=UTF-8",
    ]
)


@given(jwe_texts, content_types)
def test_wrap_then_unwrap_gives_the_token_back(token: str, content_type: str) -> None:
    body = wrap(token, content_type)
    assert unwrap(body, content_type) == token
    assert unwrap(body) == token
    assert detect_envelope(body) == ("json" if "json" in content_type else "xml")


@given(jwe_texts, st.sampled_from([" ", "\n", "\t", "\r\n"]))
def test_whitespace_around_the_parts_does_not_change_the_token(token: str, blank: str) -> None:
    json_body = f'{blank}{{{blank}"encrypted_payload"{blank}:{blank}{{"data":{blank}"{token}"}}}}'
    xml_body = (
        f"{blank}<encrypted_payload>{blank}<data>{blank}{token}{blank}</data>{blank}"
        f"</encrypted_payload>{blank}"
    )
    assert unwrap(json_body.encode()) == token
    assert unwrap(xml_body.encode()) == token
