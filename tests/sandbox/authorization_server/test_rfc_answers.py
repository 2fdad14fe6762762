"""The answers standard OAuth 2.0 clients rely on (RFC 6749, 7523, 8414, 9207, 9110).

- a client assertion signed the way authlib signs it (``exp = iat + 3600``) is accepted,
  one without ``iat`` too (RFC 7523 §3 makes it optional);
- a client that tries HTTP authentication gets 401 ``invalid_client`` with a
  ``WWW-Authenticate`` challenge for its scheme (RFC 6749 §5.2); a failed
  ``private_key_jwt`` is a 400 ``invalid_client``, so that no 401 lacks the header
  (RFC 9110 §15.5.2);
- every ``error_description`` keeps to RFC 6749's characters;
- the metadata document (RFC 8414) is served, from the configured issuer only;
- every authorization response carries ``iss`` (RFC 9207).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import pytest

from tests.sandbox.authorization_server.flow import (
    ASSERTION_TYPE,
    REDIRECT_URI,
    TOKEN_URL,
    assertion,
    authorize_params,
    consent,
    decide,
    pkce_pair,
    query_of,
)
from tests.sandbox.authorization_server.token_flow import (
    assert_oauth_error,
    code_and_verifier,
    exchange,
)
from xbsec.sandbox.authorization_server import AuthorizationServer, AuthorizationServerSettings

pytestmark = pytest.mark.anyio

ISSUER = "http://testserver"
# RFC 6749 §5.2 and Appendix A.8: error_description is %x20-21 / %x23-5B / %x5D-7E.
DESCRIPTION = re.compile(r'[\x20\x21\x23-\x5b\x5d-\x7e]*')


def _basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# -- C1, C5: the client assertion ----------------------------------------------------------

async def test_an_assertion_living_an_hour_as_authlib_signs_it(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    hour = keys.psd2.assertion(clock.now, lifetime=3600)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier, client_assertion=hour)
    assert answer.status_code == 200, answer.text


async def test_beyond_the_limit_the_error_says_what_to_change(http, keys, clock,
                                                              server) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    limit = server.settings.assertion_max_lifetime + server.settings.assertion_skew
    long = keys.psd2.assertion(clock.now, lifetime=limit + 5)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier, client_assertion=long)
    description = assert_oauth_error(answer, "invalid_client")
    assert f"more than {server.settings.assertion_max_lifetime} seconds ahead" in description
    assert "shorter lifetime" in description


async def test_an_assertion_without_iat(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    no_iat = assertion(keys.psd2.key, keys.psd2.consumer_key, now=clock.now, iat=None)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier, client_assertion=no_iat)
    assert answer.status_code == 200, answer.text


async def test_the_issuer_is_an_audience_too(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    to_issuer = keys.psd2.assertion(clock.now, aud=ISSUER)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier,
                            client_assertion=to_issuer)
    assert answer.status_code == 200, answer.text


# -- C4: invalid_client and WWW-Authenticate -------------------------------------------------

async def test_http_basic_alone_is_401_with_a_basic_challenge(http, keys) -> None:
    answer = await http.post("/oauth2/token", headers={
        "Authorization": _basic(keys.psd2.consumer_key)}, data={
        "grant_type": "authorization_code", "code": "A" * 43})
    description = assert_oauth_error(answer, "invalid_client", status=401)
    assert "private_key_jwt" in description
    assert answer.headers["www-authenticate"] == f'Basic realm="{ISSUER}"'


async def test_http_basic_beside_a_good_assertion_is_one_method_too_many(http, keys,
                                                                         clock) -> None:
    # requests-oauthlib's fetch_token sends the client id as Basic unless told otherwise.
    code, verifier = await code_and_verifier(http, keys.psd2)
    answer = await http.post("/oauth2/token", headers={
        "Authorization": _basic(keys.psd2.consumer_key)}, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier, "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": keys.psd2.assertion(clock.now)})
    assert "form" in assert_oauth_error(answer, "invalid_client", status=401)
    assert answer.headers["www-authenticate"].startswith("Basic realm=")
    # Nothing was used up: the same code, without the header, is exchanged.
    assert (await exchange(http, keys.psd2, clock.now, code, verifier)).status_code == 200


@pytest.mark.parametrize("authorization", ["Bearer abc", "Digest username=x", "Basic",
                                           "b@d scheme"])
async def test_any_http_authentication_gets_a_challenge_for_its_scheme(http,
                                                                       authorization) -> None:
    answer = await http.post("/oauth2/token", headers={"Authorization": authorization},
                             data={"grant_type": "refresh_token"})
    assert_oauth_error(answer, "invalid_client", status=401)
    scheme = authorization.split(" ")[0]
    expected = scheme if re.fullmatch(r"[A-Za-z]+", scheme) else "Basic"
    assert answer.headers["www-authenticate"] == f'{expected} realm="{ISSUER}"'


async def test_a_failed_private_key_jwt_is_400_invalid_client(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    for form in ({"client_assertion": None, "client_assertion_type": None},
                 {"client_assertion": keys.psd2.assertion(clock.now, aud="https://x.example")}):
        answer = await exchange(http, keys.psd2, clock.now, code, verifier, **form)
        assert_oauth_error(answer, "invalid_client", status=400)
        assert "www-authenticate" not in answer.headers


# -- C6: what an error_description may hold ----------------------------------------------

@pytest.mark.parametrize("form", [
    {"code_verifier": "short"},  # its description named RFC 7636 with a section sign
    {"code": "x"},
    {"redirect_uri": "http://127.0.0.1:1/other"},
    {"grant_type": "password"},
    {"client_assertion": "a.b.c"},
    {"client_assertion_type": "urn:other"},
    {"client_secret": "s"},
])
async def test_every_error_description_keeps_to_rfc_6749s_characters(http, keys, clock,
                                                                    form) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier, **form)
    assert answer.status_code >= 400
    assert DESCRIPTION.fullmatch(answer.json()["error_description"]), answer.text


async def test_a_description_is_made_safe_whatever_it_holds(http, server,
                                                            monkeypatch) -> None:
    from xbsec.sandbox.authorization_server.oauth_errors import InvalidRequestError

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise InvalidRequestError('RFC 7636 §4.1: "quoted" \\ back, é, \u2026, \n')

    monkeypatch.setattr(server.tokens, "answer", refuse)
    answer = await http.post("/oauth2/token", data={"grant_type": "x"})
    description = assert_oauth_error(answer, "invalid_request")
    assert DESCRIPTION.fullmatch(description), description
    assert "RFC 7636 section 4.1" in description


async def test_redirected_error_descriptions_too(http, keys) -> None:
    _, challenge = pkce_pair()
    answer = await http.get("/oauth2/authorize", params=authorize_params(
        keys.psd2.consumer_key, challenge, scope="other"))
    assert answer.status_code == 302
    assert DESCRIPTION.fullmatch(query_of(answer.headers["location"])["error_description"])


# -- C3: RFC 8414 metadata -----------------------------------------------------------------

REQUIRED = {"issuer", "authorization_endpoint", "token_endpoint", "response_types_supported"}


async def test_the_metadata_document(http) -> None:
    answer = await http.get("/.well-known/oauth-authorization-server")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    metadata = answer.json()
    assert set(metadata) >= REQUIRED
    assert metadata["issuer"] == ISSUER
    assert metadata["authorization_endpoint"] == f"{ISSUER}/oauth2/authorize"
    assert metadata["token_endpoint"] == TOKEN_URL
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert metadata["token_endpoint_auth_signing_alg_values_supported"] == ["ES256", "RS256"]
    assert metadata["scopes_supported"] == ["balances"]
    assert metadata["authorization_response_iss_parameter_supported"] is True


async def test_the_metadata_validates_with_an_independent_implementation(http) -> None:
    rfc8414 = pytest.importorskip("authlib.oauth2.rfc8414")
    metadata = (await http.get("/.well-known/oauth-authorization-server")).json()
    https = {k: v.replace("http://", "https://") if isinstance(v, str) else v
             for k, v in metadata.items()}  # authlib insists on https, as RFC 8414 does
    rfc8414.AuthorizationServerMetadata(https).validate()
    # Every member is one RFC 8414 registers, or RFC 9207's, which came later.
    assert set(https) <= {*rfc8414.AuthorizationServerMetadata.REGISTRY_KEYS,
                          "authorization_response_iss_parameter_supported"}


async def test_the_host_header_changes_nothing(http) -> None:
    answer = await http.get("/.well-known/oauth-authorization-server",
                            headers={"Host": "evil.example"})
    assert "evil" not in answer.text


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration",
                                  "/.well-known/oauth-authorization-server/extra",
                                  "/.well-known/"])
async def test_other_well_known_names_are_404(http, path) -> None:
    assert (await http.get(path)).status_code == 404


async def test_the_metadata_is_read_only(http) -> None:
    answer = await http.post("/.well-known/oauth-authorization-server")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET"


@pytest.mark.parametrize("issuer", ["ftp://x.example", "https://x.example/path",
                                    "https://x.example?q", "https://u@x.example", "x.example",
                                    "https://x.example:0", "https://x.example#f"])
def test_an_issuer_is_scheme_host_and_port_only(issuer) -> None:
    from xbsec.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="issuer"):
        AuthorizationServerSettings(issuer=issuer)


def test_the_issuer_loses_a_trailing_slash() -> None:
    settings = AuthorizationServerSettings(issuer="https://xbs.example:8443/")
    assert settings.issuer == "https://xbs.example:8443"
    assert settings.token_endpoint == "https://xbs.example:8443/oauth2/token"
    assert settings.audiences == {"https://xbs.example:8443/oauth2/token",
                                  "https://xbs.example:8443"}


# -- C3: RFC 9207 iss in every authorization response --------------------------------------

async def test_iss_in_the_code_response(http, keys) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    answer = query_of((await decide(http, form, "approve")).headers["location"])
    assert answer["iss"] == ISSUER
    assert set(answer) == {"code", "state", "iss"}


async def test_iss_in_the_denial(http, keys) -> None:
    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    answer = query_of((await decide(http, form, "deny")).headers["location"])
    assert (answer["error"], answer["iss"]) == ("access_denied", ISSUER)


async def test_iss_in_a_redirected_error(http, keys) -> None:
    _, challenge = pkce_pair()
    answer = await http.get("/oauth2/authorize", params=authorize_params(
        keys.psd2.consumer_key, challenge, response_type="token"))
    assert query_of(answer.headers["location"])["iss"] == ISSUER


async def test_the_issuer_comes_from_the_settings(keys, store, clock) -> None:
    settings = AuthorizationServerSettings(issuer="https://xbs.example:8443")
    server = AuthorizationServer(keys.registry, store, settings=settings, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server),
                                 base_url="http://testserver") as http:
        metadata = (await http.get("/.well-known/oauth-authorization-server")).json()
        _, challenge = pkce_pair()
        form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
        answer = query_of((await decide(http, form, "approve")).headers["location"])
    assert metadata["issuer"] == answer["iss"] == "https://xbs.example:8443"
    assert json.dumps(metadata).count("testserver") == 0
