"""StoredAccessTokenValidator: what the gateway asks about a Balance API access token."""

from __future__ import annotations

import sqlite3

import pytest

from tests.sandbox.authorization_server.conftest import OTHER_PARTNER, PARTNER
from tests.sandbox.authorization_server.token_flow import tokens_for
from xbsec.errors import (
    AccessDeniedError,
    InsufficientScopeError,
    RefusedError,
    ServiceUnavailableError,
)
from xbsec.sandbox.authorization_server import StoredAccessTokenValidator
from xbsec.sandbox.authorization_server.oauth_errors import InvalidAccessTokenError
from xbsec.sandbox.authorization_server.tokens import secret_hash
from xbsec.server.registry import Registry

pytestmark = pytest.mark.anyio

BALANCES = f"/send/partners/{PARTNER}/crossborder/accounts"


async def test_a_good_token(http, keys, clock, validator) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    for path in (BALANCES, BALANCES + "/", BALANCES + "/ACC123"):
        assert validator.validate(tokens["access_token"], path=path) == keys.psd2.consumer_key


async def test_an_expired_token(http, keys, clock, validator) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    clock.advance(899)
    assert validator.validate(tokens["access_token"], path=BALANCES)
    clock.advance(1)
    with pytest.raises(InvalidAccessTokenError, match="expired") as refused:
        validator.validate(tokens["access_token"], path=BALANCES)
    assert refused.value.status == 401
    assert refused.value.reason_code == "INVALID_ACCESS_TOKEN"
    assert refused.value.source == "Gateway"


async def test_a_revoked_token(http, keys, clock, validator, store) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    assert store.revoke_authorization_of(secret_hash(tokens["access_token"]), now=clock.now)
    with pytest.raises(InvalidAccessTokenError, match="unknown or revoked"):
        validator.validate(tokens["access_token"], path=BALANCES)


@pytest.mark.parametrize("token", ["A" * 43, "", "x", "A" * 44, "A" * 42 + "=", "é" * 43])
async def test_an_unknown_or_malformed_token(validator, token) -> None:
    with pytest.raises(InvalidAccessTokenError, match="unknown or revoked"):
        validator.validate(token, path=BALANCES)


async def test_a_refresh_token_is_not_an_access_token(http, keys, clock, validator) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    with pytest.raises(InvalidAccessTokenError):
        validator.validate(tokens["refresh_token"], path=BALANCES)


@pytest.mark.parametrize("path", [
    f"/send/partners/{OTHER_PARTNER}/crossborder/accounts",
    f"/send/partners/{PARTNER}X/crossborder/accounts",
    f"/send/partners/{PARTNER}/crossborder/quotes",
    f"/send/partners/{PARTNER}/crossborder/accounts/a/b",
    "/send/partners//crossborder/accounts",
    "/",
])
async def test_a_path_of_another_partner_or_api(http, keys, clock, validator, path) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    with pytest.raises(InsufficientScopeError) as refused:
        validator.validate(tokens["access_token"], path=path)
    assert refused.value.reason_code == "DECLINED"
    assert refused.value.status == 403  # RFC 6750 insufficient_scope: refreshing won't help
    assert refused.value.scope == "balances"


async def test_a_percent_encoded_partner_is_decoded(http, keys, clock, validator) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    encoded = "".join(f"%{ord(c):02X}" for c in PARTNER)
    path = f"/send/partners/{encoded}/crossborder/accounts"
    assert validator.validate(tokens["access_token"], path=path) == keys.psd2.consumer_key


async def test_a_consumer_removed_from_the_registry(http, keys, clock, store) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    others = [c for c in keys.registry if c.consumer_key != keys.psd2.consumer_key]
    validator = StoredAccessTokenValidator(store, registry=Registry(others), clock=clock)
    with pytest.raises(AccessDeniedError):
        validator.validate(tokens["access_token"], path=BALANCES)


async def test_a_database_that_cannot_be_read_fails_closed(http, keys, clock, store,
                                                           monkeypatch) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)

    def broken(token_hash: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "access_token", broken)
    validator = StoredAccessTokenValidator(store, clock=clock)
    with pytest.raises(ServiceUnavailableError) as refused:
        validator.validate(tokens["access_token"], path=BALANCES)
    assert refused.value.status == 503


async def test_refusals_never_quote_the_token(http, keys, clock, validator) -> None:
    tokens = await tokens_for(http, keys.psd2, clock.now)
    clock.advance(10_000)
    for token in (tokens["access_token"], "A" * 43):
        with pytest.raises(RefusedError) as refused:
            validator.validate(token, path=BALANCES)
        assert token not in str(refused.value)
        assert token[:8] not in refused.value.description
