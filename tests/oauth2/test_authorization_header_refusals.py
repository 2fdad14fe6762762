"""SPEC §5.4 step 1: the Authorization header must carry a token -> 401 INVALID_AUTH_HEADER."""

from __future__ import annotations

import pytest

from xbsec import SecurityPolicy
from xbsec.errors import InvalidAuthHeaderError, MalformedTokenError
from xbsec.oauth2 import RequestTokenVerifier

from .conftest import CONSUMER_KEY, NOW, refusal, status

MALFORMED = (401, "INVALID_AUTH_HEADER", "Gateway")


@pytest.fixture
def strict_verifier(certificate) -> RequestTokenVerifier:
    policy = SecurityPolicy(request_token_accept_bare=False)
    return RequestTokenVerifier({CONSUMER_KEY: certificate}, policy=policy, clock=lambda: NOW)


@pytest.mark.parametrize("authorization", [None, "", "   ", "\t"])
def test_a_missing_header_is_401(verifier, authorization) -> None:
    error = refusal(verifier, authorization)
    assert isinstance(error, MalformedTokenError)
    assert status(error) == MALFORMED
    assert error.description == "the Authorization header is missing"


def test_a_malformed_token_is_also_an_invalid_auth_header_error(verifier) -> None:
    # One except clause catches both schemes' header errors; the status tells them apart.
    error = refusal(verifier, None)
    assert isinstance(error, InvalidAuthHeaderError)
    assert InvalidAuthHeaderError.status == 400


@pytest.mark.parametrize("scheme", ["OAuth", "Basic", "Bearer:", "DPoP", "Token"])
def test_another_scheme_is_401(verifier, minter, scheme) -> None:
    error = refusal(verifier, f"{scheme} {minter.mint()}")
    assert status(error) == MALFORMED
    assert error.description == "the Authorization scheme must be Bearer"


@pytest.mark.parametrize("value", ["Bearer", "bearer", "Bearer ", "  Bearer  "])
def test_bearer_without_a_token_is_401(verifier, value) -> None:
    error = refusal(verifier, value)
    assert status(error) == MALFORMED
    assert error.description == "the Bearer token is empty"


def test_a_bare_token_is_401_when_the_policy_requires_bearer(strict_verifier, minter) -> None:
    error = refusal(strict_verifier, minter.mint())
    assert status(error) == MALFORMED
    assert error.description == "the Authorization header must be 'Bearer <token>'"


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer ", "BEARER ", "Bearer   ", " Bearer "])
def test_the_scheme_is_matched_without_case_and_spaces_may_repeat(strict_verifier, minter,
                                                                  prefix) -> None:
    assert strict_verifier.verify(prefix + minter.mint() + " ").consumer_key == CONSUMER_KEY


def test_a_header_that_is_not_text_is_401(verifier, minter) -> None:
    assert status(refusal(verifier, minter.authorization_header().encode())) == MALFORMED
