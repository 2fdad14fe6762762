"""The token endpoint protocol without HTTP: the forms sent, and every kind of answer."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest

from tests.clocks import Clock
from tests.oauth2.conftest import CLIENT_ID
from xbsec.errors import LoginRequiredError, TokenEndpointError
from xbsec.jose.jws import jws_verify
from xbsec.oauth2.client_assertion import ClientAssertionMinter
from xbsec.oauth2.token_endpoint import TokenEndpoint, TokenRequest
from xbsec.oauth2.token_set import TokenSet

TOKEN_URL = "https://xbs.example/oauth2/token"
GOOD = {"access_token": "at-1", "token_type": "Bearer", "expires_in": 900,
        "refresh_token": "rt-1", "scope": "balances", "refresh_token_expires_in": 7776000}


@pytest.fixture
def proto(signing_key: Any, clock: Clock) -> TokenEndpoint:
    return TokenEndpoint(TOKEN_URL, ClientAssertionMinter(CLIENT_ID, signing_key),
                         login_command="xbsec oauth2 login --profile eu", clock=clock)


def form(request: TokenRequest) -> dict[str, str]:
    pairs = parse_qsl(request.body.decode("ascii"), strict_parsing=True)
    assert len(dict(pairs)) == len(pairs)
    return dict(pairs)


def code_request(proto: TokenEndpoint) -> TokenRequest:
    return proto.authorization_code_request("the-code", redirect_uri="http://127.0.0.1:1/callback",
                                            code_verifier="v" * 43)


def answer(proto: TokenEndpoint, request: TokenRequest, status: int, body: Any,
           previous: TokenSet | None = None, content_type: str = "application/json") -> TokenSet:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return proto.read_response(request, status, content_type, raw, previous=previous)


# -- forms --------------------------------------------------------------------------------

def test_the_code_form_has_the_grant_pkce_and_a_client_assertion(proto: TokenEndpoint,
                                                                 signing_key: Any) -> None:
    request = code_request(proto)
    assert request.url == TOKEN_URL
    assert request.headers == {"Content-Type": "application/x-www-form-urlencoded",
                               "Accept": "application/json"}
    sent = form(request)
    assertion = sent.pop("client_assertion")
    assert sent == {"grant_type": "authorization_code", "code": "the-code",
                    "redirect_uri": "http://127.0.0.1:1/callback", "code_verifier": "v" * 43,
                    "client_id": CLIENT_ID,
                    "client_assertion_type":
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    _, payload = jws_verify(assertion, signing_key.public_key(), algorithms={"RS256"})
    claims = json.loads(payload)
    assert claims["aud"] == TOKEN_URL
    assert claims["iss"] == claims["sub"] == CLIENT_ID


def test_the_refresh_form_has_the_refresh_token_and_a_new_assertion(
        proto: TokenEndpoint) -> None:
    first, second = proto.refresh_request("rt-1"), proto.refresh_request("rt-1", scope="balances")
    assert {k: v for k, v in form(first).items() if k != "client_assertion"} == {
        "grant_type": "refresh_token", "refresh_token": "rt-1", "client_id": CLIENT_ID,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    assert form(second)["scope"] == "balances"
    assert form(first)["client_assertion"] != form(second)["client_assertion"]


def test_the_request_repr_hides_the_form(proto: TokenEndpoint) -> None:
    assert "rt-secret" not in repr(proto.refresh_request("rt-secret"))


# -- good answers -------------------------------------------------------------------------

def test_a_good_answer_gives_absolute_expiry_times(proto: TokenEndpoint, clock: Clock) -> None:
    request = code_request(proto)
    tokens = answer(proto, request, 200, GOOD)
    assert tokens.access_token == "at-1"
    assert tokens.refresh_token == "rt-1"
    assert tokens.expires_at == clock.now + 900
    assert tokens.refresh_expires_at == clock.now + 7776000
    assert tokens.obtained_at == clock.now
    assert tokens.scope == "balances"
    assert (tokens.token_url, tokens.client_id) == (TOKEN_URL, CLIENT_ID)
    assert "at-1" not in repr(tokens)
    assert "rt-1" not in repr(tokens)


def test_lifetimes_count_from_when_the_request_was_made(proto: TokenEndpoint,
                                                        clock: Clock) -> None:
    request = code_request(proto)
    made = clock.now
    clock.advance(5)
    assert answer(proto, request, 200, GOOD).expires_at == made + 900


def test_token_type_is_case_insensitive(proto: TokenEndpoint) -> None:
    assert answer(proto, code_request(proto), 200, {**GOOD, "token_type": "bearer"})


def test_without_refresh_expiry_the_server_decides(proto: TokenEndpoint) -> None:
    body = {k: v for k, v in GOOD.items() if k != "refresh_token_expires_in"}
    assert answer(proto, code_request(proto), 200, body).refresh_expires_at is None


def test_without_scope_the_requested_one_is_kept(proto: TokenEndpoint) -> None:
    body = {k: v for k, v in GOOD.items() if k != "scope"}
    request = proto.refresh_request("rt-0", scope="balances")
    assert answer(proto, request, 200, body).scope == "balances"


def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one(proto: TokenEndpoint,
                                                                 clock: Clock) -> None:
    previous = TokenSet(access_token="at-0", expires_at=clock.now, obtained_at=clock.now - 900,
                        refresh_token="rt-0", refresh_expires_at=clock.now + 100,
                        scope="balances")
    body = {"access_token": "at-2", "token_type": "Bearer", "expires_in": 900}
    tokens = answer(proto, proto.refresh_request("rt-0"), 200, body, previous)
    assert (tokens.access_token, tokens.refresh_token) == ("at-2", "rt-0")
    assert tokens.refresh_expires_at == clock.now + 100
    assert tokens.scope == "balances"


# -- RFC 6749 §5.2 errors -----------------------------------------------------------------

@pytest.mark.parametrize(("status", "error"), [
    (400, "invalid_request"), (401, "invalid_client"), (400, "invalid_grant"),
    (400, "unauthorized_client"), (400, "unsupported_grant_type"), (400, "invalid_scope")])
def test_each_error_of_the_code_grant_is_a_token_endpoint_error(proto: TokenEndpoint,
                                                                status: int,
                                                                error: str) -> None:
    with pytest.raises(TokenEndpointError) as caught:
        answer(proto, code_request(proto), status,
               {"error": error, "error_description": "why it failed"})
    refused = caught.value
    assert not isinstance(refused, LoginRequiredError)
    assert (refused.status, refused.error, refused.error_description) == (
        status, error, "why it failed")
    assert f"HTTP {status} {error}: why it failed" in str(refused)


@pytest.mark.parametrize(("status", "error"), [
    (400, "invalid_request"), (401, "invalid_client"), (400, "unauthorized_client"),
    (400, "unsupported_grant_type"), (400, "invalid_scope")])
def test_errors_of_a_refresh_other_than_invalid_grant_do_not_ask_for_a_login(
        proto: TokenEndpoint, status: int, error: str) -> None:
    with pytest.raises(TokenEndpointError) as caught:
        answer(proto, proto.refresh_request("rt"), status, {"error": error})
    assert caught.value.error == error


def test_invalid_grant_on_a_refresh_asks_for_a_new_login(proto: TokenEndpoint) -> None:
    with pytest.raises(LoginRequiredError) as caught:
        answer(proto, proto.refresh_request("rt"), 400,
               {"error": "invalid_grant", "error_description": "revoked"})
    assert str(caught.value).startswith("the refresh token has expired or was revoked")
    assert str(caught.value).endswith("run `xbsec oauth2 login --profile eu` again")
    assert (caught.value.error, caught.value.error_description) == ("invalid_grant", "revoked")


def test_an_error_description_is_cleaned_and_cut(proto: TokenEndpoint) -> None:
    with pytest.raises(TokenEndpointError) as caught:
        answer(proto, code_request(proto), 400,
               {"error": "invalid_request", "error_description": "a\nb" + "x" * 500})
    assert caught.value.error_description is not None
    assert caught.value.error_description.startswith("a?b")
    assert len(caught.value.error_description) == 201


@pytest.mark.parametrize(("status", "body", "content_type", "said"), [
    (502, b"<html>proxy says rt-secret</html>", "text/html", "a 33-byte body (text/html)"),
    (400, b"", "application/json", "an empty body (application/json)"),
    (400, b'{"message":"no"}', "application/json", "a 16-byte body (application/json)"),
    (401, b'["invalid_client"]', None, "a 18-byte body (no Content-Type)"),
])
def test_an_error_that_is_not_rfc_6749_is_described_not_quoted(
        proto: TokenEndpoint, status: int, body: bytes, content_type: str | None,
        said: str) -> None:
    with pytest.raises(TokenEndpointError) as caught:
        proto.read_response(proto.refresh_request("rt"), status, content_type, body)
    assert said in str(caught.value)
    assert "rt-secret" not in str(caught.value)
    assert caught.value.status == status
    assert caught.value.error is None


# -- unusable 200s ------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "said"), [
    (b"not json", "a 8-byte body"),
    (b'{"access_token":"a","access_token":"b"}', "not a JSON object"),
    (b"[1]", "not a JSON object"),
    (b"", "an empty body"),
])
def test_a_200_that_is_not_a_json_object_is_refused(proto: TokenEndpoint, body: bytes,
                                                    said: str) -> None:
    with pytest.raises(TokenEndpointError, match=said) as caught:
        answer(proto, code_request(proto), 200, body)
    assert caught.value.status == 200


@pytest.mark.parametrize(("change", "said"), [
    ({"access_token": None}, "access_token is missing"),
    ({"access_token": ""}, "access_token is missing"),
    ({"access_token": 12}, "access_token is missing"),
    ({"access_token": "at\r\nX-Evil: 1"}, "characters a Bearer header cannot carry"),
    ({"access_token": "a b"}, "characters a Bearer header cannot carry"),
    ({"token_type": None}, "token_type is missing"),
    ({"token_type": "mac"}, "token_type is 'mac', not Bearer"),
    ({"expires_in": None}, "expires_in is missing"),
    ({"expires_in": 0}, "expires_in"),
    ({"expires_in": "900"}, "expires_in"),
    ({"expires_in": True}, "expires_in"),
    ({"refresh_token": None}, "refresh_token is missing"),
    ({"refresh_token": "rt\n"}, "refresh_token is not a string of printable ASCII"),
    ({"refresh_token": 5}, "refresh_token is not a string"),
    ({"refresh_token_expires_in": -1}, "refresh_token_expires_in"),
    ({"scope": ["balances"]}, "scope is not a string"),
])
def test_a_200_missing_or_breaking_a_field_is_refused_clearly(proto: TokenEndpoint,
                                                              change: dict[str, Any],
                                                              said: str) -> None:
    body = {**GOOD, **change}
    body = {k: v for k, v in body.items() if v is not None}
    with pytest.raises(TokenEndpointError, match=said):
        answer(proto, code_request(proto), 200, body)


def test_a_refresh_answer_without_refresh_token_needs_a_previous_set(
        proto: TokenEndpoint) -> None:
    body = {"access_token": "at-2", "token_type": "Bearer", "expires_in": 900}
    with pytest.raises(TokenEndpointError, match="refresh_token is missing"):
        answer(proto, proto.refresh_request("rt"), 200, body)


def test_a_201_is_not_a_token_answer(proto: TokenEndpoint) -> None:
    with pytest.raises(TokenEndpointError, match="HTTP 201"):
        answer(proto, code_request(proto), 201, GOOD)
