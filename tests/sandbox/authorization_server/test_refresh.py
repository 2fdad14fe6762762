"""Refresh tokens: rotated on every use; a reuse within the window gets its own pair, a later
one revokes the family; 90 days from consent."""

from __future__ import annotations

import pytest

from tests.sandbox.authorization_server.conftest import PARTNER
from tests.sandbox.authorization_server.token_flow import assert_oauth_error, token, tokens_for
from xbsec.errors import AccessDeniedError
from xbsec.sandbox.authorization_server.oauth_errors import InvalidAccessTokenError

pytestmark = pytest.mark.anyio

BALANCES = f"/send/partners/{PARTNER}/crossborder/accounts"
DAY = 86_400


async def _refresh(http, client, clock, refresh_token, **form):
    return await token(http, client, clock.now, grant_type="refresh_token",
                       refresh_token=refresh_token, **form)


async def test_each_refresh_rotates_and_the_old_one_dies(http, keys, clock) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    seen = {tokens["refresh_token"]}
    current = tokens["refresh_token"]
    for _ in range(3):
        answer = await _refresh(http, keys.psd2, clock, current)
        assert answer.status_code == 200, answer.text
        current = answer.json()["refresh_token"]
        assert current not in seen
        seen.add(current)


async def test_reusing_a_rotated_refresh_token_revokes_the_family(http, keys, clock,
                                                                 validator) -> None:
    first = await tokens_for(http, keys.psd2, clock.now)
    second = (await _refresh(http, keys.psd2, clock, first["refresh_token"])).json()
    third = (await _refresh(http, keys.psd2, clock, second["refresh_token"])).json()
    assert validator.validate(third["access_token"], path=BALANCES)

    clock.advance(60)  # the reuse window is over
    reused = await _refresh(http, keys.psd2, clock, first["refresh_token"])
    description = assert_oauth_error(reused, "invalid_grant")
    # What happened, the rule, and what to do about it.
    assert "already used 60 s ago and replaced" in description
    assert "again only within 60 s of its first use" in description
    assert "Keep only the newest refresh token" in description
    assert "authorize again in the browser" in description
    # Everything descending from that consent is dead: the newest pair included.
    for access in (first["access_token"], second["access_token"], third["access_token"]):
        with pytest.raises(InvalidAccessTokenError):
            validator.validate(access, path=BALANCES)
    latest = await _refresh(http, keys.psd2, clock, third["refresh_token"])
    assert "revoked" in assert_oauth_error(latest, "invalid_grant")


async def test_a_revoked_family_leaves_other_consents_alone(http, keys, clock,
                                                            validator) -> None:
    other = await tokens_for(http, keys.psd2, clock.now)
    victim = await tokens_for(http, keys.psd2, clock.now)
    await _refresh(http, keys.psd2, clock, victim["refresh_token"])
    clock.advance(61)
    await _refresh(http, keys.psd2, clock, victim["refresh_token"])
    assert validator.validate(other["access_token"], path=BALANCES)
    assert (await _refresh(http, keys.psd2, clock, other["refresh_token"])).status_code == 200


async def test_two_workers_sharing_a_refresh_token_both_keep_the_grant(http, keys, clock,
                                                                      validator) -> None:
    # Two processes of a client that do not coordinate refresh with the same token.
    first = await tokens_for(http, keys.psd2, clock.now)
    one = await _refresh(http, keys.psd2, clock, first["refresh_token"])
    clock.advance(20)
    two = await _refresh(http, keys.psd2, clock, first["refresh_token"])
    assert (one.status_code, two.status_code) == (200, 200), two.text
    one_tokens, two_tokens = one.json(), two.json()
    assert one_tokens["refresh_token"] != two_tokens["refresh_token"]
    # Both end with the consent: a reuse extends nothing.
    assert two_tokens["refresh_token_expires_in"] == one_tokens["refresh_token_expires_in"] - 20
    for tokens in (one_tokens, two_tokens):  # each goes on with its own
        assert validator.validate(tokens["access_token"], path=BALANCES)
        clock.advance(1)
        assert (await _refresh(http, keys.psd2, clock,
                               tokens["refresh_token"])).status_code == 200


async def test_the_window_runs_from_the_first_rotation(http, keys, clock) -> None:
    first = await tokens_for(http, keys.psd2, clock.now)
    assert (await _refresh(http, keys.psd2, clock, first["refresh_token"])).status_code == 200
    clock.advance(59)
    assert (await _refresh(http, keys.psd2, clock, first["refresh_token"])).status_code == 200
    clock.advance(1)  # a reuse did not move the window
    late = await _refresh(http, keys.psd2, clock, first["refresh_token"])
    assert "already used 60 s ago" in assert_oauth_error(late, "invalid_grant")


