"""requests: a str body goes out as the UTF-8 bytes that were signed, not as Latin-1."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integrations.wire import signed_body_hash
from xbsec.client import auth_from_profile
from xbsec.integrations.requests import XBSAuth, XBSSession, exchange_of
from xbsec.oauth1 import body_hash

# Outside Latin-1: http.client alone would refuse to encode this str.
TEXT = '{"quoterequest":{"sender":{"name":"Zoë Ångström 東京"}}}'


def test_through_the_pipeline(make_profile: Any, loopback: Any) -> None:
    profile = make_profile(encryption=False)
    with XBSSession(profile) as session:
        response = session.post("/send/x", data=TEXT)
    sent = TEXT.encode("utf-8")
    seen = loopback.seen[-1]
    assert seen.body == sent
    assert exchange_of(response).request.body == sent
    assert seen.headers["Content-Length"] == str(len(sent))
    assert signed_body_hash(seen.headers["Authorization"]) == body_hash(sent)
    assert response.json()["echo"]["body_hash"] == body_hash(sent)


@pytest.mark.parametrize("encryption", [True, False])
def test_encrypted_or_not_the_document_arrives_intact(make_profile: Any, loopback: Any,
                                                      encryption: bool) -> None:
    with XBSSession(make_profile(encryption=encryption)) as session:
        response = session.post("/send/x", data=TEXT)
    assert loopback.seen[-1].plaintext == TEXT.encode("utf-8")
    assert response.json()["echo"]["received"]["quoterequest"]["sender"]["name"] == (
        "Zoë Ångström 東京")


def test_signing_only(make_profile: Any, loopback: Any) -> None:
    profile = make_profile(encryption=False)
    with requests.Session() as session:
        response = session.post(profile.base_url + "/send/x", data=TEXT,
                                auth=XBSAuth(auth_from_profile(profile)))
    sent = TEXT.encode("utf-8")
    seen = loopback.seen[-1]
    assert response.status_code == 200
    assert seen.body == sent
    assert signed_body_hash(seen.headers["Authorization"]) == body_hash(sent)
    assert response.json()["echo"]["body_hash"] == body_hash(sent)
