"""Tokens of the wrong form are refused with MalformedTokenError, before any signature check.

Each forged token is correctly signed, so the refusal can only come from the form rule;
``test_a_clean_forge_verifies`` shows the same forge passing with a clean header.
"""

from __future__ import annotations

from typing import Any

import pytest

from xbsec.errors import MalformedTokenError
from xbsec.jose.jws import MAX_HEADER_CHARS, jws_sign, jws_verify

from .jws_tokens import b64e, encode_json, forge

RS256 = frozenset({"RS256"})
CLEAN = {"alg": "RS256", "kid": "k"}


def _refused(token: Any, key: Any, algorithms: Any = RS256, **kwargs: Any) -> str:
    with pytest.raises(MalformedTokenError) as info:
        jws_verify(token, key.public_key(), algorithms=algorithms, **kwargs)
    assert info.value.status == 401
    assert info.value.reason_code == "INVALID_AUTH_HEADER"
    return info.value.description


def test_a_clean_forge_verifies(rsa_key_2048: Any) -> None:
    token = forge(CLEAN, b"p", rsa_key_2048)
    assert jws_verify(token, rsa_key_2048.public_key(), algorithms=RS256)[1] == b"p"


@pytest.mark.parametrize("alg", ["none", "NONE", "None", "HS256", "HS512", "RS384", "RS512",
                                 "PS256", "ES384", "ES512", "EdDSA", ""])
def test_an_alg_outside_the_profile_is_refused_even_when_listed(rsa_key_2048, alg) -> None:
    token = forge({"alg": alg}, b"p", rsa_key_2048)
    assert "is not accepted" in _refused(token, rsa_key_2048, {alg, "RS256"})


def test_an_alg_the_caller_did_not_allow_is_refused(rsa_key_2048: Any) -> None:
    token = forge(CLEAN, b"p", rsa_key_2048)
    assert "'RS256' is not accepted" in _refused(token, rsa_key_2048, {"ES256"})


def test_a_long_alg_is_shown_shortened(rsa_key_2048: Any) -> None:
    token = forge({"alg": "X" * 500}, b"p", rsa_key_2048)
    assert "X" * 17 not in _refused(token, rsa_key_2048)


@pytest.mark.parametrize("alg", [None, 256, ["RS256"], {"RS256": 1}, True])
def test_an_alg_that_is_not_a_string_is_refused(rsa_key_2048, alg) -> None:
    token = forge({"alg": alg}, b"p", rsa_key_2048)
    assert _refused(token, rsa_key_2048) == "the JWS header has no alg"


def test_a_header_without_alg_is_refused(rsa_key_2048: Any) -> None:
    assert _refused(forge({"kid": "k"}, b"p", rsa_key_2048), rsa_key_2048) == (
        "the JWS header has no alg"
    )


@pytest.mark.parametrize("member", [{"crit": ["exp"]}, {"crit": []}, {"crit": None},
                                    {"b64": False}, {"b64": True},
                                    {"b64": False, "crit": ["b64"]}])
def test_crit_and_b64_are_refused_in_any_form(rsa_key_2048, member) -> None:
    token = forge({**CLEAN, **member}, b"p", rsa_key_2048)
    assert "is not supported" in _refused(token, rsa_key_2048)


@pytest.mark.parametrize("raw", [
    b'{"alg":"RS256","alg":"RS256"}',
    b'{"alg":"RS256","kid":"a","kid":"b"}',
    b'{"alg":"RS256","x":{"y":1,"y":2}}',
    b'["alg","RS256"]',
    b'"RS256"',
    b"null",
    b"",
    b'{"alg":"RS256"',
    b'{"alg":"RS256","n":NaN}',
    b'{"alg":"RS256","n":Infinity}',
    b'{"alg":"RS256"}\xff',
    b'\xef\xbb\xbf{"alg":"RS256"}',
    b'{"alg":"RS256"} {}',
])
def test_a_header_that_is_not_one_strict_json_object_is_refused(rsa_key_2048, raw) -> None:
    assert "JSON object" in _refused(forge(raw, b"p", rsa_key_2048), rsa_key_2048)


def test_whitespace_inside_the_header_json_is_allowed(rsa_key_2048: Any) -> None:
    token = forge(b'{ "alg" : "RS256",\n\t"kid" : "k" }', b"p", rsa_key_2048)
    header, _ = jws_verify(token, rsa_key_2048.public_key(), algorithms=RS256)
    assert dict(header) == CLEAN


@pytest.mark.parametrize("shape", ["", "a", "a.b", "a.b.c.d", "a.b.c.d.e", "..", "...",
                                   "{}"])
def test_anything_but_three_segments_is_refused(rsa_key_2048, shape) -> None:
    description = _refused(shape, rsa_key_2048)
    assert description in ("the token is not three base64url segments",
                           "the JWS header is not a base64url JSON object with distinct "
                           "member names")