async def test_a_reuse_window_of_0_is_strict_rotation(keys, store, clock) -> None:
    import httpx

    from xbsec.sandbox.authorization_server import AuthorizationServer, AuthorizationServerSettings

    settings = AuthorizationServerSettings(issuer="http://testserver",
                                           refresh_token_reuse_window=0)
    server = AuthorizationServer(keys.registry, store, settings=settings, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server),
                                 base_url="http://testserver") as http:
        first = await tokens_for(http, keys.psd2, clock.now)
        assert (await _refresh(http, keys.psd2, clock,
                               first["refresh_token"])).status_code == 200
        again = await _refresh(http, keys.psd2, clock, first["refresh_token"])
    description = assert_oauth_error(again, "invalid_grant")
    assert "already used 0 s ago and replaced (a refresh token works once)" in description


async def test_another_clients_reuse_is_not_accepted(http, keys, clock) -> None:
    first = await tokens_for(http, keys.psd2, clock.now)
    assert (await _refresh(http, keys.psd2, clock, first["refresh_token"])).status_code == 200
    theirs = await _refresh(http, keys.ec, clock, first["refresh_token"])
    assert "another client" in assert_oauth_error(theirs, "invalid_grant")


async def test_a_refresh_token_expires_90_days_after_consent(http, keys, clock) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    clock.advance(89 * DAY)
    rotated = await _refresh(http, keys.psd2, clock, tokens["refresh_token"])
    assert rotated.status_code == 200
    body = rotated.json()
    assert body["refresh_token_expires_in"] == DAY
    clock.advance(DAY)
    expired = await _refresh(http, keys.psd2, clock, body["refresh_token"])
    assert "expired" in assert_oauth_error(expired, "invalid_grant")


async def test_an_access_token_never_outlives_the_consent(http, keys, clock,
                                                         validator) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    clock.advance(90 * DAY - 100)
    body = (await _refresh(http, keys.psd2, clock, tokens["refresh_token"])).json()
    assert body["expires_in"] == 100
    clock.advance(100)
    with pytest.raises(InvalidAccessTokenError):
        validator.validate(body["access_token"], path=BALANCES)


async def test_someone_elses_refresh_token(http, keys, clock) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    stolen = await _refresh(http, keys.ec, clock, tokens["refresh_token"])
    assert_oauth_error(stolen, "invalid_grant")
    # Refused without rotating: the owner's token still works.
    assert (await _refresh(http, keys.psd2, clock, tokens["refresh_token"])).status_code == 200


@pytest.mark.parametrize("refresh_token", ["A" * 43, "short", None])
async def test_an_unknown_or_missing_refresh_token(http, keys, clock, refresh_token) -> None:
    answer = await _refresh(http, keys.psd2, clock, refresh_token)
    assert_oauth_error(answer, "invalid_grant" if refresh_token else "invalid_request")


async def test_an_access_token_is_not_a_refresh_token(http, keys, clock) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    assert_oauth_error(await _refresh(http, keys.psd2, clock, tokens["access_token"]),
                       "invalid_grant")


@pytest.mark.parametrize(("scope", "status"), [("balances", 200), ("payments", 400),
                                               ("balances payments", 400)])
async def test_the_scope_may_only_narrow(http, keys, clock, scope, status) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    answer = await _refresh(http, keys.psd2, clock, tokens["refresh_token"], scope=scope)
    if status == 200:
        assert answer.status_code == 200
        assert answer.json()["scope"] == "balances"
    else:
        assert_oauth_error(answer, "invalid_scope")


async def test_a_narrower_scope_applies_to_the_new_access_token(keys, store, clock) -> None:
    import httpx

    from xbsec.sandbox.authorization_server import (
        AuthorizationServer,
        AuthorizationServerSettings,
        StoredAccessTokenValidator,
    )

    settings = AuthorizationServerSettings(issuer="http://testserver",
                                           scopes=frozenset({"balances", "statements"}))
    server = AuthorizationServer(keys.registry, store, settings=settings, clock=clock)
    validator = StoredAccessTokenValidator(store, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server),
                                 base_url="http://testserver") as http:
        from tests.sandbox.authorization_server.flow import get_code, pkce_pair
        from tests.sandbox.authorization_server.token_flow import exchange

        verifier, challenge = pkce_pair()
        code = await get_code(http, keys.psd2.consumer_key, challenge, scope=None)
        granted = (await exchange(http, keys.psd2, clock.now, code, verifier)).json()
        assert granted["scope"] == "balances statements"
        narrow = (await _refresh(http, keys.psd2, clock, granted["refresh_token"],
                                 scope="statements")).json()
        assert narrow["scope"] == "statements"
        # The refresh token keeps the whole grant.
        wide = (await _refresh(http, keys.psd2, clock, narrow["refresh_token"])).json()
        assert wide["scope"] == "balances statements"
    with pytest.raises(AccessDeniedError, match="scope lacks balances"):
        validator.validate(narrow["access_token"], path=BALANCES)
    assert validator.validate(wide["access_token"], path=BALANCES) == keys.psd2.consumer_key
