"""The whole authorization code flow, by hand: consent, code, tokens, the gateway's check."""

from __future__ import annotations

import pytest

from tests.sandbox.authorization_server.conftest import PARTNER, REGISTERED_WITH_QUERY
from tests.sandbox.authorization_server.flow import (
    ASSERTION_TYPE,
    REDIRECT_URI,
    authorize_params,
    consent,
    decide,
    get_code,
    pkce_pair,
    query_of,
)

pytestmark = pytest.mark.anyio

BALANCES = f"/send/partners/{PARTNER}/crossborder/accounts"


@pytest.mark.parametrize("which", ["psd2", "ec"], ids=["RS256", "ES256"])
async def test_code_for_tokens_then_balance_access(http, keys, clock, validator,
                                                   which) -> None:
    client = getattr(keys, which)
    verifier, challenge = pkce_pair()
    form = await consent(http, authorize_params(client.consumer_key, challenge))
    answer = await decide(http, form, "approve")
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    returned = query_of(location)
    assert set(returned) == {"code", "state", "iss"}  # iss: RFC 9207
    assert returned["state"] == "state-123"

    tokens = await http.post("/oauth2/token", data={
        "grant_type": "authorization_code", "code": returned["code"],
        "redirect_uri": REDIRECT_URI, "code_verifier": verifier,
        "client_id": client.consumer_key, "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client.assertion(clock.now)})
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["cache-control"] == "no-store"
    assert tokens.headers["content-type"].startswith("application/json")
    body = tokens.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "scope",
                         "refresh_token_expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["scope"] == "balances"
    assert body["refresh_token_expires_in"] == 90 * 86400
    assert len(body["access_token"]) >= 43  # 256 bits in base64url
    assert len(body["refresh_token"]) >= 43
    assert body["access_token"] != body["refresh_token"]

    assert validator.validate(body["access_token"], path=BALANCES) == client.consumer_key
    assert validator.validate(body["access_token"], path=BALANCES + "/ACC1") \
        == client.consumer_key


async def test_refresh_gives_a_new_pair_that_works(http, keys, clock, validator) -> None:
    verifier, challenge = pkce_pair()
    code = await get_code(http, keys.psd2.consumer_key, challenge)
    first = (await http.post("/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier, "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": keys.psd2.assertion(clock.now)})).json()
    clock.advance(600)
    second = await http.post("/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"],
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": keys.psd2.assertion(clock.now)})
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["refresh_token"] != first["refresh_token"]
    assert body["access_token"] != first["access_token"]
    assert body["expires_in"] == 900
    # The consent's 90 days run from the code exchange, not from this refresh.
    assert body["refresh_token_expires_in"] == 90 * 86400 - 600
    assert validator.validate(body["access_token"], path=BALANCES) == keys.psd2.consumer_key
    # The earlier access token lives out its 15 minutes.
    assert validator.validate(first["access_token"], path=BALANCES) == keys.psd2.consumer_key


async def test_a_deny_redirects_access_denied_with_the_state(http, keys) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge,
                                                state="s t&a=te"))
    answer = await decide(http, form, "deny")
    assert answer.status_code == 302
    returned = query_of(answer.headers["location"])
    assert returned["error"] == "access_denied"
    assert returned["state"] == "s t&a=te"
    assert "code" not in returned


async def test_a_registered_query_is_kept_in_the_redirect(http, keys) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(
        keys.psd2.consumer_key, challenge, redirect_uri=REGISTERED_WITH_QUERY))
    answer = await decide(http, form, "approve")
    location = answer.headers["location"]
    assert location.startswith(REGISTERED_WITH_QUERY + "&code=")
    assert query_of(location)["tenant"] == "7"
    assert query_of(location)["lang"] == "en"
