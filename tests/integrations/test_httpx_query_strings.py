"""httpx, sync and async: a GET's query string is signed exactly as it goes on the wire."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from xbsec.integrations.httpx import async_client_from_profile, client_from_profile, exchange_of
from xbsec.oauth1 import body_hash

PATH = "/send/v1/partners/SANDBOX_1234567/crossborder"
PARAMS = [("ref", "0999999034810154901"), ("tag", "a:b/c"), ("tag", "Zoë & co"), ("empty", ""),
          ("tag", "100%")]
# httpx groups a repeated key's values in its query string; its '+' for a space is sent as
# %20, so that every reading of the query agrees (SPEC §2.5).
FROM_PARAMS = "?ref=0999999034810154901&tag=a%3Ab%2Fc&tag=Zo%C3%AB%20%26%20co&tag=100%25&empty="
ENCODED = "?ref=a%3Ab&ref=a%2Fb&name=Zo%C3%AB%20A"
CASES = pytest.mark.parametrize(("auth", "encryption"), [
    ("oauth1", True), ("oauth1", False), ("request-token", True), ("request-token", False)])


def check(response: httpx.Response, loopback: Any, profile: Any, auth: str,
          encryption: bool) -> str:
    exchange = exchange_of(response)
    echo = exchange.document()["echo"]
    target = loopback.seen[-1].target
    assert exchange.request.url == profile.base_url + target
    assert echo["target"] == target
    assert echo["auth"] == auth
    assert echo["body_hash"] == body_hash(b"")
    assert loopback.seen[-1].body == b""
    assert exchange.response.encrypted is encryption
    return target


@CASES
def test_sync(make_profile: Any, loopback: Any, auth: str, encryption: bool) -> None:
    profile = make_profile(auth=auth, encryption=encryption)
    with client_from_profile(profile) as client:
        with_params = client.get(PATH, params=PARAMS)
        assert check(with_params, loopback, profile, auth, encryption) == PATH + FROM_PARAMS
        encoded = client.get(PATH + ENCODED)
        assert check(encoded, loopback, profile, auth, encryption) == PATH + ENCODED


@CASES
@pytest.mark.anyio
async def test_async(make_profile: Any, loopback: Any, auth: str, encryption: bool) -> None:
    profile = make_profile(auth=auth, encryption=encryption)
    async with async_client_from_profile(profile) as client:
        with_params = await client.get(PATH, params=PARAMS)
        assert check(with_params, loopback, profile, auth, encryption) == PATH + FROM_PARAMS
        encoded = await client.get(PATH + ENCODED)
        assert check(encoded, loopback, profile, auth, encryption) == PATH + ENCODED
