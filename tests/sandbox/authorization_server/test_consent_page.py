"""The consent page: what it says, how it escapes, and how its form is protected."""

from __future__ import annotations

import pytest

from tests.sandbox.authorization_server.conftest import (
    ACCOUNTS,
    OTHER_PARTNER,
    PARTNER,
    REGISTERED_WITH_QUERY,
)
from tests.sandbox.authorization_server.flow import (
    authorize_params,
    consent,
    decide,
    pkce_pair,
    query_of,
    read_consent,
)

pytestmark = pytest.mark.anyio


async def test_the_page_names_the_client_the_partner_and_its_accounts(http, keys) -> None:
    _, challenge = pkce_pair()
    page = await http.get("/oauth2/authorize",
                          params=authorize_params(keys.psd2.consumer_key, challenge))
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    form = read_consent(page.text)
    assert keys.psd2.consumer_key[:8] + "…" in form.text
    assert PARTNER in form.text
    for account in ACCOUNTS:
        assert account in form.text
    assert form.method == "post"
    assert form.action == "/oauth2/authorize"
    buttons = {b["id"]: (b["name"], b["value"]) for b in form.buttons}
    assert buttons == {"approve": ("decision", "approve"), "deny": ("decision", "deny")}
    assert form.hidden["client_id"] == keys.psd2.consumer_key
    assert form.hidden["code_challenge"] == challenge
    assert form.hidden["state"] == "state-123"
    assert form.hidden["partner_id"] == PARTNER
    assert len(form.hidden["csrf_token"]) >= 43


async def test_a_partner_without_listed_accounts_reads_all_accounts(http, keys) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.multi.consumer_key, challenge,
                                                partner_id=OTHER_PARTNER))
    assert f"All accounts of partner {OTHER_PARTNER}" in form.text


async def test_the_page_cannot_be_framed_cached_or_scripted(http, keys) -> None:
    _, challenge = pkce_pair()
    page = await http.get("/oauth2/authorize",
                          params=authorize_params(keys.psd2.consumer_key, challenge))
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy
    assert "<script" not in page.text


EVIL_STATES = ['"><script>alert(1)</script>', "<b>&amp;'\"", "a' onmouseover='x"]


@pytest.mark.parametrize("state", EVIL_STATES)
async def test_an_evil_state_is_escaped_and_comes_back_intact(http, keys, state) -> None:
    _, challenge = pkce_pair()
    page = await http.get("/oauth2/authorize", params=authorize_params(
        keys.psd2.consumer_key, challenge, state=state))
    assert page.status_code == 200
    assert state not in page.text
    assert "<script>" not in page.text
    form = read_consent(page.text)
    assert form.hidden["state"] == state  # the browser decodes the escaped value back
    answer = await decide(http, form, "approve")
    assert query_of(answer.headers["location"])["state"] == state


async def test_the_page_shows_where_the_browser_returns_escaped(http, keys) -> None:
    _, challenge = pkce_pair()
    page = await http.get("/oauth2/authorize", params=authorize_params(
        keys.psd2.consumer_key, challenge, redirect_uri=REGISTERED_WITH_QUERY))
    assert "https://client.example/cb?tenant=7&amp;lang=en" in page.text
    assert read_consent(page.text).hidden["redirect_uri"] == REGISTERED_WITH_QUERY


async def test_the_csrf_token_is_single_use(http, keys) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    assert (await decide(http, form, "approve")).status_code == 302
    again = await decide(http, form, "approve")
    assert again.status_code == 400
    assert "location" not in again.headers
    assert "already answered" in again.text


async def test_a_made_up_csrf_token_is_refused(http, keys) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    form.hidden["csrf_token"] = "A" * 43
    answer = await decide(http, form, "approve")
    assert answer.status_code == 400
    assert "location" not in answer.headers


async def test_a_form_without_csrf_token_is_refused(http, keys) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    del form.hidden["csrf_token"]
    answer = await decide(http, form, "approve")
    assert answer.status_code == 400
    assert "location" not in answer.headers


@pytest.mark.parametrize(("field", "value"), [
    ("code_challenge", "B" * 43),
    ("redirect_uri", "http://127.0.0.1:9999/callback"),
    ("partner_id", "SOMEONE_ELSE"),
    ("state", "another"),
])
async def test_a_tampered_hidden_field_is_refused(http, keys, field, value) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    form.hidden[field] = value
    answer = await decide(http, form, "approve")
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "does not match" in answer.text


async def test_the_form_expires(http, keys, clock, server) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    clock.advance(server.settings.consent_lifetime + 1)
    answer = await decide(http, form, "approve")
    assert answer.status_code == 400
    assert "expired" in answer.text


@pytest.mark.parametrize("decision", [None, "maybe", "APPROVE"])
async def test_a_decision_must_be_approve_or_deny(http, keys, decision) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    data = dict(form.hidden)
    if decision is not None:
        data["decision"] = decision
    answer = await http.post("/oauth2/authorize", data=data)
    assert answer.status_code == 400
    assert "location" not in answer.headers
    # A wrong button does not use the form up.
    assert (await decide(http, form, "approve")).status_code == 302


async def test_a_decision_that_is_not_a_form_is_refused(http, keys) -> None:
    answer = await http.post("/oauth2/authorize", json={"decision": "approve"})
    assert answer.status_code == 400
    assert "location" not in answer.headers
