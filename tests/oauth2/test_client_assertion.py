"""RFC 7523 client assertions, checked with xbsec's JWS verifier and with jwcrypto."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from xbsec.errors import ConfigurationError
from xbsec.jose.jws import jws_verify
from xbsec.oauth2.client_assertion import (
    CLIENT_ASSERTION_TYPE,
    MAX_ASSERTION_LIFETIME,
    ClientAssertionMinter,
)

AUDIENCE = "https://sandbox.api.xbs.mastercard.eu/oauth2/token"


def test_the_type_is_rfc_7523s() -> None:
    assert CLIENT_ASSERTION_TYPE == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def test_claims_are_those_of_rfc_7523(signing_key: Any) -> None:
    minter = ClientAssertionMinter("ck!1", signing_key, clock=lambda: 1_700_000_000.7)
    token = minter.mint(AUDIENCE)
    header, payload = jws_verify(token, signing_key.public_key(), algorithms={"RS256"})
    assert dict(header) == {"alg": "RS256", "typ": "JWT"}
    claims = json.loads(payload)
    assert set(claims) == {"iss", "sub", "aud", "iat", "exp", "jti"}
    assert claims["iss"] == claims["sub"] == "ck!1"
    assert claims["aud"] == AUDIENCE
    assert claims["iat"] == 1_700_000_000
    assert claims["exp"] == 1_700_000_060
    assert len(claims["jti"]) == 32
    assert int(claims["jti"], 16) >= 0


def test_every_assertion_has_its_own_jti(signing_key: Any) -> None:
    minter = ClientAssertionMinter("ck!1", signing_key)
    jtis = {minter.claims(AUDIENCE)["jti"] for _ in range(200)}
    assert len(jtis) == 200


def test_jti_comes_from_the_injected_random_source(signing_key: Any) -> None:
    counter = count()
    minter = ClientAssertionMinter("ck!1", signing_key,
                                   random_bytes=lambda n: bytes([next(counter)] * n))
    assert minter.claims(AUDIENCE)["jti"] == "00" * 16
    assert minter.claims(AUDIENCE)["jti"] == "01" * 16


def test_an_ec_key_signs_es256() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    minter = ClientAssertionMinter("ck!1", key)
    assert minter.algorithm == "ES256"
    header, payload = jws_verify(minter.mint(AUDIENCE), key.public_key(),
                                 algorithms={"ES256"})
    assert header["alg"] == "ES256"
    assert json.loads(payload)["aud"] == AUDIENCE


def test_another_key_does_not_verify(signing_key: Any, other_rsa_key_2048: Any) -> None:
    from xbsec.errors import SignatureError

    token = ClientAssertionMinter("ck!1", signing_key).mint(AUDIENCE)
    with pytest.raises(SignatureError):
        jws_verify(token, other_rsa_key_2048.public_key(), algorithms={"RS256"})


@pytest.mark.interop
@pytest.mark.parametrize("curve", [None, ec.SECP256R1()])
def test_jwcrypto_verifies_the_assertion(signing_key: Any, curve: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from jwcrypto import jwk, jwt

    key = signing_key if curve is None else ec.generate_private_key(curve)
    token = ClientAssertionMinter("ck!1", key, lifetime=MAX_ASSERTION_LIFETIME).mint(AUDIENCE)
    public = jwk.JWK.from_pem(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    verified = jwt.JWT(jwt=token, key=public, algs=["RS256", "ES256"],
                       check_claims={"iss": "ck!1", "sub": "ck!1", "aud": AUDIENCE,
                                     "exp": None, "iat": None, "jti": None})
    claims = json.loads(verified.claims)
    assert claims["exp"] - claims["iat"] == MAX_ASSERTION_LIFETIME


@pytest.mark.parametrize("lifetime", [0, MAX_ASSERTION_LIFETIME + 1, True, 1.5])
def test_lifetimes_beyond_five_minutes_are_refused(signing_key: Any, lifetime: Any) -> None:
    with pytest.raises(ConfigurationError, match="lifetime"):
        ClientAssertionMinter("ck!1", signing_key, lifetime=lifetime)


def test_an_empty_client_id_or_audience_is_refused(signing_key: Any) -> None:
    with pytest.raises(ConfigurationError):
        ClientAssertionMinter("", signing_key)
    with pytest.raises(ConfigurationError, match="audience"):
        ClientAssertionMinter("ck", signing_key).mint("")


def test_a_short_random_source_is_refused(signing_key: Any) -> None:
    minter = ClientAssertionMinter("ck", signing_key, random_bytes=lambda n: b"\0" * (n - 1))
    with pytest.raises(ConfigurationError, match="15 bytes"):
        minter.mint(AUDIENCE)


def test_from_project_keys_uses_the_consumer_key(signing_key: Any) -> None:
    from xbsec.keys.project import ProjectKeys

    keys = ProjectKeys(environment="sandbox", consumer_key="ck!project", signing_key=signing_key)
    assert ClientAssertionMinter.from_project_keys(keys).client_id == "ck!project"
