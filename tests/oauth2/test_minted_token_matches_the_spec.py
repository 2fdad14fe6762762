"""A minted token is exactly what SPEC §5.2 and §12 describe, read by hand."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from xbsec.keys import jwk_thumbprint
from xbsec.oauth2 import RequestTokenMinter

from .conftest import CONSUMER_KEY, NOW


def _b64d(text: str) -> bytes:
    assert "=" not in text
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parts(token: str) -> tuple[bytes, bytes, bytes]:
    header, payload, signature = token.split(".")
    return _b64d(header), _b64d(payload), _b64d(signature)


def test_the_header_is_members_in_the_order_of_the_spec(minter, certificate) -> None:
    header, _, _ = _parts(minter.mint())
    der = certificate.public_bytes(serialization.Encoding.DER)
    expected = {
        "alg": "RS256",
        "typ": "JWT",
        "cty": "JWS",
        "x5t#S256": jwk_thumbprint(certificate),
        "x5c": [base64.b64encode(der).decode("ascii")],
        "kid": CONSUMER_KEY,
    }
    assert header == json.dumps(expected, separators=(",", ":")).encode("ascii")
    assert list(json.loads(header)) == ["alg", "typ", "cty", "x5t#S256", "x5c", "kid"]


def test_x5c_is_the_leaf_in_standard_base64_with_padding(minter, certificate) -> None:
    x5c = json.loads(_parts(minter.mint())[0])["x5c"]
    assert len(x5c) == 1
    assert base64.b64decode(x5c[0], validate=True) == certificate.public_bytes(
        serialization.Encoding.DER
    )


def test_kid_is_the_whole_consumer_key_with_its_bang(minter) -> None:
    assert json.loads(_parts(minter.mint())[0])["kid"] == CONSUMER_KEY
    assert "!" in CONSUMER_KEY


def test_the_claims_are_exp_nbf_iat_jti_and_nothing_else(minter) -> None:
    claims = json.loads(_parts(minter.mint())[1])
    assert list(claims) == ["exp", "nbf", "iat", "jti"]
    assert claims["iat"] == claims["nbf"] == NOW
    assert claims["exp"] == NOW + 900
    assert re.fullmatch(r"[0-9a-f]{32}", claims["jti"])
    assert not {"iss", "sub", "aud"} & set(claims)


def test_the_claims_are_compact_json(minter) -> None:
    payload = _parts(minter.mint())[1]
    assert payload == json.dumps(json.loads(payload), separators=(",", ":")).encode()


def test_jti_is_the_hex_of_16_bytes_from_the_random_source(rsa_key_2048, certificate) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, clock=lambda: NOW,
                                random_bytes=lambda n: bytes(range(n)))
    assert json.loads(_parts(minter.mint())[1])["jti"] == bytes(range(16)).hex()


def test_every_token_is_fresh(minter) -> None:
    jtis = {json.loads(_parts(minter.mint())[1])["jti"] for _ in range(50)}
    assert len(jtis) == 50


def test_the_clock_is_read_for_every_token(rsa_key_2048, certificate) -> None:
    now = [NOW + 0.9]
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, lifetime=300,
                                clock=lambda: now[0])
    first = json.loads(_parts(minter.mint())[1])
    now[0] = NOW + 61.2
    second = json.loads(_parts(minter.mint())[1])
    assert (first["iat"], first["exp"]) == (NOW, NOW + 300)
    assert (second["iat"], second["nbf"], second["exp"]) == (NOW + 61, NOW + 61, NOW + 361)


def test_backdate_moves_iat_and_nbf_and_keeps_the_lifetime(rsa_key_2048, certificate) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, lifetime=300,
                                backdate=60, clock=lambda: NOW)
    claims = json.loads(_parts(minter.mint())[1])
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (NOW - 60, NOW - 60, NOW + 240)


def test_x5t_may_carry_the_certificate_thumbprint_or_nothing(rsa_key_2048, certificate) -> None:
    der = certificate.public_bytes(serialization.Encoding.DER)
    cert_thumbprint = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=")
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, x5t="cert")
    assert json.loads(_parts(minter.mint())[0])["x5t#S256"] == cert_thumbprint.decode()
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, x5t="none")
    assert "x5t#S256" not in json.loads(_parts(minter.mint())[0])


def test_x5c_may_be_left_out(rsa_key_2048, certificate) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, include_x5c=False)
    assert list(json.loads(_parts(minter.mint())[0])) == ["alg", "typ", "cty", "x5t#S256",
                                                          "kid"]


def test_the_signature_is_rs256_over_the_first_two_segments(minter, rsa_key_2048) -> None:
    token = minter.mint()
    signing_input, _, signature = token.rpartition(".")
    rsa_key_2048.public_key().verify(_b64d(signature), signing_input.encode(),
                                     padding.PKCS1v15(), hashes.SHA256())


def test_an_ec_key_gives_an_es256_header(ec_key, ec_certificate) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, ec_key, ec_certificate)
    header, _, signature = _parts(minter.mint())
    assert json.loads(header)["alg"] == "ES256"
    assert json.loads(header)["x5t#S256"] == jwk_thumbprint(ec_certificate)
    assert len(signature) == 64


def test_the_authorization_header_is_bearer_and_one_space(minter) -> None:
    value = minter.authorization_header()
    assert value.startswith("Bearer ey")
    assert value.count(" ") == 1


@pytest.mark.parametrize("lifetime", [1, 300, 900])
def test_the_lifetime_is_exp_minus_iat(rsa_key_2048, certificate, lifetime) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, lifetime=lifetime,
                                clock=lambda: NOW)
    claims = json.loads(_parts(minter.mint())[1])
    assert claims["exp"] - claims["iat"] == lifetime
