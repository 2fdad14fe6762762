"""The signer's contract: exact bytes in, a well-formed header out, clear errors otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from xbsec import ConfigurationError, SigningError
from xbsec.oauth1 import EMPTY_BODY_HASH, OAuth1Signer, new_nonce, parse_authorization
from xbsec.oauth1.nonce import ALPHABET

URL = "https://sandbox.api.mastercard.com/x"


def test_header_carries_the_seven_parameters_in_the_python_signer_order(rsa_key_2048) -> None:
    header = OAuth1Signer("ck", rsa_key_2048).authorization_header("GET", URL)
    names = [part.split("=", 1)[0] for part in header[len("OAuth "):].split(",")]
    assert names == ["oauth_consumer_key", "oauth_nonce", "oauth_timestamp",
                     "oauth_signature_method", "oauth_version", "oauth_body_hash",
                     "oauth_signature"]


def test_default_nonce_is_sixteen_alphanumerics_and_fresh_each_time(rsa_key_2048) -> None:
    signer = OAuth1Signer("ck", rsa_key_2048)
    nonces = {parse_authorization(signer.authorization_header("GET", URL))["oauth_nonce"]
              for _ in range(20)}
    assert len(nonces) == 20
    assert all(len(n) == 16 and set(n) <= set(ALPHABET) for n in nonces)


def test_timestamp_is_whole_seconds_from_the_clock(rsa_key_2048) -> None:
    signed = OAuth1Signer("ck", rsa_key_2048, clock=lambda: 1_700_000_000.987).sign("GET", URL)
    assert signed.timestamp == 1_700_000_000
    assert 'oauth_timestamp="1700000000"' in signed.authorization


@pytest.mark.parametrize("body", [None, b"", bytearray(), memoryview(b"")])
def test_no_body_and_empty_bodies_hash_the_empty_string(rsa_key_2048, body) -> None:
    assert OAuth1Signer("ck", rsa_key_2048).sign("GET", URL, body).body_hash == EMPTY_BODY_HASH


def test_a_str_body_is_refused_with_the_reason(rsa_key_2048) -> None:
    with pytest.raises(SigningError, match="must be bytes"):
        OAuth1Signer("ck", rsa_key_2048).authorization_header("POST", URL, "{}")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["", "G T", "GET\r\nX"])
def test_a_malformed_method_is_refused(rsa_key_2048, method) -> None:
    with pytest.raises(SigningError, match="HTTP method"):
        OAuth1Signer("ck", rsa_key_2048).sign(method, URL)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"signature_method": "HMAC-SHA1"}, "unknown signature method"),
    ({"variant": "php"}, "unknown base-string variant"),
])
def test_bad_options_are_configuration_errors(rsa_key_2048, kwargs, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        OAuth1Signer("ck", rsa_key_2048, **kwargs)


@pytest.mark.parametrize("consumer_key", ["", "a b", 'a"b', "a,b", "a\nb"])
def test_a_consumer_key_that_would_break_the_header_is_refused(rsa_key_2048,
                                                               consumer_key) -> None:
    with pytest.raises(ConfigurationError, match="consumer key"):
        OAuth1Signer(consumer_key, rsa_key_2048)


def test_an_ec_key_cannot_sign_oauth1() -> None:
    key: Any = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(ConfigurationError, match="RSA private key"):
        OAuth1Signer("ck", key)


def test_nonce_generator_uses_the_injected_randomness_uniformly() -> None:
    # bytes >= 248 are rejected (248 = 4 * 62) so every symbol stays equally likely
    stream = iter([bytes([255, 248, 0, 61, 62, 247]) + bytes(100)])
    assert new_nonce(3, random_bytes=lambda n: next(stream)[:n]) == "0z0"
