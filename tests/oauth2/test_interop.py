"""Request tokens both ways: ours verify in jwcrypto and joserfc with the registered public
key, and tokens they make with Mastercard's header and claims verify in ours."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from xbsec.oauth2 import RequestTokenMinter, RequestTokenVerifier

from .conftest import CONSUMER_KEY, NOW, claims, mastercard_header

pytestmark = pytest.mark.interop


def _pem(key: Any) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture(params=["RS256", "ES256"])
def signer(request: pytest.FixtureRequest, rsa_key_2048, certificate, ec_key,
           ec_certificate) -> tuple[str, Any, Any]:
    if request.param == "RS256":
        return "RS256", rsa_key_2048, certificate
    return "ES256", ec_key, ec_certificate


def test_our_tokens_verify_in_jwcrypto(signer) -> None:
    from jwcrypto import jwk, jwt

    alg, key, cert = signer
    value = RequestTokenMinter(CONSUMER_KEY, key, cert, clock=lambda: NOW).mint()
    public = jwk.JWK.from_pem(cert.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    theirs = jwt.JWT(jwt=value, key=public, algs=[alg], check_claims=False)
    header = json.loads(theirs.header)
    assert header["kid"] == CONSUMER_KEY
    assert header["alg"] == alg
    assert set(json.loads(theirs.claims)) == {"exp", "nbf", "iat", "jti"}


def test_our_tokens_verify_in_joserfc(signer) -> None:
    from joserfc import jwt
    from joserfc.errors import ExceededSizeError
    from joserfc.jwk import ECKey, RSAKey
    from joserfc.jws import JWSRegistry

    alg, key, cert = signer
    value = RequestTokenMinter(CONSUMER_KEY, key, cert, clock=lambda: NOW).mint()
    pem = cert.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    public = (RSAKey if alg == "RS256" else ECKey).import_key(pem)
    # joserfc caps headers at 512 bytes by default; x5c alone is longer (SPEC §5.2).
    with pytest.raises(ExceededSizeError):
        jwt.decode(value, public, algorithms=[alg])
    registry = JWSRegistry(algorithms=[alg])
    registry.max_header_length = 4096
    decoded = jwt.decode(value, public, algorithms=[alg], registry=registry)
    assert decoded.header["x5c"] == mastercard_header(cert)["x5c"]
    assert decoded.claims["exp"] == NOW + 900


def test_jwcrypto_tokens_verify_in_ours(signer) -> None:
    from jwcrypto import jwk, jwt

    alg, key, cert = signer
    theirs = jwt.JWT(header=mastercard_header(cert, alg=alg), claims=claims())
    theirs.make_signed_token(jwk.JWK.from_pem(_pem(key)))
    verifier = RequestTokenVerifier({CONSUMER_KEY: cert}, clock=lambda: NOW)
    verified = verifier.verify("Bearer " + theirs.serialize())
    assert (verified.consumer_key, verified.algorithm) == (CONSUMER_KEY, alg)
    assert verified.warnings == ()


def test_joserfc_tokens_verify_in_ours(signer) -> None:
    from joserfc import jwt
    from joserfc.jwk import ECKey, RSAKey

    alg, key, cert = signer
    their_key = (RSAKey if alg == "RS256" else ECKey).import_key(_pem(key))
    value = jwt.encode(mastercard_header(cert, alg=alg), claims(), their_key, algorithms=[alg])
    verifier = RequestTokenVerifier({CONSUMER_KEY: cert}, clock=lambda: NOW)
    verified = verifier.verify("Bearer " + value)
    assert verified.jti == claims()["jti"]
    assert verified.expires_at == NOW + 300


def test_a_jwcrypto_token_by_another_key_is_refused(rsa_key_2048, other_rsa_key_2048,
                                                    certificate) -> None:
    from jwcrypto import jwk, jwt

    from xbsec.errors import SignatureError

    theirs = jwt.JWT(header=mastercard_header(certificate), claims=claims())
    theirs.make_signed_token(jwk.JWK.from_pem(_pem(other_rsa_key_2048)))
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate}, clock=lambda: NOW)
    with pytest.raises(SignatureError):
        verifier.verify("Bearer " + theirs.serialize())
