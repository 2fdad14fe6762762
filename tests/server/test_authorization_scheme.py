"""The Authorization header as RFC 9110 §11 spells it: a scheme token, then SP.

``credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]``: the scheme is matched
without case and may be followed by several spaces, and the field's own leading and
trailing white space (OWS) is not part of it. Anything else is 400 INVALID_AUTH_HEADER at
the gateway: a tab after the scheme does not make a bare access token of the whole value.
A bare token (SPEC §5.2, §6.4) is one token68, nothing else.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.gateway_fixture import ASGIClient, World
from tests.server.test_gateway import QUOTES, gateway, refusal
from xbsec.client import OAuth1Auth
from xbsec.errors import InvalidAccessTokenError
from xbsec.oauth1 import OAuth1Signer, parse_authorization
from xbsec.oauth2 import RequestTokenMinter

BALANCE = "/send/partners/PSD2_1/crossborder/accounts"
RATES = "/send/v1/partners/PSD2_1/crossborder/rates"
ACCESS_TOKEN = "good-access-token"


class Tokens:
    def __init__(self, world: World) -> None:
        self.consumer_key = world.psd2.consumer_key

    def validate(self, token: str, *, path: str) -> str:
        if token != ACCESS_TOKEN:
            raise InvalidAccessTokenError("unknown access token")
        return self.consumer_key


def _oauth(world: World, path: str = QUOTES) -> str:
    signer = OAuth1Signer(world.plain.consumer_key, world.plain.signing_key)
    return OAuth1Auth(signer).authorization("GET", "http://testserver" + path, b"")


def _token(world: World) -> str:
    who = world.psd2
    return RequestTokenMinter(who.consumer_key, who.signing_key, who.signing_certificate).mint()


def _answer(world: World, path: str, header: str) -> Any:
    with ASGIClient(gateway(world, access_tokens=Tokens(world))) as client:
        return client.get(path, headers={"Authorization": header})


def _with(header: str, old: str, new: str) -> str:
    assert header.startswith(old)
    return new + header[len(old):]


@pytest.mark.parametrize("make", [
    lambda w: _with(_oauth(w), "OAuth ", "OAuth\t"),
    lambda w: _with(_oauth(w), "OAuth ", "OAuth \t"),
    lambda w: _with(_oauth(w), "OAuth ", "OAuth\t "),
    lambda w: _with(_oauth(w), "OAuth ", "OAuth\x0b"),
    lambda w: _with(_oauth(w), "OAuth ", "\x0bOAuth "),
    lambda w: _with(_oauth(w), "OAuth ", "OAuth,"),
    lambda w: "Basic dXNlcjpwYXNz",
    lambda w: "OAuth",
    lambda w: "OAuth\t",
], ids=["oauth-tab", "oauth-space-tab", "oauth-tab-space", "oauth-vertical-tab",
        "leading-vertical-tab", "oauth-comma", "basic", "oauth-alone", "oauth-tab-alone"])
@pytest.mark.parametrize("path", [QUOTES, BALANCE])
def test_anything_but_scheme_then_space_is_refused_as_a_header(world: World, make: Any,
                                                               path: str) -> None:
    header = make(world)
    assert_header_refused(_answer(world, path, header), path, header)


def assert_header_refused(response: Any, path: str, header: str) -> None:
    """Never read as a token: 400 INVALID_AUTH_HEADER. On a Balance path, a header that is
    not an OAuth 1.0a attempt gets the same ReasonCode as a 401 with a bare Bearer challenge
    (RFC 6750 §3.1: an unsupported authentication method gets no error code); OAuth 1.0a
    attempts keep the answer SPEC §2.7 gives them everywhere."""
    oauth1_attempt = header.strip().partition(" ")[0].lower() == "oauth"
    if path == BALANCE and not oauth1_attempt:
        assert refusal(response) == (401, "INVALID_AUTH_HEADER", "Gateway")
        assert response.headers["www-authenticate"] == "Bearer"
    else:
        assert refusal(response) == (400, "INVALID_AUTH_HEADER", "Gateway")
        assert "www-authenticate" not in response.headers


@pytest.mark.parametrize("header", [
    f"Bearer\t{ACCESS_TOKEN}",
    f"Bearer\t\t{ACCESS_TOKEN}",
    f"Bearer \t{ACCESS_TOKEN}",
    f"Bearer,{ACCESS_TOKEN}",
    f"{ACCESS_TOKEN}\t{ACCESS_TOKEN}",
    f"{ACCESS_TOKEN} x",
])
def test_a_tab_does_not_make_a_bearer_or_a_bare_access_token(world: World,
                                                               header: str) -> None:
    assert_header_refused(_answer(world, BALANCE, header), BALANCE, header)


def test_a_tab_does_not_make_a_bearer_request_token(world: World) -> None:
    response = _answer(world, RATES, "Bearer\t" + _token(world))
    assert refusal(response) == (400, "INVALID_AUTH_HEADER", "Gateway")


@pytest.mark.parametrize("shape", [
    lambda h: h,
    lambda h: _with(h, "OAuth ", "oauth "),
    lambda h: _with(h, "OAuth ", "OAUTH    "),
    lambda h: "  " + h + "  ",
    lambda h: "\t" + h + " \t",
])
def test_what_rfc_9110_allows_is_served(world: World, shape: Any) -> None:
    response = _answer(world, QUOTES, shape(_oauth(world)))
    assert response.status_code == 200


@pytest.mark.parametrize("header", [
    f"Bearer {ACCESS_TOKEN}", f"bearer   {ACCESS_TOKEN}", f" BEARER {ACCESS_TOKEN}\t",
    ACCESS_TOKEN, f"\t{ACCESS_TOKEN} ",
])
def test_access_tokens_bearer_or_bare(world: World, header: str) -> None:
    response = _answer(world, BALANCE, header)
    assert response.status_code == 200
    assert response.json()["echo"]["xbsec"]["auth"] == "access-token"


@pytest.mark.parametrize("prefix", ["Bearer ", "bearer  ", ""])
def test_request_tokens_bearer_or_bare(world: World, prefix: str) -> None:
    response = _answer(world, RATES, prefix + _token(world))
    assert response.status_code == 200
    assert response.json()["echo"]["xbsec"]["auth"] == "request-token"


@pytest.mark.parametrize("header", ["Bearer", "bearer", "Bearer ", " Bearer\t"])
def test_bearer_without_a_token_stays_the_request_token_refusal(world: World,
                                                                header: str) -> None:
    """SPEC §5.4 step 1: a Bearer header that carries no JWS is 401 INVALID_AUTH_HEADER."""
    assert refusal(_answer(world, RATES, header)) == (401, "INVALID_AUTH_HEADER", "Gateway")


def test_the_oauth1_parser_wants_a_space_after_the_scheme_too(world: World) -> None:
    from xbsec import InvalidAuthHeaderError

    header = _oauth(world)
    assert parse_authorization("  " + header.replace("OAuth ", "OAuth   ") + "\t")
    for bad in ("OAuth\t", "OAuth \t", "OAuth\x0b"):
        with pytest.raises(InvalidAuthHeaderError):
            parse_authorization(_with(header, "OAuth ", bad))
