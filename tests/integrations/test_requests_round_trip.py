"""XBSSession over real HTTP: signed, encrypted when configured, JSON and XML, both auth modes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integrations.wire import QUOTE, quotes_path, signed_body_hash
from xbsec.documents import dumps
from xbsec.integrations.requests import XBSSession, exchange_of
from xbsec.oauth1 import body_hash


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
@pytest.mark.parametrize("encryption", [True, False])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_crosses_the_wire_as_signed(make_profile: Any, loopback: Any, auth: str,
                                           encryption: bool, fmt: str) -> None:
    profile = make_profile(auth=auth, encryption=encryption, format=fmt)
    with XBSSession(profile) as session:
        response = session.post(quotes_path(profile.partner_id), data=dumps(QUOTE, fmt))
    exchange = exchange_of(response)
    seen = loopback.seen[-1]
    echo = exchange.document()["echo"]

    assert response.status_code == 200
    assert echo["auth"] == auth
    # The bytes the server received and hashed are the bytes the client signed.
    assert seen.body == exchange.request.body
    assert echo["body_hash"] == body_hash(exchange.request.body)
    if auth == "oauth1":
        assert signed_body_hash(seen.headers["Authorization"]) == echo["body_hash"]
    assert seen.plaintext == dumps(QUOTE, fmt)
    assert seen.headers["Content-Type"] == f"application/{fmt}"
    assert seen.headers["Accept"] == f"application/{fmt}"
    assert (seen.headers.get("x-encrypted") == "true") is encryption
    assert exchange.response.encrypted is encryption
    if encryption:
        assert b"encrypted_payload" in seen.body
        assert b"quoterequest" not in seen.body
    # requests' own API reads the plaintext answer.
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.content == exchange.response.body
    if fmt == "json":
        assert response.json() == {"echo": echo}
        assert echo["received"] == QUOTE
    else:
        assert response.text.startswith("<")
        assert echo["method"] == "POST"


def test_the_profile_sets_base_url_and_timeout(make_profile: Any, loopback: Any) -> None:
    profile = make_profile(encryption=False)
    with XBSSession(profile) as session:
        assert session.base_url == profile.base_url
        assert session.timeout == profile.timeout
        absolute = session.get(profile.base_url + "/absolute")
    assert absolute.json()["echo"]["target"] == "/absolute"
