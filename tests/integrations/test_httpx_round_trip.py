"""httpx, sync and async, through XBSTransport: signed, encrypted, JSON and XML, both auths."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integrations.wire import QUOTE, quotes_path, signed_body_hash
from xbsec.client import ClientPipeline
from xbsec.documents import dumps
from xbsec.integrations.httpx import (
    AsyncXBSTransport,
    XBSTransport,
    async_client_from_profile,
    client_from_profile,
    exchange_of,
)
from xbsec.oauth1 import body_hash

CASES = pytest.mark.parametrize(("auth", "encryption", "fmt"), [
    (auth, encryption, fmt) for auth in ("oauth1", "request-token")
    for encryption in (True, False) for fmt in ("json", "xml")])


def check(response: httpx.Response, loopback: Any, auth: str, encryption: bool,
          fmt: str) -> None:
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
    assert seen.headers["Content-Length"] == str(len(seen.body))
    assert (seen.headers.get("x-encrypted") == "true") is encryption
    assert exchange.response.encrypted is encryption
    if encryption:
        assert b"encrypted_payload" in seen.body
    # httpx's own API reads the plaintext answer, framed for the plaintext.
    assert response.content == exchange.response.body
    assert response.headers["Content-Length"] == str(len(response.content))
    assert "Content-Encoding" not in response.headers
    if fmt == "json":
        assert response.json() == {"echo": echo}
        assert echo["received"] == QUOTE


@CASES
def test_sync(make_profile: Any, loopback: Any, auth: str, encryption: bool, fmt: str) -> None:
    profile = make_profile(auth=auth, encryption=encryption, format=fmt)
    with client_from_profile(profile) as client:
        response = client.post(quotes_path(profile.partner_id), content=dumps(QUOTE, fmt))
    check(response, loopback, auth, encryption, fmt)


@CASES
@pytest.mark.anyio
async def test_async(make_profile: Any, loopback: Any, auth: str, encryption: bool,
                     fmt: str) -> None:
    profile = make_profile(auth=auth, encryption=encryption, format=fmt)
    async with async_client_from_profile(profile) as client:
        response = await client.post(quotes_path(profile.partner_id), content=dumps(QUOTE, fmt))
    check(response, loopback, auth, encryption, fmt)


def test_the_transport_in_a_client_of_ones_own(make_profile: Any, loopback: Any) -> None:
    profile = make_profile()
    transport = XBSTransport(ClientPipeline.from_profile(profile))
    with httpx.Client(transport=transport, base_url=profile.base_url) as client:
        response = client.post("/send/x", json=QUOTE)
    check(response, loopback, "oauth1", True, "json")


@pytest.mark.anyio
async def test_the_async_transport_in_a_client_of_ones_own(make_profile: Any,
                                                          loopback: Any) -> None:
    profile = make_profile()
    transport = AsyncXBSTransport(ClientPipeline.from_profile(profile))
    async with httpx.AsyncClient(transport=transport, base_url=profile.base_url) as client:
        response = await client.post("/send/x", json=QUOTE)
    check(response, loopback, "oauth1", True, "json")


def test_the_profile_sets_base_url_and_timeout(make_profile: Any) -> None:
    profile = make_profile()
    with client_from_profile(profile) as client:
        assert str(client.base_url).rstrip("/") == profile.base_url
        assert client.timeout == httpx.Timeout(profile.timeout)
