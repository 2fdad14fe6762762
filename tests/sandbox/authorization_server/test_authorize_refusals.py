"""Authorization requests that are refused: a page when the redirect cannot be trusted, a
redirect with the RFC 6749 error otherwise."""

from __future__ import annotations

import pytest

from tests.sandbox.authorization_server.conftest import OTHER_PARTNER, PARTNER
from tests.sandbox.authorization_server.flow import (
    REDIRECT_URI,
    authorize_params,
    pkce_pair,
    query_of,
)

pytestmark = pytest.mark.anyio


async def _refused_page(http, params) -> str:
    answer = await http.get("/oauth2/authorize", params=params)
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert answer.headers["content-type"].startswith("text/html")
    assert "<form" not in answer.text
    return answer.text


async def _redirected_error(http, params) -> dict[str, str]:
    answer = await http.get("/oauth2/authorize", params=params)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(params["redirect_uri"] + "?")
    returned = query_of(location)
    assert "code" not in returned
    return returned


# -- never redirected ---------------------------------------------------------------------

async def test_an_unknown_client_gets_a_page(http) -> None:
    _, challenge = pkce_pair()
    text = await _refused_page(http, authorize_params("nobody!123", challenge))
    assert "not registered" in text


async def test_a_missing_client_id_gets_a_page(http, keys) -> None:
    _, challenge = pkce_pair()
    params = authorize_params(keys.psd2.consumer_key, challenge)
    del params["client_id"]
    await _refused_page(http, params)


async def test_a_client_that_is_not_psd2_gets_a_page(http, keys) -> None:
    _, challenge = pkce_pair()
    text = await _refused_page(http, authorize_params(keys.oauth1.consumer_key, challenge))
    assert "PSD2" in text


@pytest.mark.parametrize("redirect_uri", [
    "http://127.0.0.1:8765/callback/",          # a trailing slash is another URI
    "http://127.0.0.1:8765/other",
    "http://127.0.0.1:8765/callback?x=1",
    "http://127.0.0.1:8765/callback#frag",
    "http://localhost:8765/callback",           # not a loopback literal
    "https://127.0.0.1:8765/callback",
    "http://127.0.0.1.evil.example:8765/callback",
    "http://127.0.0.1@evil.example/callback",
    "http://127.0.0.1:99999/callback",
    "https://evil.example/callback",
    "https://client.example/cb?tenant=7",       # a prefix of a registered URI
    "https://client.example:8443/cb?tenant=7&lang=en",  # only loopback ports may vary
])
async def test_an_unregistered_redirect_uri_gets_a_page(http, keys, redirect_uri) -> None:
    _, challenge = pkce_pair()
    text = await _refused_page(http, authorize_params(keys.psd2.consumer_key, challenge,
                                                      redirect_uri=redirect_uri))
    assert "not registered" in text


async def test_a_missing_redirect_uri_gets_a_page(http, keys) -> None:
    _, challenge = pkce_pair()
    await _refused_page(http, authorize_params(keys.psd2.consumer_key, challenge,
                                               redirect_uri=None))


async def test_a_bad_client_gets_a_page_even_with_other_errors(http, keys) -> None:
    text = await _refused_page(http, authorize_params(
        keys.psd2.consumer_key, "x", redirect_uri="https://evil.example/cb",
        response_type="token"))
    assert "not registered" in text


async def test_a_repeated_parameter_gets_a_page(http, keys) -> None:
    _, challenge = pkce_pair()
    params = list(authorize_params(keys.psd2.consumer_key, challenge).items())
    params.append(("redirect_uri", "https://evil.example/cb"))
    answer = await http.get("/oauth2/authorize", params=params)
    assert answer.status_code == 400
    assert "location" not in answer.headers


# -- RFC 8252 §7.3: loopback redirect URIs on any port ------------------------------------

@pytest.mark.parametrize("port", ["", ":1", ":8765", ":49152", ":65535"])
async def test_the_loopback_uri_may_use_any_port(http, keys, port) -> None:
    _, challenge = pkce_pair()
    uri = f"http://127.0.0.1{port}/callback"
    answer = await http.get("/oauth2/authorize",
                            params=authorize_params(keys.psd2.consumer_key, challenge,
                                                    redirect_uri=uri))
    assert answer.status_code == 200


async def test_the_loopback_port_rule_can_be_switched_off(keys, store, clock) -> None:
    import httpx

    from xbsec.sandbox.authorization_server import (
        AuthorizationServer,
        AuthorizationServerSettings,
    )

    strict = AuthorizationServer(keys.registry, store, clock=clock,
                                 settings=AuthorizationServerSettings(issuer="http://testserver",
                                                                      loopback_any_port=False))
    _, challenge = pkce_pair()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=strict),
                                 base_url="http://testserver") as http:
        exact = await http.get("/oauth2/authorize",
                               params=authorize_params(keys.psd2.consumer_key, challenge))
        other = await http.get("/oauth2/authorize", params=authorize_params(
            keys.psd2.consumer_key, challenge, redirect_uri="http://127.0.0.1:9000/callback"))
    assert exact.status_code == 200
    assert other.status_code == 400


