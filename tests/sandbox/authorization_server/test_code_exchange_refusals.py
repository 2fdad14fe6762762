"""Exchanging a code: every way it is refused (RFC 6749 §4.1.3, §5.2; RFC 7636 §4.6)."""

from __future__ import annotations

import pytest

from tests.sandbox.authorization_server.conftest import PARTNER
from tests.sandbox.authorization_server.flow import pkce_pair
from tests.sandbox.authorization_server.token_flow import (
    assert_oauth_error,
    code_and_verifier,
    exchange,
    token,
    tokens_for,
)
from xbsec.sandbox.authorization_server.oauth_errors import InvalidAccessTokenError

pytestmark = pytest.mark.anyio

BALANCES = f"/send/partners/{PARTNER}/crossborder/accounts"


async def test_a_reused_code_is_refused_and_revokes_its_tokens(http, keys, clock,
                                                              validator) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    first = await exchange(http, keys.psd2, clock.now, code, verifier)
    assert first.status_code == 200
    tokens = first.json()
    assert validator.validate(tokens["access_token"], path=BALANCES)

    again = await exchange(http, keys.psd2, clock.now, code, verifier)
    assert "already used" in assert_oauth_error(again, "invalid_grant")
    with pytest.raises(InvalidAccessTokenError) as refused:
        validator.validate(tokens["access_token"], path=BALANCES)
    assert refused.value.status == 401
    assert refused.value.reason_code == "INVALID_ACCESS_TOKEN"
    refresh = await token(http, keys.psd2, clock.now, grant_type="refresh_token",
                          refresh_token=tokens["refresh_token"])
    assert_oauth_error(refresh, "invalid_grant")


async def test_reuse_revokes_only_that_authorization(http, keys, clock, validator) -> None:
    other = await tokens_for(http, keys.psd2, clock.now)
    code, verifier = await code_and_verifier(http, keys.psd2)
    await exchange(http, keys.psd2, clock.now, code, verifier)
    await exchange(http, keys.psd2, clock.now, code, verifier)
    assert validator.validate(other["access_token"], path=BALANCES) == keys.psd2.consumer_key


async def test_a_pkce_mismatch(http, keys, clock) -> None:
    code, _ = await code_and_verifier(http, keys.psd2)
    wrong, _ = pkce_pair()
    answer = await exchange(http, keys.psd2, clock.now, code, wrong)
    assert "PKCE" in assert_oauth_error(answer, "invalid_grant")


async def test_a_failed_exchange_uses_the_code_up(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    wrong, _ = pkce_pair()
    assert_oauth_error(await exchange(http, keys.psd2, clock.now, code, wrong),
                       "invalid_grant")
    right = await exchange(http, keys.psd2, clock.now, code, verifier)
    assert "already used" in assert_oauth_error(right, "invalid_grant")


@pytest.mark.parametrize("verifier", ["short", "A" * 129, "A" * 42 + "!", "A" * 42 + "="])
async def test_a_malformed_verifier(http, keys, clock, verifier) -> None:
    code, good = await code_and_verifier(http, keys.psd2)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier)
    assert "code_verifier" in assert_oauth_error(answer, "invalid_request")
    # A syntax error is caught before the code is looked at: it still works.
    assert (await exchange(http, keys.psd2, clock.now, code, good)).status_code == 200


async def test_a_redirect_uri_other_than_the_authorization_requests(http, keys,
                                                                    clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    # Also registered (another loopback port), but not the one the code was issued for.
    answer = await exchange(http, keys.psd2, clock.now, code, verifier,
                            redirect_uri="http://127.0.0.1:9999/callback")
    assert "redirect_uri" in assert_oauth_error(answer, "invalid_grant")


async def test_an_expired_code(http, keys, clock, server) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    clock.advance(server.settings.code_lifetime)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier)
    assert "expired" in assert_oauth_error(answer, "invalid_grant")


async def test_a_code_just_before_expiry_works(http, keys, clock, server) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    clock.advance(server.settings.code_lifetime - 1)
    assert (await exchange(http, keys.psd2, clock.now, code, verifier)).status_code == 200


@pytest.mark.parametrize("code", ["A" * 43, "not a code", "x"])
async def test_an_unknown_code(http, keys, clock, code) -> None:
    _, verifier = pkce_pair()
    assert_oauth_error(await exchange(http, keys.psd2, clock.now, code, verifier),
                       "invalid_grant")


async def test_another_clients_code(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    stolen = await exchange(http, keys.ec, clock.now, code, verifier)
    assert_oauth_error(stolen, "invalid_grant")
    # The thief's attempt does not use the code up for its owner.
    assert (await exchange(http, keys.psd2, clock.now, code, verifier)).status_code == 200


@pytest.mark.parametrize("missing", ["code", "redirect_uri", "code_verifier"])
async def test_a_missing_parameter(http, keys, clock, missing) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier, **{missing: None})
    assert missing in assert_oauth_error(answer, "invalid_request")


@pytest.mark.parametrize("grant_type", ["password", "client_credentials", "implicit",
                                        "urn:ietf:params:oauth:grant-type:jwt-bearer"])
async def test_an_unsupported_grant_type(http, keys, clock, grant_type) -> None:
    answer = await token(http, keys.psd2, clock.now, grant_type=grant_type)
    assert_oauth_error(answer, "unsupported_grant_type")


async def test_a_missing_grant_type(http, keys, clock) -> None:
    answer = await token(http, keys.psd2, clock.now)
    assert "grant_type" in assert_oauth_error(answer, "invalid_request")


async def test_the_client_must_be_a_psd2_consumer(http, keys, clock) -> None:
    answer = await token(http, keys.oauth1, clock.now, grant_type="authorization_code",
                         code="A" * 43, redirect_uri="x", code_verifier="B" * 43)
    assert_oauth_error(answer, "unauthorized_client")
