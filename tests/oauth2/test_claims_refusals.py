"""SPEC §5.4 step 6: exp, nbf, iat within the skew and a bounded lifetime -> 401
INVALID_TIMESTAMP; claims that are not well-formed -> 401 INVALID_AUTH_HEADER."""

from __future__ import annotations

import pytest

from xbsec import SecurityPolicy
from xbsec.errors import MalformedTokenError, TimestampError
from xbsec.oauth2 import RequestTokenVerifier

from .conftest import CONSUMER_KEY, NOW, claims, mastercard_header, refusal, status, token

TIMESTAMP = (401, "INVALID_TIMESTAMP", "Gateway")
MALFORMED = (401, "INVALID_AUTH_HEADER", "Gateway")
SKEW = 60


@pytest.fixture
def sign(rsa_key_2048, certificate):
    def sign(body) -> str:
        return "Bearer " + token(mastercard_header(certificate), body, rsa_key_2048)

    return sign


def _timestamp(verifier, value) -> str:
    error = refusal(verifier, value)
    assert isinstance(error, TimestampError)
    assert status(error) == TIMESTAMP
    return error.description


def _malformed(verifier, value) -> str:
    error = refusal(verifier, value)
    assert isinstance(error, MalformedTokenError)
    assert status(error) == MALFORMED
    return error.description


def test_an_expired_token_is_401(verifier, sign) -> None:
    assert _timestamp(verifier, sign(claims(at=NOW - 400, lifetime=300))) == (
        "the request token has expired; mint a new one per request"
    )


def test_exp_is_accepted_until_the_skew_has_passed(verifier, sign) -> None:
    assert verifier.verify(sign(claims(at=NOW - 300 - SKEW + 1, lifetime=300)))
    assert "expired" in _timestamp(verifier, sign(claims(at=NOW - 300 - SKEW, lifetime=300)))


def test_a_token_not_valid_yet_is_401(verifier, sign) -> None:
    body = claims(nbf=NOW + SKEW + 1)
    assert _timestamp(verifier, sign(body)) == (
        f"the request token's nbf is {SKEW + 1} s ahead of the server's clock (accepted: "
        f"±{SKEW} s); set the sending machine's clock (NTP)"
    )
    assert verifier.verify(sign(claims(nbf=NOW + SKEW)))


def test_a_token_issued_in_the_future_is_401(verifier, sign) -> None:
    body = claims(at=NOW + SKEW + 1, nbf=...)
    assert _timestamp(verifier, sign(body)) == (
        f"the request token's iat is {SKEW + 1} s ahead of the server's clock (accepted: "
        f"±{SKEW} s); set the sending machine's clock (NTP)"
    )
    assert verifier.verify(sign(claims(at=NOW + SKEW, nbf=...)))


@pytest.mark.parametrize("lifetime", [901, 3600, 10**9])
def test_a_token_living_longer_than_the_maximum_is_401(verifier, sign, lifetime) -> None:
    assert _timestamp(verifier, sign(claims(lifetime=lifetime))) == (
        "the request token lives longer than 900 seconds (exp - iat)"
    )


def test_900_seconds_is_accepted(verifier, sign) -> None:
    assert verifier.verify(sign(claims(lifetime=900))).expires_at == NOW + 900


def test_the_maximum_lifetime_and_skew_come_from_the_policy(certificate, sign) -> None:
    policy = SecurityPolicy(request_token_max_lifetime=300, request_token_skew=0)
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate}, policy=policy,
                                    clock=lambda: NOW)
    assert verifier.verify(sign(claims(lifetime=300)))
    assert "longer than 300 seconds" in _timestamp(verifier, sign(claims(lifetime=301)))
    assert "iat is 1 s ahead" in _timestamp(verifier, sign(claims(at=NOW + 1, nbf=...)))


@pytest.mark.parametrize("body", [
    claims(lifetime=0),
    claims(lifetime=-5),
    claims(nbf=NOW + 30, lifetime=20),
    claims(nbf=NOW + 30, lifetime=30),
])
def test_a_token_that_expires_before_it_is_valid_is_401(verifier, sign, body) -> None:
    assert _timestamp(verifier, sign(body)) == (
        "the request token expires before it becomes valid"
    )


def test_fractional_numeric_dates_are_allowed(verifier, sign) -> None:
    verified = verifier.verify(sign(claims(at=NOW - 0.5, lifetime=299.5)))
    assert verified.issued_at == NOW - 0.5


@pytest.mark.parametrize("name", ["exp", "iat"])
def test_exp_and_iat_are_required(verifier, sign, name) -> None:
    assert _malformed(verifier, sign(claims(**{name: ...}))) == (
        "the request token must carry exp and iat"
    )


def test_nbf_and_jti_are_optional(verifier, sign) -> None:
    verified = verifier.verify(sign(claims(nbf=..., jti=...)))
    assert (verified.not_before, verified.jti) == (None, None)


@pytest.mark.parametrize("name", ["exp", "nbf", "iat"])
@pytest.mark.parametrize("value", [None, "1800000000", True, [NOW], {"t": NOW}])
def test_a_date_that_is_not_a_number_is_401(verifier, sign, name, value) -> None:
    assert _malformed(verifier, sign(claims(**{name: value}))) == (
        f"the request token's {name} is not a NumericDate"
    )


def test_an_infinite_date_is_401(verifier, rsa_key_2048, certificate) -> None:
    raw = b'{"exp":1e999,"iat":1800000000}'
    value = token(mastercard_header(certificate), raw, rsa_key_2048)
    assert _malformed(verifier, value) == "the request token's exp is not a NumericDate"


@pytest.mark.parametrize("jti", [None, 12, "", "x" * 257, ["a"]])
def test_a_jti_that_is_not_a_short_string_is_401(verifier, sign, jti) -> None:
    assert "jti must be a string of 1 to 256" in _malformed(verifier, sign(claims(jti=jti)))


def test_any_jti_string_is_accepted(verifier, sign) -> None:
    assert verifier.verify(sign(claims(jti="x" * 256))).jti == "x" * 256
    assert verifier.verify(sign(claims(jti="é"))).jti == "é"


@pytest.mark.parametrize("raw", [
    b"",
    b"[]",
    b'"claims"',
    b'{"exp":1800000300,"iat":1800000000',
    b'{"exp":1800000300,"iat":1800000000,"exp":1800000301}',
    b'{"exp":1800000300,"iat":NaN}',
    b"\xff",
])
def test_claims_that_are_not_one_json_object_are_401(verifier, rsa_key_2048, certificate,
                                                     raw) -> None:
    value = token(mastercard_header(certificate), raw, rsa_key_2048)
    assert "claims are not a JSON object" in _malformed(verifier, value)


def test_other_claims_are_ignored(verifier, sign) -> None:
    assert verifier.verify(sign(claims(iss="someone", aud=["x"], htm="POST")))
