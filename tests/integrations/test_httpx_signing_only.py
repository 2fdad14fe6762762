"""httpx: XBSAuth signs the exact body bytes, for Client and AsyncClient alike."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integrations.wire import signed_body_hash
from xbsec import ConfigurationError
from xbsec.client import ClientPipeline, auth_from_profile
from xbsec.integrations.httpx import XBSAuth, exchange_of
from xbsec.oauth1 import body_hash

# Bytes no serialiser would produce: they must arrive as given.
BODY = '{"quoterequest":{"b":2,  "a":"Zoë 東京"}}'.encode()


def check(response: httpx.Response, loopback: Any, auth: str) -> None:
    seen = loopback.seen[-1]
    echo = response.json()["echo"]
    assert echo["auth"] == auth
    assert seen.body == BODY
    assert echo["body_hash"] == body_hash(BODY)
    if auth == "oauth1":
        assert signed_body_hash(seen.headers["Authorization"]) == body_hash(BODY)
    assert "x-encrypted" not in seen.headers  # signing only, even with encryption configured
    with pytest.raises(ConfigurationError, match="XBSTransport"):
        exchange_of(response)


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
def test_sync(make_profile: Any, loopback: Any, auth: str) -> None:
    profile = make_profile(auth=auth)
    with httpx.Client(auth=XBSAuth(auth_from_profile(profile))) as client:
        response = client.post(profile.base_url + "/send/x?q=a%3Ab", content=BODY)
    check(response, loopback, auth)


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
@pytest.mark.anyio
async def test_async(make_profile: Any, loopback: Any, auth: str) -> None:
    profile = make_profile(auth=auth)
    async with httpx.AsyncClient(auth=XBSAuth(auth_from_profile(profile))) as client:
        response = await client.post(profile.base_url + "/send/x?q=a%3Ab", content=BODY)
    check(response, loopback, auth)


@pytest.mark.anyio
async def test_a_streamed_body_is_read_signed_and_sent_with_its_length(make_profile: Any,
                                                            loopback: Any) -> None:
    async def chunks() -> Any:
        yield BODY[:7]
        yield BODY[7:]

    profile = make_profile()
    async with httpx.AsyncClient(auth=XBSAuth(auth_from_profile(profile))) as client:
        response = await client.post(profile.base_url + "/send/x", content=chunks())
    check(response, loopback, "oauth1")
    # Sent with the Content-Length XBS asks for (SPEC §8.2), not chunked.
    assert loopback.seen[-1].headers["Content-Length"] == str(len(BODY))
    assert "Transfer-Encoding" not in loopback.seen[-1].headers


def test_a_pipeline_is_not_an_auth(make_profile: Any) -> None:
    with pytest.raises(ConfigurationError, match="XBSTransport"):
        XBSAuth(ClientPipeline.from_profile(make_profile()))  # type: ignore[arg-type]


def test_the_query_is_sent_percent_encoded_as_it_is_signed(make_profile: Any,
                                                           loopback: Any) -> None:
    """httpx writes a space as '+' and keeps ':' raw; SPEC §2.5 wants both percent-encoded,
    so that every reading of the query agrees (the loopback verifies with the strict policy)."""
    profile = make_profile()
    with httpx.Client(auth=XBSAuth(auth_from_profile(profile))) as client:
        response = client.get(profile.base_url + "/send/x?at=a:b&q=x+y%2Bz")
    assert response.status_code == 200
    assert loopback.seen[-1].target == "/send/x?at=a%3Ab&q=x%20y%2Bz"
