"""Edges: a registry that changes under a consent page, certificates that expire, a busy
database at the consent page, a client that goes away, the ASGI lifespan."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.authorization_server.flow import (
    authorize_params,
    consent,
    decide,
    get_code,
    pkce_pair,
)
from tests.sandbox.authorization_server.token_flow import (
    assert_oauth_error,
    code_and_verifier,
    exchange,
)
from xbsec.sandbox.authorization_server import AuthorizationServer, AuthorizationServerSettings
from xbsec.sandbox.authorization_server.oauth_errors import TemporarilyUnavailableError
from xbsec.sandbox.authorization_server.pkce import verifier_matches
from xbsec.server.registry import Registry

pytestmark = pytest.mark.anyio


async def test_a_client_removed_while_its_page_is_shown(http, keys, server) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    server.registry = Registry([c for c in keys.registry
                                if c.consumer_key != keys.psd2.consumer_key])
    answer = await decide(http, form, "approve")
    assert answer.status_code == 400
    assert "location" not in answer.headers


async def test_an_expired_signing_certificate(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    clock.advance(400 * 86_400)  # the test certificates are valid for 365 days
    answer = await exchange(http, keys.psd2, clock.now, code, verifier)
    assert "not valid now" in assert_oauth_error(answer, "invalid_client")


async def test_a_busy_database_at_the_consent_answer(http, keys, server, monkeypatch) -> None:
    def busy(*args: object, **kwargs: object) -> None:
        raise TemporarilyUnavailableError("the token database is busy; try again")

    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    monkeypatch.setattr(server.store, "answer_consent", busy)
    answer = await decide(http, form, "approve")
    assert answer.status_code == 503
    assert "busy" in answer.text
    assert "location" not in answer.headers
    monkeypatch.undo()  # the form was not used up: it can be answered once the store is back
    assert (await decide(http, form, "approve")).status_code == 302


async def test_a_refresh_cannot_widen_a_narrow_grant(keys, store, clock) -> None:
    from tests.sandbox.authorization_server.test_refresh import _refresh

    settings = AuthorizationServerSettings(issuer="http://testserver",
                                           scopes=frozenset({"balances", "statements"}))
    server = AuthorizationServer(keys.registry, store, settings=settings, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server),
                                 base_url="http://testserver") as http:
        verifier, challenge = pkce_pair()
        code = await get_code(http, keys.psd2.consumer_key, challenge, scope="balances")
        granted = (await exchange(http, keys.psd2, clock.now, code, verifier)).json()
        assert granted["scope"] == "balances"
        wider = await _refresh(http, keys.psd2, clock, granted["refresh_token"],
                               scope="balances statements")
    assert_oauth_error(wider, "invalid_scope")


async def test_a_client_that_goes_away_mid_body(server) -> None:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/oauth2/token", "headers": [
        (b"content-type", b"application/x-www-form-urlencoded")], "query_string": b""}
    await server(scope, receive, send)
    assert sent[0]["status"] == 400


async def test_the_lifespan_is_answered(server) -> None:
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[str] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message["type"])

    await server({"type": "lifespan"}, receive, send)
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_a_malformed_verifier_never_matches() -> None:
    assert not verifier_matches("short", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
