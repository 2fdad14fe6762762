"""``WWW-Authenticate`` on the Balance APIs' refusals (RFC 6750 §3, RFC 9110 §11.6.1).

A Balance call that is refused for its access token says so in a ``Bearer`` challenge, beside
the gateway's error body, so that a client can decide from the header alone:

- no credential (or one of a scheme the Balance APIs do not take): 401 and ``Bearer``
  without an error code (RFC 6750 §3.1);
- a token that is unknown, expired, revoked, or not an access token: 401 and
  ``error="invalid_token"`` (refresh, or log in again);
- a good token that does not cover the request (another partner's, a scope without
  ``balances``): 403 and ``error="insufficient_scope"`` (refreshing will not help).

Other paths, and OAuth 1.0a requests, keep the gateway's answers of SPEC §2.7 and §2.8.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.server.gateway_fixture import ASGIClient, World, echo_app
from xbsec.errors import AccessDeniedError, InsufficientScopeError, InvalidAccessTokenError
from xbsec.oauth1 import OAuth1Signer
from xbsec.oauth2 import RequestTokenMinter
from xbsec.policy import SecurityPolicy
from xbsec.server.gateway import XBSGateway

BALANCES = "/send/partners/PSD2_1/crossborder/accounts"
GOOD, EXPIRED, FOREIGN, UNSCOPED, GONE = "good", "expired", "foreign", "unscoped", "gone"
# RFC 6750 §3: the auth-params' values, and what error_description may hold.
CHALLENGE = re.compile(r'Bearer( [a-z_]+="[\x20\x21\x23-\x5b\x5d-\x7e]*"(, [a-z_]+="'
                       r'[\x20\x21\x23-\x5b\x5d-\x7e]*")*)?')


class Tokens:
    """A validator with one token per outcome."""

    def __init__(self, world: World) -> None:
        self.world = world

    def validate(self, token: str, *, path: str) -> str:
        if token == GOOD:
            return str(self.world.psd2.consumer_key)
        if token == EXPIRED:
            raise InvalidAccessTokenError("the access token has expired; refresh it")
        if token == FOREIGN:
            raise InsufficientScopeError("Unauthorized - Access Not Granted: this access "
                                         "token was issued for another partner id",
                                         scope="balances")
        if token == UNSCOPED:
            raise InsufficientScopeError("the access token's scope lacks balances",
                                         scope="balances")
        if token == GONE:
            raise AccessDeniedError("Unauthorized - Access Not Granted")
        raise InvalidAccessTokenError("the access token is unknown or revoked")


@pytest.fixture
def client(world: World) -> Any:
    app = XBSGateway(echo_app, world.registry, policy=SecurityPolicy.mastercard_compatible(),
                     access_tokens=Tokens(world), external_url="http://testserver")
    with ASGIClient(app) as http:
        yield http


def _challenge(response: Any) -> dict[str, str]:
    value = response.headers["www-authenticate"]
    assert CHALLENGE.fullmatch(value), value
    return dict(re.findall(r'([a-z_]+)="([^"]*)"', value))


def _reason(response: Any) -> str:
    return str(response.json()["Errors"]["Error"][0]["ReasonCode"])


def test_a_good_token_passes(client) -> None:
    ok = client.get(BALANCES, headers={"Authorization": f"Bearer {GOOD}"})
    assert ok.status_code == 200
    assert "www-authenticate" not in ok.headers


def test_no_authorization_header_is_401_with_a_bare_challenge(client) -> None:
    missing = client.get(BALANCES)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert _reason(missing) == "INVALID_AUTH_HEADER"  # the gateway body, unchanged


def test_an_unsupported_scheme_is_401_with_a_bare_challenge(client) -> None:
    basic = client.get(BALANCES, headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.status_code == 401
    assert basic.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("token", "description"), [
    (EXPIRED, "the access token has expired; refresh it"),
    ("A" * 43, "the access token is unknown or revoked"),
    (GONE, "Unauthorized - Access Not Granted"),
])
def test_a_bad_token_is_401_invalid_token(client, token, description) -> None:
    for authorization in (f"Bearer {token}", token):  # a bare token too (SPEC §6.4)
        refused = client.get(BALANCES, headers={"Authorization": authorization})
        assert refused.status_code == 401
        assert _challenge(refused) == {"error": "invalid_token",
                                       "error_description": description}


@pytest.mark.parametrize("token", [FOREIGN, UNSCOPED])
def test_a_token_that_does_not_cover_the_request_is_403_insufficient_scope(client,
                                                                           token) -> None:
    refused = client.get(BALANCES, headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    assert _reason(refused) == "DECLINED"
    challenge = _challenge(refused)
    assert challenge["error"] == "insufficient_scope"
    assert challenge["scope"] == "balances"


def test_a_request_token_on_a_balance_path_is_invalid_token(client, world) -> None:
    minter = RequestTokenMinter(world.psd2.consumer_key, world.psd2.signing_key,
                                world.psd2.signing_certificate)
    refused = client.get(BALANCES, headers={"Authorization": minter.authorization_header()})
    assert refused.status_code == 401
    challenge = _challenge(refused)
    assert challenge["error"] == "invalid_token"
    assert "access token" in challenge["error_description"]
    assert "section" in challenge["error_description"]  # "SPEC §1" made ASCII


def test_oauth1_keeps_the_gateways_answers(client, world) -> None:
    signer = OAuth1Signer(world.psd2.consumer_key, world.psd2.signing_key)
    header = signer.authorization_header("GET", "http://testserver" + BALANCES)
    refused = client.get(BALANCES, headers={"Authorization": header})
    assert refused.status_code == 401
    assert "www-authenticate" not in refused.headers


def test_other_paths_keep_the_gateways_answers(client) -> None:
    quotes = "/send/v1/partners/PSD2_1/crossborder/quotes"
    assert client.post(quotes, content=b"{}").status_code == 400  # SPEC §2.7
    refused = client.get(quotes, headers={"Authorization": f"Bearer {GOOD}"})
    assert refused.status_code == 401
    assert "www-authenticate" not in refused.headers


def test_without_an_access_token_validator_nothing_changes(world) -> None:
    app = XBSGateway(echo_app, world.registry, policy=SecurityPolicy.mastercard_compatible(),
                     external_url="http://testserver")
    with ASGIClient(app) as http:
        missing = http.get(BALANCES)
    assert missing.status_code == 400
    assert "www-authenticate" not in missing.headers
