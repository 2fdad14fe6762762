"""requests: a GET's query string is signed exactly as it goes on the wire."""

from __future__ import annotations

from typing import Any

import pytest

from xbsec.integrations.requests import XBSSession, exchange_of
from xbsec.oauth1 import body_hash

PATH = "/send/v1/partners/SANDBOX_1234567/crossborder"


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
@pytest.mark.parametrize("encryption", [True, False])
def test_params_with_repeated_keys_and_reserved_characters(make_profile: Any, loopback: Any,
                                                           auth: str, encryption: bool) -> None:
    profile = make_profile(auth=auth, encryption=encryption)
    params = [("ref", "0999999034810154901"), ("tag", "a:b/c"), ("tag", "Zoë & co"),
              ("empty", ""), ("tag", "100%")]
    with XBSSession(profile) as session:
        response = session.get(PATH, params=params)
    exchange = exchange_of(response)
    echo = exchange.document()["echo"]
    target = loopback.seen[-1].target
    # requests writes a space as '+'; it is sent as %20, so that every reading agrees (§2.5)
    assert "tag=a%3Ab%2Fc&tag=Zo%C3%AB%20%26%20co&empty=&tag=100%25" in target
    assert exchange.request.url == profile.base_url + target
    assert echo["target"] == target
    assert echo["auth"] == auth
    assert echo["body_hash"] == body_hash(b"")
    assert exchange.response.encrypted is encryption


@pytest.mark.parametrize("encryption", [True, False])
def test_an_already_encoded_url_is_sent_and_signed_unchanged(make_profile: Any, loopback: Any,
                                                             encryption: bool) -> None:
    profile = make_profile(encryption=encryption)
    query = "?ref=a%3Ab&ref=a%2Fb&name=Zo%C3%AB%20A"
    with XBSSession(profile) as session:
        response = session.get(PATH + query)
    assert loopback.seen[-1].target == PATH + query
    assert exchange_of(response).request.url == profile.base_url + PATH + query
    assert response.json()["echo"]["target"] == PATH + query
