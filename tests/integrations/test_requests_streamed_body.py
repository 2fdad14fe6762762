"""requests: a file or iterator body is read in full, signed, and sent with its length."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests

from tests.integrations.wire import signed_body_hash
from xbsec import PayloadError
from xbsec.client import auth_from_profile
from xbsec.integrations.requests import XBSAuth, XBSSession, exchange_of
from xbsec.oauth1 import body_hash

BODY = '{"quoterequest":{"sender":{"name":"Zoë 東京"}}}'.encode()
TEXT = BODY.decode()


def bodies() -> list[Any]:
    return [io.BytesIO(BODY), iter([BODY[:5], BODY[5:]]), iter([TEXT[:5], TEXT[5:]]),
            io.StringIO(TEXT)]


IDS = ["file", "iterator", "str-iterator", "text-file"]


@pytest.mark.parametrize("body", bodies(), ids=IDS)
def test_through_the_pipeline(make_profile: Any, loopback: Any, body: Any) -> None:
    with XBSSession(make_profile(encryption=False)) as session:
        response = session.post("/send/x", data=body)
    seen = loopback.seen[-1]
    assert seen.body == BODY == exchange_of(response).request.body
    assert seen.headers["Content-Length"] == str(len(BODY))
    assert "Transfer-Encoding" not in seen.headers
    assert response.json()["echo"]["body_hash"] == body_hash(BODY)


@pytest.mark.parametrize("body", bodies(), ids=IDS)
def test_signing_only(make_profile: Any, loopback: Any, body: Any) -> None:
    profile = make_profile()
    response = requests.post(profile.base_url + "/send/x", data=body, timeout=10,
                             auth=XBSAuth(auth_from_profile(profile)))
    seen = loopback.seen[-1]
    assert response.status_code == 200
    assert seen.body == BODY
    assert signed_body_hash(seen.headers["Authorization"]) == body_hash(BODY)


def test_an_iterator_of_something_else_is_refused(make_profile: Any, loopback: Any) -> None:
    before = len(loopback.seen)
    with XBSSession(make_profile()) as session, pytest.raises(PayloadError, match="int"):
        session.post("/send/x", data=iter([1, 2]))
    assert len(loopback.seen) == before
