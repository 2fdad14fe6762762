"""A signature that does not verify is refused with one opaque SignatureError."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from xbsec.errors import SignatureError
from xbsec.jose.jws import jws_parse, jws_sign, jws_verify

from .jws_keys import p256_key, p384_key
from .jws_tokens import b64d, b64e, forge

RS256 = frozenset({"RS256"})
ES256 = frozenset({"ES256"})
BOTH = frozenset({"RS256", "ES256"})


def _refused(token: str, public_key: Any, algorithms: Any = BOTH) -> None:
    with pytest.raises(SignatureError) as info:
        jws_verify(token, public_key, algorithms=algorithms)
    assert info.value.description == "signature verification failed"
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__ or info.value.__context__ is None


def test_a_token_signed_by_another_rsa_key_is_refused(rsa_key_2048, other_rsa_key_2048) -> None:
    _refused(jws_sign(b"p", other_rsa_key_2048), rsa_key_2048.public_key())


def test_a_token_signed_by_another_p256_key_is_refused() -> None:
    _refused(jws_sign(b"p", p256_key(1)), p256_key(0).public_key())


@pytest.mark.parametrize("segment", [0, 1, 2])
def test_changing_any_segment_is_refused(rsa_key_2048: Any, segment: int) -> None:
    parts = jws_sign(b"payload", rsa_key_2048, header={"kid": "a"}).split(".")
    replacement = [b64e(b'{"alg":"RS256","kid":"b"}'), b64e(b"payloaD"),
                   b64e(bytes(256))][segment]
    parts[segment] = replacement
    _refused(".".join(parts), rsa_key_2048.public_key())


def test_an_rs256_signature_one_byte_short_or_long_is_refused(rsa_key_2048: Any) -> None:
    head, payload, signature = jws_sign(b"p", rsa_key_2048).split(".")
    raw = b64d(signature)
    for spoiled in (raw[:-1], b"\x00" + raw, raw + b"\x00", b""):
        _refused(f"{head}.{payload}.{b64e(spoiled)}", rsa_key_2048.public_key())


def test_an_es256_signature_in_der_instead_of_r_s_is_refused() -> None:
    key = p256_key()
    token = jws_sign(b"p", key)
    head, payload, signature = token.split(".")
    raw = b64d(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    _refused(f"{head}.{payload}.{b64e(der)}", key.public_key())


@pytest.mark.parametrize("length", [0, 32, 63, 65, 66, 96, 128])
def test_an_es256_signature_of_any_length_but_64_is_refused(length: int) -> None:
    key = p256_key()
    head, payload, signature = jws_sign(b"p", key).split(".")
    raw = b64d(signature)
    spoiled = (raw * 3)[:length]
    _refused(f"{head}.{payload}.{b64e(spoiled)}", key.public_key())


@pytest.mark.parametrize(("r", "s"), [(0, 0), (0, 1), (1, 0)])
def test_es256_zero_values_are_refused(r: int, s: int) -> None:
    key = p256_key()
    head, payload, _ = jws_sign(b"p", key).split(".")
    _refused(f"{head}.{payload}.{b64e(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}",
             key.public_key())


def test_an_es256_signature_with_r_and_s_swapped_is_refused() -> None:
    key = p256_key()
    head, payload, signature = jws_sign(b"p", key).split(".")
    raw = b64d(signature)
    _refused(f"{head}.{payload}.{b64e(raw[32:] + raw[:32])}", key.public_key())


def test_an_es256_token_checked_with_an_rsa_key_is_refused(rsa_key_2048: Any) -> None:
    _refused(jws_sign(b"p", p256_key()), rsa_key_2048.public_key())


def test_an_rs256_token_checked_with_an_ec_key_is_refused(rsa_key_2048: Any) -> None:
    _refused(jws_sign(b"p", rsa_key_2048), p256_key().public_key())


def test_an_es256_token_checked_with_a_p384_key_is_refused() -> None:
    key = p384_key()
    token = forge({"alg": "ES256"}, b"p", p256_key())
    _refused(token, key.public_key())


def test_the_key_in_an_embedded_jwk_is_never_used() -> None:
    attacker = p256_key(1)
    numbers = attacker.public_key().public_numbers()
    jwk = {"kty": "EC", "crv": "P-256", "x": b64e(numbers.x.to_bytes(32, "big")),
           "y": b64e(numbers.y.to_bytes(32, "big"))}
    token = forge({"alg": "ES256", "jwk": jwk}, b"p", attacker)
    _refused(token, p256_key(0).public_key())


def test_parse_then_verify_with_the_wrong_key_is_refused(rsa_key_2048, other_rsa_key_2048) -> None:
    parsed = jws_parse(jws_sign(b"p", rsa_key_2048), algorithms=RS256)
    with pytest.raises(SignatureError):
        parsed.verify(other_rsa_key_2048.public_key())
    assert parsed.verify(rsa_key_2048.public_key()) == b"p"


def test_an_es256_signature_is_r_then_s_each_32_bytes_big_endian() -> None:
    key = p256_key()
    head, payload, signature = jws_sign(b"p", key).split(".")
    raw = b64d(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.public_key().verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