@pytest.mark.parametrize("extra", [".", ".x", "..", ".e30"])
def test_an_extra_segment_on_a_good_token_is_refused(rsa_key_2048, extra) -> None:
    token = jws_sign(b"p", rsa_key_2048) + extra
    assert _refused(token, rsa_key_2048) == "the token is not three base64url segments"


def test_json_serialisation_is_refused(rsa_key_2048: Any) -> None:
    header, payload, signature = jws_sign(b"p", rsa_key_2048).split(".")
    token = encode_json({"payload": payload, "protected": header, "signature": signature})
    _refused(token.decode(), rsa_key_2048)


@pytest.mark.parametrize("position", [0, 1, 2])
@pytest.mark.parametrize("spoil", ["pad", "space", "plus", "slash", "newline", "high-bits"])
def test_a_segment_that_is_not_strict_base64url_is_refused(rsa_key_2048, position,
                                                           spoil) -> None:
    # These sizes make every segment's length 2 or 3 mod 4, so each has a spelling with
    # padding and one with spare low bits.
    token = jws_sign(b"pqrst", rsa_key_2048, header={"kid": "kk"})
    parts = token.split(".")
    assert all(len(p) % 4 in (2, 3) for p in parts)
    part = parts[position]
    if spoil == "pad":
        part += "=" * (-len(part) % 4)
    elif spoil == "space":
        part = part[:4] + " " + part[4:]
    elif spoil == "plus":
        part = part.replace(part[3], "+", 1)
    elif spoil == "slash":
        part = part.replace(part[3], "/", 1)
    elif spoil == "newline":
        part += "\n"
    else:  # change the spare low bits of the last character, keeping the decoded bytes
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        part = part[:-1] + alphabet[alphabet.index(part[-1]) + 1]
    parts[position] = part
    _refused(".".join(parts), rsa_key_2048)


def test_non_ascii_text_is_refused(rsa_key_2048: Any) -> None:
    header, payload, signature = jws_sign(b"p", rsa_key_2048).split(".")
    _refused(f"{header}.{payload}é.{signature}", rsa_key_2048)
    _refused(f"{header}.{payload}.{signature}é", rsa_key_2048)


def test_a_token_that_is_not_text_is_refused(rsa_key_2048: Any) -> None:
    token = jws_sign(b"p", rsa_key_2048)
    assert _refused(token.encode(), rsa_key_2048) == "the token must be text"
    assert _refused(None, rsa_key_2048) == "the token must be text"


def test_a_token_longer_than_max_bytes_is_refused(rsa_key_2048: Any) -> None:
    token = jws_sign(b"p" * 1000, rsa_key_2048)
    assert jws_verify(token, rsa_key_2048.public_key(), algorithms=RS256,
                      max_bytes=len(token))[1] == b"p" * 1000
    assert "longer than" in _refused(token, rsa_key_2048, max_bytes=len(token) - 1)


def test_the_default_size_limit_is_64_kib(rsa_key_2048: Any) -> None:
    token = jws_sign(b"p" * 50_000, rsa_key_2048)
    assert len(token) > 64 * 1024
    assert "longer than 65536" in _refused(token, rsa_key_2048)


def test_a_header_longer_than_the_limit_is_refused_before_decoding(rsa_key_2048: Any) -> None:
    token = forge({**CLEAN, "pad": "x" * MAX_HEADER_CHARS}, b"p", rsa_key_2048)
    assert _refused(token, rsa_key_2048) == "the JWS header is too long"
    fits = forge({**CLEAN, "pad": "x" * (MAX_HEADER_CHARS * 3 // 4 - 40)}, b"p", rsa_key_2048)
    assert len(fits.split(".")[0]) <= MAX_HEADER_CHARS
    jws_verify(fits, rsa_key_2048.public_key(), algorithms=RS256)


def test_an_empty_header_segment_is_refused(rsa_key_2048: Any) -> None:
    _, payload, signature = jws_sign(b"p", rsa_key_2048).split(".")
    assert "JSON object" in _refused(f".{payload}.{signature}", rsa_key_2048)


def test_header_b64_of_a_segment_is_checked_before_json(rsa_key_2048: Any) -> None:
    token = forge(CLEAN, b"p", rsa_key_2048)
    _, payload, signature = token.split(".")
    assert "JSON object" in _refused(f"{b64e(b'{')}.{payload}.{signature}", rsa_key_2048)


def test_a_deeply_nested_header_is_refused_not_crashed(rsa_key_2048: Any) -> None:
    raw = b'{"alg":"RS256","x":' + b"[" * 5000 + b"]" * 5000 + b"}"
    assert "JSON object" in _refused(forge(raw, b"p", rsa_key_2048), rsa_key_2048)
