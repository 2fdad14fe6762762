"""Arguments that cannot work are ConfigurationErrors, said when the call is made."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from xbsec.errors import ConfigurationError
from xbsec.jose.jws import JwsSigner, jws_parse, jws_sign, jws_verify
from xbsec.jose.jws_algorithms import verify_signature

from .jws_keys import p256_key, p384_key, rsa_1024_key


@pytest.mark.parametrize("algorithms", ["RS256", "", (), frozenset(), []])
def test_algorithms_must_be_a_non_empty_collection_of_names(rsa_key_2048, algorithms) -> None:
    token = jws_sign(b"p", rsa_key_2048)
    with pytest.raises(ConfigurationError, match="non-empty collection"):
        jws_verify(token, rsa_key_2048.public_key(), algorithms=algorithms)
    with pytest.raises(ConfigurationError):
        jws_parse(token, algorithms=algorithms)


@pytest.mark.parametrize("algorithms", [["RS256"], ("RS256", "PS256"), {"RS256": True}])
def test_any_collection_of_names_will_do(rsa_key_2048, algorithms) -> None:
    token = jws_sign(b"p", rsa_key_2048)
    assert jws_verify(token, rsa_key_2048.public_key(), algorithms=algorithms)[1] == b"p"


def test_verifying_with_a_private_key_is_a_configuration_error(rsa_key_2048: Any) -> None:
    token = jws_sign(b"p", rsa_key_2048)
    with pytest.raises(ConfigurationError, match="public key"):
        jws_verify(token, rsa_key_2048, algorithms={"RS256"})


@pytest.mark.parametrize("key", [None, b"secret", "key", ed25519.Ed25519PrivateKey.generate()
                                 .public_key()])
def test_verifying_with_something_else_is_a_configuration_error(rsa_key_2048, key) -> None:
    token = jws_sign(b"p", rsa_key_2048)
    with pytest.raises(ConfigurationError, match="RSA or EC public key"):
        jws_verify(token, key, algorithms={"RS256"})


def test_an_rsa_key_under_2048_bits_is_refused_for_verifying(rsa_key_2048: Any) -> None:
    token = jws_sign(b"p", rsa_key_2048)
    with pytest.raises(ConfigurationError, match="1024 bits is too small"):
        jws_verify(token, rsa_1024_key().public_key(), algorithms={"RS256"})


def test_an_rsa_key_under_2048_bits_is_refused_for_signing() -> None:
    with pytest.raises(ConfigurationError, match="RSA key of 1024 bits"):
        jws_sign(b"p", rsa_1024_key())


@pytest.mark.parametrize("key", [p384_key, lambda: ed25519.Ed25519PrivateKey.generate(),
                                 lambda: b"secret"])
def test_keys_outside_the_profile_cannot_sign(key) -> None:
    with pytest.raises(ConfigurationError, match=r"\(RS256\) or an EC key on P-256 \(ES256\)"):
        jws_sign(b"p", key())


def test_the_header_alg_must_fit_the_key(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match="ES256 signs with an EC private key on P-256"):
        jws_sign(b"p", rsa_key_2048, header={"alg": "ES256"})
    with pytest.raises(ConfigurationError, match="RS256 signs with an RSA private key"):
        jws_sign(b"p", p256_key(), header={"alg": "RS256"})


@pytest.mark.parametrize("alg", ["none", "HS256", "PS256", "RS512"])
def test_the_header_alg_must_be_in_the_profile(rsa_key_2048, alg) -> None:
    with pytest.raises(ConfigurationError, match="unsupported JWS alg"):
        jws_sign(b"p", rsa_key_2048, header={"alg": alg})


def test_the_header_alg_must_be_a_string(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match="must be a string"):
        jws_sign(b"p", rsa_key_2048, header={"alg": 256})


def test_an_explicit_alg_that_fits_is_used(rsa_key_2048: Any) -> None:
    assert JwsSigner(rsa_key_2048, header={"alg": "RS256"}).alg == "RS256"
    assert JwsSigner(rsa_key_2048, header={"alg": None}).alg == "RS256"


@pytest.mark.parametrize("member", ["crit", "b64"])
def test_a_header_we_would_refuse_cannot_be_signed(rsa_key_2048, member) -> None:
    with pytest.raises(ConfigurationError, match="not supported"):
        jws_sign(b"p", rsa_key_2048, header={member: False})


@pytest.mark.parametrize("value", [b"bytes", {1, 2}, float("nan"), object()])
def test_a_header_that_is_not_json_cannot_be_signed(rsa_key_2048, value) -> None:
    with pytest.raises(ConfigurationError, match="not JSON-serialisable"):
        jws_sign(b"p", rsa_key_2048, header={"x": value})


@pytest.mark.parametrize("payload", ["text", None, 12, [1]])
def test_the_payload_must_be_bytes(rsa_key_2048, payload) -> None:
    with pytest.raises(ConfigurationError, match="payload must be bytes"):
        jws_sign(payload, rsa_key_2048)


def test_verify_signature_is_false_for_an_alg_it_does_not_know(rsa_key_2048: Any) -> None:
    assert verify_signature("PS256", rsa_key_2048.public_key(), b"s", b"d") is False
