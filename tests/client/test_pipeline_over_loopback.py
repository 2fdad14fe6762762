"""The sans-I/O pipeline driven by the standard library's http.client against a real server."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import pytest

from xbsec import ApiError, BusinessError, GatewayError, PayloadError
from xbsec.client import ClientPipeline
from xbsec.oauth1 import body_hash

QUOTE = {"quoterequest": {"transaction_reference": "0999999034810154901",
                          "payment_amount": {"amount": "100.00", "currency": "EUR"},
                          "sender": {"name": "Zoë Ångström"}}}


def send(out: Any) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(out.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request(out.method, target, body=out.body, headers=out.headers)
    reply = connection.getresponse()
    data = reply.read()
    connection.close()
    return reply.status, dict(reply.getheaders()), data


def roundtrip(pipeline: ClientPipeline, method: str, url: str, **kwargs: Any) -> Any:
    out = pipeline.request(method, url, **kwargs)
    status, headers, body = send(out)
    return out, pipeline.document(pipeline.response(out, status, headers, body))


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
@pytest.mark.parametrize("encryption", [True, False])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_round_trip(make_profile, loopback, auth, encryption, fmt) -> None:
    profile = make_profile(auth=auth, encryption=encryption, format=fmt)
    pipeline = ClientPipeline.from_profile(profile)
    url = f"{profile.base_url}/send/v1/partners/{profile.partner_id}/crossborder/quotes"
    out, answer = roundtrip(pipeline, "POST", url, document=QUOTE)
    echo = answer["echo"]
    assert echo["auth"] == auth
    assert echo["method"] == "POST"
    # the server hashed exactly the bytes the client signed
    assert echo["body_hash"] == body_hash(out.body)
    assert loopback.seen[-1].body == out.body
    assert out.encrypted is encryption
    assert (out.headers.get("x-encrypted") == "true") is encryption
    if encryption:
        assert out.body.startswith(b'{"encrypted_payload"' if fmt == "json" else b"<?xml")
    if fmt == "json":
        assert echo["received"] == QUOTE
    assert out.headers["Content-Type"] == f"application/{fmt}"


@pytest.mark.parametrize("encryption", [True, False])
def test_get_with_a_query_string(make_profile, encryption) -> None:
    profile = make_profile(encryption=encryption)
    pipeline = ClientPipeline.from_profile(profile)
    url = f"{profile.base_url}/send/v1/partners/P/crossborder?ref=0999999034810154901&x=a%3Ab"
    out, answer = roundtrip(pipeline, "GET", url)
    assert out.body == b""
    assert answer["echo"]["target"].endswith("?ref=0999999034810154901&x=a%3Ab")


def test_a_body_given_as_bytes_is_sent_unchanged(make_profile, loopback) -> None:
    profile = make_profile(encryption=False)
    pipeline = ClientPipeline.from_profile(profile)
    raw = b'{"quoterequest":{"b":2,  "a":1}}'
    out, _ = roundtrip(pipeline, "POST", profile.base_url + "/x", body=raw,
                       headers={"content-type": "application/json; charset=utf-8"})
    assert out.body == raw
    assert loopback.seen[-1].body == raw
    assert out.headers["Content-Type"] == "application/json; charset=utf-8"


def test_business_errors_are_typed(make_profile) -> None:
    pipeline = ClientPipeline.from_profile(make_profile())
    with pytest.raises(BusinessError) as info:
        roundtrip(pipeline, "POST", make_profile().base_url + "/business-error", document=QUOTE)
    error = info.value
    assert (error.status, error.reason_code, error.source) == (400, "INVALID_INPUT_VALUE",
                                                               "amount")
    assert error.details[0].value == "082000"
    assert error.recoverable is False


def test_gateway_refusals_are_gateway_errors(make_profile, other_rsa_key_2048) -> None:
    from xbsec.client import OAuth1Auth
    from xbsec.oauth1 import OAuth1Signer

    profile = make_profile(encryption=False)
    forged = ClientPipeline(OAuth1Auth(OAuth1Signer("ck!123", other_rsa_key_2048)))
    with pytest.raises(GatewayError) as info:
        roundtrip(forged, "GET", profile.base_url + "/x")
    assert (info.value.status, info.value.reason_code) == (403, "AUTHENTICATION_FAILED")


def test_an_html_error_page_is_still_a_typed_error(make_profile) -> None:
    pipeline = ClientPipeline.from_profile(make_profile(encryption=False))
    with pytest.raises(ApiError) as info:
        roundtrip(pipeline, "GET", make_profile(encryption=False).base_url + "/html-error")
    assert info.value.status == 502
    assert info.value.reason_code == "UNEXPECTED_RESPONSE"
    assert "502 Bad Gateway" in info.value.description


def test_a_plaintext_answer_to_an_encrypted_request_is_refused(make_profile) -> None:
    pipeline = ClientPipeline.from_profile(make_profile())
    with pytest.raises(PayloadError, match="not an encrypted_payload envelope"):
        roundtrip(pipeline, "POST", make_profile().base_url + "/plain", document=QUOTE)
