"""JWS compact round trips: RS256 and ES256, the header as given, any payload bytes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xbsec.jose.jws import JwsSigner, jws_parse, jws_sign, jws_verify

from .jws_keys import p256_key
from .jws_tokens import segments

RS256 = frozenset({"RS256"})
ES256 = frozenset({"ES256"})


def test_an_rsa_key_signs_rs256_and_verifies(rsa_key_2048: Any) -> None:
    token = jws_sign(b"hello", rsa_key_2048)
    header, payload = jws_verify(token, rsa_key_2048.public_key(), algorithms=RS256)
    assert dict(header) == {"alg": "RS256"}
    assert payload == b"hello"


def test_a_p256_key_signs_es256_with_a_64_byte_signature() -> None:
    key = p256_key()
    token = jws_sign(b"hello", key)
    header, payload = jws_verify(token, key.public_key(), algorithms=ES256)
    assert header["alg"] == "ES256"
    assert payload == b"hello"
    assert len(segments(token)[2]) == 64


def test_alg_comes_first_and_the_other_members_keep_their_order(rsa_key_2048: Any) -> None:
    token = jws_sign(b"x", rsa_key_2048, header={"kid": "k", "typ": "JWT", "alg": "RS256"})
    header, _, _ = segments(token)
    assert list(header) == ["alg", "kid", "typ"]


def test_the_header_is_returned_read_only_with_arrays_as_tuples(rsa_key_2048: Any) -> None:
    token = jws_sign(b"x", rsa_key_2048, header={"x5c": ["a", "b"], "nested": {"k": [1]}})
    header, _ = jws_verify(token, rsa_key_2048.public_key(), algorithms=RS256)
    assert header["x5c"] == ("a", "b")
    assert header["nested"]["k"] == (1,)
    with pytest.raises(TypeError):
        header["alg"] = "none"  # type: ignore[index]


def test_a_signer_encodes_its_header_once_and_signs_many_payloads(rsa_key_2048: Any) -> None:
    signer = JwsSigner(rsa_key_2048, header={"kid": "k"})
    first, second = signer.sign(b"one"), signer.sign(b"two")
    assert first.split(".")[0] == second.split(".")[0]
    assert signer.alg == "RS256"
    assert dict(signer.header) == {"alg": "RS256", "kid": "k"}
    assert jws_verify(second, rsa_key_2048.public_key(), algorithms=RS256)[1] == b"two"


def test_bytearray_and_memoryview_payloads_are_signed_as_their_bytes(rsa_key_2048: Any) -> None:
    for payload in (bytearray(b"abc"), memoryview(b"abc")):
        token = jws_sign(payload, rsa_key_2048)
        assert jws_verify(token, rsa_key_2048.public_key(), algorithms=RS256)[1] == b"abc"


def test_parse_exposes_what_verify_checks(rsa_key_2048: Any) -> None:
    token = jws_sign(b"body", rsa_key_2048, header={"kid": "k"})
    parsed = jws_parse(token, algorithms=RS256)
    assert parsed.alg == "RS256"
    assert parsed.payload == b"body"
    assert parsed.signing_input == token.rsplit(".", 1)[0].encode("ascii")
    assert parsed.verify(rsa_key_2048.public_key()) == b"body"
    assert "body" not in repr(parsed)
    assert repr(parsed) == "UnverifiedJws(alg='RS256', members=['alg', 'kid'])"


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(max_size=2048))
def test_any_payload_bytes_round_trip_rs256(rsa_key_2048: Any, payload: bytes) -> None:
    token = jws_sign(payload, rsa_key_2048)
    assert jws_verify(token, rsa_key_2048.public_key(), algorithms=RS256)[1] == payload


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(max_size=2048))
def test_any_payload_bytes_round_trip_es256(payload: bytes) -> None:
    key = p256_key()
    token = jws_sign(payload, key)
    assert jws_verify(token, key.public_key(), algorithms=ES256)[1] == payload
