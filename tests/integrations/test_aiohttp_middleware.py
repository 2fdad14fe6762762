"""The aiohttp middleware over real HTTP against the loopback gateway (tests/loopback.py)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

aiohttp = pytest.importorskip("aiohttp")

from yarl import URL  # noqa: E402

from xbsec import BusinessError, GatewayError, PayloadError, SigningError  # noqa: E402
from xbsec.client import ClientPipeline, OAuth1Auth  # noqa: E402
from xbsec.documents import dumps  # noqa: E402
from xbsec.integrations.aiohttp import (  # noqa: E402
    exchange_of,
    session_from_profile,
    xbsec_middleware,
)
from xbsec.oauth1 import OAuth1Signer, body_hash  # noqa: E402

pytestmark = pytest.mark.anyio

QUOTE = {"quoterequest": {"transaction_reference": "0999999034810154901",
                          "payment_amount": {"amount": "100.00", "currency": "EUR"},
                          "sender": {"name": "Zoë Ångström"}}}
QUOTES = "send/v1/partners/SANDBOX_1234567/crossborder/quotes"


def oauth_body_hash(authorization: str) -> str:
    for part in authorization.removeprefix("OAuth ").split(","):
        name, _, value = part.partition("=")
        if name == "oauth_body_hash":
            return value.strip('"')
    raise AssertionError("no oauth_body_hash")


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
@pytest.mark.parametrize("encryption", [True, False])
async def test_json_post_is_signed_over_the_bytes_the_server_received(
        make_profile: Any, loopback: Any, auth: str, encryption: bool) -> None:
    profile = make_profile(auth=auth, encryption=encryption)
    async with (session_from_profile(profile) as session,
                session.post(QUOTES, json=QUOTE) as response):
        assert response.status == 200
        exchange = exchange_of(response)
        answer = exchange.document()
        as_json = await response.json()
    seen = loopback.seen[-1]
    assert exchange.request.body == seen.body  # the bytes signed are the bytes received
    assert exchange.request.encrypted is encryption
    assert exchange.response.encrypted is encryption
    echo = answer["echo"]
    assert as_json == answer
    assert (echo["auth"], seen.auth) == (auth, auth)
    assert echo["body_hash"] == body_hash(seen.body)
    assert echo["received"] == QUOTE
    # aiohttp serialised json= once; those bytes are the plaintext, never re-serialised
    assert seen.plaintext == json.dumps(QUOTE).encode()
    assert (seen.headers.get("x-encrypted") == "true") is encryption
    assert seen.body.startswith(b'{"encrypted_payload"') is encryption
    assert seen.headers["Content-Type"] == "application/json"
    if auth == "oauth1":
        assert oauth_body_hash(seen.headers["Authorization"]) == body_hash(seen.body)


@pytest.mark.parametrize("encryption", [True, False])
async def test_xml_bodies_take_the_profile_format(make_profile: Any, loopback: Any,
                                                  encryption: bool) -> None:
    profile = make_profile(format="xml", encryption=encryption)
    xml = dumps(QUOTE, "xml")
    async with (session_from_profile(profile) as session,
                session.post(QUOTES, data=xml) as response):
        answer = exchange_of(response).document()
        text = await response.text()
    seen = loopback.seen[-1]
    assert text.startswith("<?xml")
    assert "encrypted_payload" not in text
    assert answer["echo"]["body_hash"] == body_hash(seen.body)
    assert seen.plaintext == xml
    assert seen.headers["Content-Type"] == "application/xml"
    assert seen.headers["Accept"] == "application/xml"
    assert seen.body.startswith(b"<?xml")
    assert (b"<encrypted_payload>" in seen.body) is encryption


async def test_an_explicit_content_type_chooses_the_format(make_profile: Any,
                                                           loopback: Any) -> None:
    profile = make_profile(format="json", encryption=True)
    xml = dumps(QUOTE, "xml")
    async with (session_from_profile(profile) as session,
                session.post(QUOTES, data=xml,
                             headers={"content-type": "application/xml"}) as response):
        exchange_of(response).document()
    assert loopback.seen[-1].headers["Content-Type"] == "application/xml"
    assert loopback.seen[-1].plaintext == xml


@pytest.mark.parametrize("encryption", [True, False])
async def test_non_ascii_bytes_cross_unchanged(make_profile: Any, loopback: Any,
                                               encryption: bool) -> None:
    raw = '{"quoterequest":{"sender":{"name":"Zoë Ångström 山田"},  "b":1}}'.encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    async with (session_from_profile(make_profile(encryption=encryption)) as session,
                session.post(QUOTES, data=raw, headers=headers) as response):
        answer = exchange_of(response).document()
    seen = loopback.seen[-1]
    assert seen.plaintext == raw
    assert answer["echo"]["received"]["quoterequest"]["sender"]["name"] == "Zoë Ångström 山田"
    assert answer["echo"]["body_hash"] == body_hash(seen.body)
    if not encryption:
        assert seen.body == raw


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
@pytest.mark.parametrize("encryption", [True, False])
async def test_get_with_a_query_string_is_signed(make_profile: Any, loopback: Any, auth: str,
                                                 encryption: bool) -> None:
    profile = make_profile(auth=auth, encryption=encryption)
    path = "send/v1/partners/SANDBOX_1234567/crossborder"
    async with session_from_profile(profile) as session:
        async with session.get(path, params={"ref": "0999999034810154901",
                                             "note": "a:b c/ü"}) as response:
            answer = exchange_of(response).document()
        # aiohttp requotes a URL it is given as text (a:b); the middleware sends the query
        # percent-encoded, as it signs it (SPEC §2.5)
        async with session.get(path + "?ref=0999&x=a%3Ab") as response:
            requoted = exchange_of(response).document()
        # and keeps one marked as already encoded exactly
        exact = URL(f"{profile.base_url}/{path}?ref=0999&x=a%3Ab", encoded=True)
        async with session.get(exact) as response:
            kept = exchange_of(response).document()
    assert answer["echo"]["method"] == "GET"
    assert answer["echo"]["target"].startswith(f"/{path}?ref=0999999034810154901&note=")
    assert requoted["echo"]["target"] == f"/{path}?ref=0999&x=a%3Ab"
    assert kept["echo"]["target"] == f"/{path}?ref=0999&x=a%3Ab"
    seen = loopback.seen[-1]
    assert seen.body == b""
    assert (seen.headers.get("x-encrypted") == "true") is encryption
    assert answer["echo"]["body_hash"] == body_hash(b"")


async def test_an_encrypted_response_is_plaintext_to_every_reader(make_profile: Any) -> None:
    async with (session_from_profile(make_profile(encryption=True)) as session,
                session.post(QUOTES, json=QUOTE) as response):
        body = await response.read()
        assert response.content_length == len(body)
        assert "Content-Encoding" not in response.headers
        assert json.loads(body) == await response.json()
        assert await response.text() == body.decode()
        assert b"encrypted_payload" not in body


async def test_business_errors_are_typed(make_profile: Any) -> None:
    profile = make_profile(encryption=True)
    async with (session_from_profile(profile) as session,
                session.post("business-error", json=QUOTE) as response):
        assert response.status == 400
        with pytest.raises(BusinessError) as info:
            exchange_of(response).document()
    error = info.value
    assert (error.status, error.reason_code, error.source) == (400, "INVALID_INPUT_VALUE",
                                                               "amount")
    assert error.details[0].value == "082000"


async def test_a_forged_signature_is_a_gateway_error(make_profile: Any,
                                                     other_rsa_key_2048: Any) -> None:
    profile = make_profile(encryption=False)
    forged = ClientPipeline(OAuth1Auth(OAuth1Signer("ck!123", other_rsa_key_2048)))
    async with (aiohttp.ClientSession(middlewares=[xbsec_middleware(forged)]) as session,
                session.get(profile.base_url + "/x") as response):
        with pytest.raises(GatewayError) as info:
            exchange_of(response).document()
    assert (info.value.status, info.value.reason_code) == (403, "AUTHENTICATION_FAILED")


async def test_a_plaintext_answer_to_an_encrypted_request_is_refused(make_profile: Any) -> None:
    async with session_from_profile(make_profile(encryption=True)) as session:
        with pytest.raises(PayloadError, match="not an encrypted_payload envelope"):
            await session.post("plain", json=QUOTE)


async def test_a_request_to_another_origin_is_not_signed(make_profile: Any,
                                                         loopback: Any) -> None:
    before = len(loopback.seen)
    async with session_from_profile(make_profile()) as session:
        with pytest.raises(SigningError, match="bound to"):
            await session.get("http://localhost:1/elsewhere")
    assert len(loopback.seen) == before


async def test_a_retried_request_is_encrypted_and_signed_afresh(make_profile: Any,
                                                                loopback: Any) -> None:
    attempts: list[str] = []

    async def retry(request: Any, handler: Any) -> Any:
        for _ in range(3):
            response = await handler(request)
            attempts.append(request.headers["Authorization"])
            if response.status != 503:
                return response
            response.release()
        return response

    path = f"flaky?run={uuid.uuid4().hex}"
    async with (session_from_profile(make_profile(encryption=True),
                                     middlewares=[retry]) as session,
                session.post(path, json=QUOTE) as response):
        answer = exchange_of(response).document()
    assert len(attempts) == 3
    assert len(set(attempts)) == 3  # a new nonce every time
    assert answer["echo"]["received"] == QUOTE  # the plaintext, not the ciphertext again
    assert loopback.seen[-1].plaintext == json.dumps(QUOTE).encode()


async def test_a_middleware_without_a_profile(make_profile: Any, loopback: Any) -> None:
    profile = make_profile(encryption=True)
    pipeline = ClientPipeline.from_profile(profile)
    async with (aiohttp.ClientSession(middlewares=[xbsec_middleware(pipeline)]) as session,
                session.put(profile.base_url + "/anything", json=QUOTE) as response):
        answer = exchange_of(response).document()
    assert answer["echo"]["method"] == "PUT"
    assert answer["echo"]["body_hash"] == body_hash(loopback.seen[-1].body)


async def test_exchange_of_needs_the_middleware(loopback: Any) -> None:
    from xbsec import ConfigurationError

    async with (aiohttp.ClientSession() as session,
                session.get(loopback.url + "/x") as response):
        with pytest.raises(ConfigurationError, match="xbsec_middleware"):
            exchange_of(response).document()


async def test_a_compressed_body_is_refused(make_profile: Any, loopback: Any) -> None:
    before = len(loopback.seen)
    async with session_from_profile(make_profile(encryption=False)) as session:
        with pytest.raises(PayloadError, match="compress"):
            await session.post(QUOTES, json=QUOTE, compress=True)
    assert len(loopback.seen) == before
