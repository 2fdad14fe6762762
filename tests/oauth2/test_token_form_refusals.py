"""SPEC §5.4 steps 1-2: the token's form and header -> 401 INVALID_AUTH_HEADER.

Every token here is correctly signed by the registered key, so the refusal comes from the
rule under test; ``test_a_clean_forge_is_accepted`` shows the same forge passing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from xbsec import SecurityPolicy
from xbsec.errors import MalformedTokenError
from xbsec.oauth2 import RequestTokenVerifier

from .conftest import CONSUMER_KEY, NOW, claims, mastercard_header, refusal, status, token

MALFORMED = (401, "INVALID_AUTH_HEADER", "Gateway")


def _malformed(verifier, value) -> str:
    error = refusal(verifier, value)
    assert isinstance(error, MalformedTokenError)
    assert status(error) == MALFORMED
    return error.description


def test_a_clean_forge_is_accepted(verifier, rsa_key_2048, certificate) -> None:
    value = "Bearer " + token(mastercard_header(certificate), claims(), rsa_key_2048)
    assert verifier.verify(value).warnings == ()


@pytest.mark.parametrize("count", [1, 2, 4, 5])
def test_a_token_of_other_than_three_segments_is_401(verifier, minter, count) -> None:
    parts = minter.mint().split(".")
    value = ".".join((parts * 2)[:count])
    assert _malformed(verifier, f"Bearer {value}") == "the token is not three base64url segments"


def test_padded_base64url_is_401(verifier, minter) -> None:
    header, payload, signature = minter.mint().split(".")
    assert len(signature) % 4 == 2
    padded = f"{header}.{payload}.{signature}=="
    assert _malformed(verifier, f"Bearer {padded}") == "the JWS signature is not base64url"


@pytest.mark.parametrize("alg", ["none", "HS256", "RS384", "PS256", "ES512"])
def test_an_alg_outside_the_policy_is_401(verifier, rsa_key_2048, certificate, alg) -> None:
    value = token(mastercard_header(certificate, alg=alg), claims(), rsa_key_2048)
    assert _malformed(verifier, value) == f"the JWS alg {alg!r} is not accepted"


def test_alg_none_with_an_empty_signature_is_401(verifier, certificate) -> None:
    header = base64.urlsafe_b64encode(json.dumps(mastercard_header(certificate, alg="none"))
                                      .encode()).rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()
    assert _malformed(verifier, f"{header}.{payload}.") == "the JWS alg 'none' is not accepted"


def test_hs256_keyed_with_the_public_certificate_is_401(verifier, certificate) -> None:
    # The classic key-confusion attack: an HMAC whose secret is the public certificate.
    header = base64.urlsafe_b64encode(json.dumps(mastercard_header(certificate, alg="HS256"))
                                      .encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=")
    secret = mastercard_header(certificate)["x5c"][0].encode()
    mac = hmac.new(secret, header + b"." + payload, hashlib.sha256).digest()
    value = b".".join([header, payload, base64.urlsafe_b64encode(mac).rstrip(b"=")]).decode()
    assert _malformed(verifier, value) == "the JWS alg 'HS256' is not accepted"


def test_es256_is_401_when_the_policy_allows_only_rs256(ec_key, ec_certificate) -> None:
    policy = SecurityPolicy(request_token_algorithms=frozenset({"RS256"}))
    verifier = RequestTokenVerifier({CONSUMER_KEY: ec_certificate}, policy=policy,
                                    clock=lambda: NOW)
    value = token(mastercard_header(ec_certificate, alg="ES256"), claims(), ec_key)
    assert _malformed(verifier, value) == "the JWS alg 'ES256' is not accepted"


@pytest.mark.parametrize("kid", [..., None, "", 42, ["kid"]])
def test_a_missing_or_empty_kid_is_401(verifier, rsa_key_2048, certificate, kid) -> None:
    header = mastercard_header(certificate)
    if kid is ...:
        del header["kid"]
    else:
        header["kid"] = kid
    assert _malformed(verifier, token(header, claims(), rsa_key_2048)) == (
        "the request token has no kid (the consumer key)"
    )


@pytest.mark.parametrize("x5c", [None, [], "MIIB", [1], [None], {"0": "MIIB"}])
def test_an_x5c_that_is_not_a_list_of_strings_is_401(verifier, rsa_key_2048, certificate,
                                                     x5c) -> None:
    header = {**mastercard_header(certificate), "x5c": x5c}
    assert _malformed(verifier, token(header, claims(), rsa_key_2048)) == (
        "the request token's x5c is not a list of certificates"
    )


@pytest.mark.parametrize("x5t", [None, 1, ["abc"], {"a": 1}, True])
def test_an_x5t_that_is_not_a_string_is_401(verifier, rsa_key_2048, certificate, x5t) -> None:
    header = {**mastercard_header(certificate), "x5t#S256": x5t}
    assert _malformed(verifier, token(header, claims(), rsa_key_2048)) == (
        "the request token's x5t#S256 is not a string"
    )


@pytest.mark.parametrize("member", [{"crit": ["exp"]}, {"b64": False}])
def test_crit_and_b64_are_401(verifier, rsa_key_2048, certificate, member) -> None:
    header = {**mastercard_header(certificate), **member}
    assert "is not supported" in _malformed(verifier, token(header, claims(), rsa_key_2048))


def test_a_repeated_header_member_is_401(verifier, rsa_key_2048, certificate) -> None:
    raw = json.dumps(mastercard_header(certificate))[:-1] + ', "kid": "someone else"}'
    assert "distinct member names" in _malformed(verifier, token(raw.encode(), claims(),
                                                                 rsa_key_2048))


def test_a_token_over_the_policy_size_is_401(rsa_key_2048, certificate, minter) -> None:
    value = minter.mint()
    policy = SecurityPolicy(request_token_max_bytes=len(value) - 1)
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate}, policy=policy,
                                    clock=lambda: NOW)
    assert "longer than" in _malformed(verifier, value)
    roomy = RequestTokenVerifier({CONSUMER_KEY: certificate}, clock=lambda: NOW,
                                 policy=SecurityPolicy(request_token_max_bytes=len(value)))
    assert roomy.verify(value).consumer_key == CONSUMER_KEY
