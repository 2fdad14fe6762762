"""What ``repr()`` shows of a value that holds a secret: never the secret.

Reprs end up in logs, tracebacks and debugger sessions. An ``Authorization`` value is a
credential (a bearer token is valid for minutes, an OAuth 1.0a signature until its nonce
is used); a decrypted body is what encryption was for. A repr shows the scheme at most,
and sizes instead of bodies.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest

from xbsec.client.exchange import Exchange
from xbsec.client.pipeline import ClientPipeline, IncomingResponse, OutgoingRequest

SIGNATURE = "c2VjcmV0LXNpZ25hdHVyZS1ub2JvZHktbXVzdC1zZWU"
OAUTH = (f'OAuth oauth_consumer_key="ck!1",oauth_nonce="n0nc3n0nc3n0nc3x",'
         f'oauth_signature="{SIGNATURE}"')
BEARER_TOKEN = "eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LWNsYWltcw.c2VjcmV0LXNpZw"
PLAINTEXT = b'{"payment":{"sender":"Zo\xc3\xab Secretname","iban":"DE89370400440532013000"}}'


class NoAuth:
    def authorization(self, method: str, url: str, body: bytes) -> str:
        return "none"


def _request(authorization: str, body: bytes = PLAINTEXT) -> OutgoingRequest:
    return OutgoingRequest("POST", "https://h/send/x", {
        "Content-Type": "application/json", "Authorization": authorization,
        "Cookie": "session=cookie-secret"}, body, False, "json")


def _response(body: bytes = PLAINTEXT) -> IncomingResponse:
    return IncomingResponse(200, {"Content-Type": "application/json",
                                  "Set-Cookie": "session=cookie-secret"}, body, "json", True)


def _assert_hidden(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text


@pytest.mark.parametrize(("authorization", "scheme", "secrets"), [
    (OAUTH, "OAuth", [SIGNATURE, "n0nc3n0nc3n0nc3x"]),
    (f"Bearer {BEARER_TOKEN}", "Bearer", [BEARER_TOKEN, "c2VjcmV0"]),
    (BEARER_TOKEN, None, [BEARER_TOKEN, "c2VjcmV0"]),
])
def test_an_outgoing_request_shows_the_scheme_and_the_body_size(
        authorization: str, scheme: str | None, secrets: list[str]) -> None:
    text = repr(_request(authorization))
    _assert_hidden(text, *secrets, "Secretname", "DE89370400440532013000", "cookie-secret")
    if scheme is not None:
        assert f"{scheme} " in text
    assert f"{len(PLAINTEXT)} bytes" in text
    assert "https://h/send/x" in text
    assert "POST" in text
    assert "application/json" in text


def test_an_incoming_response_shows_the_body_size() -> None:
    text = repr(_response())
    _assert_hidden(text, "Secretname", "DE89370400440532013000", "cookie-secret")
    assert f"{len(PLAINTEXT)} bytes" in text
    assert "200" in text
    assert "encrypted=True" in text


def test_an_exchange_shows_neither() -> None:
    exchange = Exchange(ClientPipeline(NoAuth()), _request(f"Bearer {BEARER_TOKEN}"),
                        _response())
    text = repr(exchange)
    _assert_hidden(text, BEARER_TOKEN, "c2VjcmV0", "Secretname", "cookie-secret")
    assert "Bearer " in text


def test_the_values_still_hold_everything() -> None:
    request = _request(OAUTH)
    assert request.headers["Authorization"] == OAUTH
    assert request.body == PLAINTEXT
    assert _response().body == PLAINTEXT


def test_a_signed_request_hides_its_signature(rsa_key_2048: Any) -> None:
    from xbsec.oauth1 import OAuth1Signer

    signed = OAuth1Signer("ck!1", rsa_key_2048).sign("POST", "https://h/x", PLAINTEXT)
    signature = signed.authorization.rpartition('oauth_signature="')[2].rstrip('"')
    text = repr(signed)
    _assert_hidden(text, signature, signature[:12])
    assert "OAuth " in text
    assert signed.nonce in text
    assert signed.body_hash in text


def test_an_endpoint_call_hides_the_document_it_will_send() -> None:
    from xbsec.client.endpoints import Call

    call = Call("POST", "/send/x", document={"paymentrequest": {"sender": "Secretname"}})
    text = repr(call)
    _assert_hidden(text, "Secretname")
    assert "/send/x" in text


def test_pem_blocks_and_key_bags_hide_their_bytes() -> None:
    from xbsec.keys._formats import Kind, PemBlock
    from xbsec.keys._pkcs12 import _KeyBag

    der = b"0\x82\x04\xa4private-key-bytes"
    block = PemBlock("PRIVATE KEY", b"-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n",
                     get_args(Kind)[0], False)
    _assert_hidden(repr(block), "c2VjcmV0")
    _assert_hidden(repr(_KeyBag("alias", der, False)), "private-key-bytes")


def test_what_already_hid_its_secrets_still_does() -> None:
    from xbsec.keys.project import KeyFile
    from xbsec.oauth2.token_set import TokenSet

    tokens = TokenSet(access_token="access-secret", refresh_token="refresh-secret",
                      expires_at=2.0, obtained_at=1.0)
    _assert_hidden(repr(tokens), "access-secret", "refresh-secret")
    _assert_hidden(repr(KeyFile("k.p12", password="pw-secret")), "pw-secret")
