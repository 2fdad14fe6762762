"""httpx, sync and async: XBS errors stay readable and typed; transport errors stay httpx's."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.integrations.wire import QUOTE, closed_port_url
from xbsec import BusinessError, GatewayError, PayloadError, XBSecError
from xbsec.client import ClientPipeline, OAuth1Auth
from xbsec.documents import dumps
from xbsec.integrations.httpx import (
    AsyncXBSTransport,
    XBSTransport,
    async_client_from_profile,
    client_from_profile,
    exchange_of,
)
from xbsec.oauth1 import OAuth1Signer

FORMATS = pytest.mark.parametrize(("encryption", "fmt"), [
    (True, "json"), (False, "json"), (True, "xml"), (False, "xml")])


def check_business_error(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert b"INVALID_INPUT_VALUE" in response.content
    exchange = exchange_of(response)
    assert not exchange.response.encrypted
    with pytest.raises(BusinessError) as info:
        exchange.document()
    error = info.value
    assert (error.status, error.reason_code, error.source) == (400, "INVALID_INPUT_VALUE",
                                                               "amount")
    assert error.details[0].value == "082000"
    assert isinstance(ClientPipeline.error(exchange.response), BusinessError)


@FORMATS
def test_a_business_error_sync(make_profile: Any, encryption: bool, fmt: str) -> None:
    with client_from_profile(make_profile(encryption=encryption, format=fmt)) as client:
        response = client.post("/send/x/business-error", content=dumps(QUOTE, fmt))
    check_business_error(response)


@FORMATS
@pytest.mark.anyio
async def test_a_business_error_async(make_profile: Any, encryption: bool, fmt: str) -> None:
    async with async_client_from_profile(make_profile(encryption=encryption,
                                                      format=fmt)) as client:
        response = await client.post("/send/x/business-error", content=dumps(QUOTE, fmt))
    check_business_error(response)


def test_a_gateway_refusal_is_a_gateway_error(loopback: Any, other_rsa_key_2048: Any) -> None:
    forged = ClientPipeline(OAuth1Auth(OAuth1Signer("ck!123", other_rsa_key_2048)))
    with httpx.Client(transport=XBSTransport(forged), base_url=loopback.url) as client:
        response = client.get("/send/x")
    with pytest.raises(GatewayError) as info:
        exchange_of(response).document()
    assert (info.value.status, info.value.reason_code) == (403, "AUTHENTICATION_FAILED")


def test_a_plaintext_answer_to_an_encrypted_request_is_refused_sync(make_profile: Any) -> None:
    with client_from_profile(make_profile()) as client, pytest.raises(
            PayloadError, match="not an encrypted_payload envelope"):
        client.post("/send/x/plain", content=dumps(QUOTE, "json"))


@pytest.mark.anyio
async def test_a_plaintext_answer_to_an_encrypted_request_is_refused_async(
        make_profile: Any) -> None:
    async with async_client_from_profile(make_profile()) as client:
        with pytest.raises(PayloadError, match="not an encrypted_payload envelope"):
            await client.post("/send/x/plain", content=dumps(QUOTE, "json"))


def test_connection_errors_are_httpx_own_sync(make_profile: Any) -> None:
    pipeline = ClientPipeline.from_profile(make_profile())
    with httpx.Client(transport=XBSTransport(pipeline)) as client, pytest.raises(
            httpx.ConnectError) as info:
        client.get(closed_port_url() + "/send/x")
    assert not isinstance(info.value, XBSecError)


@pytest.mark.anyio
async def test_connection_errors_are_httpx_own_async(make_profile: Any) -> None:
    pipeline = ClientPipeline.from_profile(make_profile())
    async with httpx.AsyncClient(transport=AsyncXBSTransport(pipeline)) as client:
        with pytest.raises(httpx.ConnectError) as info:
            await client.get(closed_port_url() + "/send/x")
    assert not isinstance(info.value, XBSecError)
