"""requests: XBSAuth given a bare RequestAuth signs, and does nothing else."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from xbsec import ConfigurationError
from xbsec.client import ClientPipeline, auth_from_profile
from xbsec.integrations.requests import XBSAuth, exchange_of
from xbsec.oauth1 import body_hash


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
def test_the_request_is_signed_and_sent_as_given(make_profile: Any, loopback: Any,
                                                 auth: str) -> None:
    profile = make_profile(auth=auth, encryption=True)
    body = b'{"quoterequest":{"b":2,  "a":1}}'
    with requests.Session() as session:
        session.auth = XBSAuth(auth_from_profile(profile))
        response = session.post(profile.base_url + "/send/x?q=1", data=body)
    seen = loopback.seen[-1]
    assert response.json()["echo"]["auth"] == auth
    assert seen.body == body
    assert response.json()["echo"]["body_hash"] == body_hash(body)
    # Signing only: no encryption, no headers but Authorization.
    assert "x-encrypted" not in seen.headers
    assert "Content-Type" not in seen.headers
    with pytest.raises(ConfigurationError):
        exchange_of(response)


def test_a_get_without_a_body(make_profile: Any, loopback: Any) -> None:
    profile = make_profile()
    response = requests.get(profile.base_url + "/send/x", auth=XBSAuth(auth_from_profile(profile)),
                            timeout=10)
    assert response.json()["echo"]["body_hash"] == body_hash(b"")
    assert "Content-Length" not in loopback.seen[-1].headers


def test_anything_else_is_refused(make_profile: Any) -> None:
    with pytest.raises(ConfigurationError, match="ClientPipeline or a RequestAuth"):
        XBSAuth("ck!123")  # type: ignore[arg-type]
    assert XBSAuth(ClientPipeline.from_profile(make_profile())).pipeline is not None


def test_the_query_is_sent_percent_encoded_as_it_is_signed(make_profile: Any,
                                                           loopback: Any) -> None:
    """requests writes a space as '+'; SPEC §2.5 wants it %20, so that every reading of the
    query agrees (the loopback verifies with the strict policy)."""
    profile = make_profile()
    response = requests.get(profile.base_url + "/send/x?at=a:b", params={"q": "x y+z"},
                            auth=XBSAuth(auth_from_profile(profile)), timeout=10)
    assert response.status_code == 200
    assert loopback.seen[-1].target == "/send/x?at=a%3Ab&q=x%20y%2Bz"
