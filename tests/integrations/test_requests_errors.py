"""requests: XBS errors stay readable and typed; transport errors stay requests' own."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integrations.wire import QUOTE, closed_port_url
from xbsec import BusinessError, GatewayError, PayloadError, XBSecError
from xbsec.client import ClientPipeline, OAuth1Auth
from xbsec.documents import dumps
from xbsec.integrations.requests import XBSSession, exchange_of
from xbsec.oauth1 import OAuth1Signer


@pytest.mark.parametrize("encryption", [True, False])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_business_error_is_plaintext_and_typed(make_profile: Any, encryption: bool,
                                                 fmt: str) -> None:
    profile = make_profile(encryption=encryption, format=fmt)
    with XBSSession(profile) as session:
        response = session.post("/send/x/business-error", data=dumps(QUOTE, fmt))
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
    assert isinstance(exchange.error(), BusinessError)
    assert isinstance(ClientPipeline.error(exchange.response), BusinessError)
    if fmt == "json":
        assert response.json()["Errors"]["Error"][0]["ReasonCode"] == "INVALID_INPUT_VALUE"


def test_a_gateway_refusal_is_a_gateway_error(make_profile: Any, loopback: Any,
                                              other_rsa_key_2048: Any) -> None:
    forged = ClientPipeline(OAuth1Auth(OAuth1Signer("ck!123", other_rsa_key_2048)))
    with XBSSession(forged, base_url=loopback.url) as session:
        response = session.get("/send/x")
    with pytest.raises(GatewayError) as info:
        exchange_of(response).document()
    assert (info.value.status, info.value.reason_code) == (403, "AUTHENTICATION_FAILED")


def test_a_plaintext_answer_to_an_encrypted_request_is_refused(make_profile: Any) -> None:
    with XBSSession(make_profile(encryption=True)) as session, pytest.raises(
            PayloadError, match="not an encrypted_payload envelope"):
        session.post("/send/x/plain", data=dumps(QUOTE, "json"))


def test_connection_errors_are_requests_own(make_profile: Any) -> None:
    with XBSSession(make_profile(), base_url=closed_port_url()) as session, pytest.raises(
            requests.ConnectionError) as info:
        session.get("/send/x")
    assert not isinstance(info.value, XBSecError)
