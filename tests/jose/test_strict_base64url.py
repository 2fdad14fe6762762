"""base64url as JOSE segments use it: one spelling per byte string, nothing else accepted."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xbsec.jose import b64

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@given(st.binary(max_size=600))
def test_encode_matches_the_standard_library_without_padding(data: bytes) -> None:
    expected = base64.urlsafe_b64encode(data).rstrip(b"=")
    assert b64.encode(data) == expected
    assert b64.encode_str(data) == expected.decode()
    assert b64.decode(expected.decode()) == data
    assert b64.decoded_size(len(expected)) == len(data)


@given(st.binary(max_size=600), st.integers(min_value=0, max_value=5))
def test_decode_reads_a_slice_of_a_larger_text(data: bytes, margin: int) -> None:
    text = "." * margin + b64.encode_str(data) + "." * margin
    assert b64.decode(text, margin, len(text) - margin) == data


@pytest.mark.parametrize(
    "text",
    [
        "YQ==",
        "YQ=",
        "YWJj=",
        "Y Q",
        "YQ\n",
        "\tYQ",
        "Y+Q",
        "Y/Q",
        "YQ%",
        "YQ.",
        "Y",
        "YWJjZ",
        "YQé",
        "ＹＱ",
        "YR",
        "YWJ",
        "AAAB",
        "A",
        "YQ\x00",
    ],
)
def test_anything_but_canonical_unpadded_base64url_is_refused(text: str) -> None:
    if text == "AAAB":
        assert b64.decode(text) == b"\0\0\x01"  # control: a full quantum has no spare bits
        return
    assert b64.decode(text) is None


def test_each_length_that_no_encoding_has_is_refused() -> None:
    for n in range(1, 30, 4):
        assert b64.decoded_size(n) is None
        assert b64.decode("A" * n) is None


@pytest.mark.parametrize("length", [1, 2])
def test_every_non_canonical_last_character_is_refused(length: int) -> None:
    canonical = b64.encode_str(b"\x00" * length)
    accepted = [c for c in ALPHABET if b64.decode(canonical[:-1] + c) is not None]
    # Two characters carry 1 byte (4 spare bits), three carry 2 bytes (2 spare bits).
    assert len(accepted) == (4 if length == 1 else 16)
    for c in ALPHABET:
        lenient = base64.urlsafe_b64decode(canonical[:-1] + c + "=" * (4 - len(canonical) % 4))
        strict = b64.decode(canonical[:-1] + c)
        assert strict is None or strict == lenient
        assert (strict is None) is (b64.encode_str(lenient) != canonical[:-1] + c)


@given(st.binary(min_size=0, max_size=3 * b64.CHUNK_CHARS // 4 * 3 + 7))
def test_decode_into_crosses_chunk_boundaries(data: bytes) -> None:
    text = b64.encode_str(data)
    out = bytearray(len(data) + 3)
    assert b64.decode_into(text, 0, len(text), out, 3)
    assert bytes(out[3:]) == data


def test_decode_into_refuses_damage_in_any_chunk() -> None:
    data = bytes(range(256)) * 1000
    text = b64.encode_str(data)
    for position in (
        0,
        b64.CHUNK_CHARS - 1,
        b64.CHUNK_CHARS,
        2 * b64.CHUNK_CHARS + 5,
        len(text) - 1,
    ):
        damaged = text[:position] + "=" + text[position + 1 :]
        assert not b64.decode_into(damaged, 0, len(damaged), bytearray(len(data)))
    non_canonical = text[:-1] + ALPHABET[ALPHABET.index(text[-1]) | 1]
    if len(text) % 4:
        assert not b64.decode_into(non_canonical, 0, len(text), bytearray(len(data)))