# -- redirected with an error -------------------------------------------------------------

@pytest.mark.parametrize(("response_type", "error"), [
    ("token", "unsupported_response_type"),
    ("code id_token", "unsupported_response_type"),
    (None, "invalid_request"),
])
async def test_a_response_type_other_than_code(http, keys, response_type, error) -> None:
    _, challenge = pkce_pair()
    returned = await _redirected_error(http, authorize_params(
        keys.psd2.consumer_key, challenge, response_type=response_type))
    assert returned["error"] == error
    assert returned["state"] == "state-123"


async def test_state_is_required(http, keys) -> None:
    _, challenge = pkce_pair()
    returned = await _redirected_error(http, authorize_params(keys.psd2.consumer_key,
                                                              challenge, state=None))
    assert returned["error"] == "invalid_request"
    assert "state" in returned["error_description"]
    assert "state" not in returned


@pytest.mark.parametrize("state", ["x" * 1025, "tab\there", "é"])
async def test_a_malformed_state_is_refused_and_not_echoed(http, keys, state) -> None:
    _, challenge = pkce_pair()
    returned = await _redirected_error(http, authorize_params(keys.psd2.consumer_key,
                                                              challenge, state=state))
    assert returned["error"] == "invalid_request"
    assert "state" not in returned


@pytest.mark.parametrize(("changes", "says"), [
    ({"code_challenge": None}, "PKCE is required"),
    ({"code_challenge_method": None}, "S256"),
    ({"code_challenge_method": "plain"}, "S256"),
    ({"code_challenge_method": "s256"}, "S256"),
    ({"code_challenge": "A" * 42}, "43 to 128"),
    ({"code_challenge": "A" * 129}, "43 to 128"),
    ({"code_challenge": "A" * 42 + "="}, "base64url"),
    ({"code_challenge": "A" * 42 + "+"}, "base64url"),
])
async def test_pkce_s256_is_required(http, keys, changes, says) -> None:
    _, challenge = pkce_pair()
    returned = await _redirected_error(http, authorize_params(keys.psd2.consumer_key,
                                                              challenge, **changes))
    assert returned["error"] == "invalid_request"
    assert says in returned["error_description"]
    assert returned["state"] == "state-123"


@pytest.mark.parametrize("scope", ["payments", "balances payments", "BALANCES"])
async def test_an_unknown_scope(http, keys, scope) -> None:
    _, challenge = pkce_pair()
    returned = await _redirected_error(http, authorize_params(keys.psd2.consumer_key,
                                                              challenge, scope=scope))
    assert returned["error"] == "invalid_scope"


async def test_no_scope_means_balances(http, keys) -> None:
    _, challenge = pkce_pair()
    page = await http.get("/oauth2/authorize", params=authorize_params(
        keys.psd2.consumer_key, challenge, scope=None))
    assert page.status_code == 200
    assert 'name="scope" value="balances"' in page.text


async def test_several_partners_and_none_named(http, keys) -> None:
    _, challenge = pkce_pair()
    returned = await _redirected_error(http, authorize_params(keys.multi.consumer_key,
                                                              challenge))
    assert returned["error"] == "invalid_request"
    assert "partner_id" in returned["error_description"]


@pytest.mark.parametrize("partner", [PARTNER, OTHER_PARTNER])
async def test_several_partners_and_one_named(http, keys, partner) -> None:
    _, challenge = pkce_pair()
    page = await http.get("/oauth2/authorize", params=authorize_params(
        keys.multi.consumer_key, challenge, partner_id=partner))
    assert page.status_code == 200
    assert f'name="partner_id" value="{partner}"' in page.text


async def test_a_partner_of_someone_else(http, keys) -> None:
    _, challenge = pkce_pair()
    returned = await _redirected_error(http, authorize_params(
        keys.psd2.consumer_key, challenge, partner_id=OTHER_PARTNER))
    assert returned["error"] == "invalid_request"


async def test_an_error_keeps_the_registered_query(http, keys) -> None:
    from tests.sandbox.authorization_server.conftest import REGISTERED_WITH_QUERY

    _, challenge = pkce_pair()
    answer = await http.get("/oauth2/authorize", params=authorize_params(
        keys.psd2.consumer_key, challenge, redirect_uri=REGISTERED_WITH_QUERY,
        response_type="token"))
    assert answer.headers["location"].startswith(REGISTERED_WITH_QUERY + "&error=")


async def test_unknown_parameters_are_ignored(http, keys) -> None:
    _, challenge = pkce_pair()
    page = await http.get("/oauth2/authorize", params=authorize_params(
        keys.psd2.consumer_key, challenge, prompt="consent", nonce="n"))
    assert page.status_code == 200


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods(http, method) -> None:
    answer = await http.request(method, "/oauth2/authorize")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"


async def test_unknown_paths(http) -> None:
    assert (await http.get("/oauth2/nothing")).status_code == 404


async def test_the_loopback_redirect_is_the_one_registered(http, keys) -> None:
    # Sanity for the helpers above: the default redirect URI is the registered one.
    assert REDIRECT_URI in keys.registry.get(keys.psd2.consumer_key).redirect_uris
