"""JWS both ways against jwcrypto and joserfc, RS256 and ES256."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from xbsec.errors import SignatureError
from xbsec.jose.jws import jws_sign, jws_verify

from .jws_keys import p256_key

pytestmark = pytest.mark.interop

PAYLOAD = b'{"exp":1800000900,"nbf":1800000000,"iat":1800000000,"jti":"00ff"}'
HEADER = {"typ": "JWT", "cty": "JWS", "kid": "ck!1"}


def _pem(key: Any) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(params=["RS256", "ES256"])
def case(request: pytest.FixtureRequest, rsa_key_2048: Any) -> tuple[str, Any]:
    return request.param, rsa_key_2048 if request.param == "RS256" else p256_key()


def test_our_tokens_verify_in_jwcrypto(case: tuple[str, Any]) -> None:
    from jwcrypto import jwk, jws

    alg, key = case
    token = jws_sign(PAYLOAD, key, header=HEADER)
    theirs = jws.JWS()
    theirs.deserialize(token)
    theirs.verify(jwk.JWK.from_pem(_pem(key)).public(), alg=alg)
    assert theirs.payload == PAYLOAD
    assert theirs.jose_header == {"alg": alg, **HEADER}


def test_jwcrypto_tokens_verify_in_ours(case: tuple[str, Any]) -> None:
    from jwcrypto import jwk, jws

    alg, key = case
    theirs = jws.JWS(PAYLOAD)
    theirs.add_signature(jwk.JWK.from_pem(_pem(key)), alg=alg,
                         protected=json.dumps({"alg": alg, **HEADER}))
    header, payload = jws_verify(theirs.serialize(compact=True), key.public_key(),
                                 algorithms={alg})
    assert payload == PAYLOAD
    assert dict(header) == {"alg": alg, **HEADER}


def test_our_tokens_verify_in_joserfc(case: tuple[str, Any]) -> None:
    from joserfc import jws
    from joserfc.jwk import ECKey, RSAKey

    alg, key = case
    their_key = (RSAKey if alg == "RS256" else ECKey).import_key(_pem(key))
    token = jws_sign(PAYLOAD, key, header=HEADER)
    result = jws.deserialize_compact(token, their_key, algorithms=[alg])
    assert result.payload == PAYLOAD
    assert result.protected == {"alg": alg, **HEADER}


def test_joserfc_tokens_verify_in_ours(case: tuple[str, Any]) -> None:
    from joserfc import jws
    from joserfc.jwk import ECKey, RSAKey

    alg, key = case
    their_key = (RSAKey if alg == "RS256" else ECKey).import_key(_pem(key))
    token = jws.serialize_compact({"alg": alg, **HEADER}, PAYLOAD, their_key, algorithms=[alg])
    header, payload = jws_verify(token, key.public_key(), algorithms={alg})
    assert payload == PAYLOAD
    assert header["kid"] == "ck!1"


def test_a_jwcrypto_token_by_another_key_is_refused(rsa_key_2048, other_rsa_key_2048) -> None:
    from jwcrypto import jwk, jws

    theirs = jws.JWS(PAYLOAD)
    theirs.add_signature(jwk.JWK.from_pem(_pem(other_rsa_key_2048)), alg="RS256",
                         protected=json.dumps({"alg": "RS256"}))
    with pytest.raises(SignatureError):
        jws_verify(theirs.serialize(compact=True), rsa_key_2048.public_key(),
                   algorithms={"RS256"})
