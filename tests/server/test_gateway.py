"""XBSGateway in front of an echo application: every path of SPEC §2.7, §3.8 and §5.4."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.server.gateway_fixture import (
    PARTNER,
    ASGIClient,
    World,
    certificate_pem,
    echo_app,
)
from xbsec import jwe_encrypt
from xbsec.client import ClientPipeline, Encryption, OAuth1Auth, RequestTokenAuth
from xbsec.oauth1 import OAuth1Signer
from xbsec.oauth2 import RequestTokenMinter
from xbsec.payload import decrypt_payload, wrap
from xbsec.policy import SecurityPolicy
from xbsec.server.gateway import XBSGateway

BASE = "http://testserver"
QUOTES = f"/send/v1/partners/{PARTNER}/crossborder/quotes"
DOC = {"quoterequest": {"amount": "100.00", "name": "Zoë"}}


def gateway(world: World, **options: Any) -> XBSGateway:
    options.setdefault("policy", SecurityPolicy.mastercard_compatible())
    options.setdefault("external_url", BASE)
    return XBSGateway(echo_app, world.registry, **options)


def pipeline(world: World, party: str = "plain", *, encrypt: bool = False,
             token: bool = False) -> ClientPipeline:
    who = getattr(world, party)
    auth: Any = (RequestTokenAuth(RequestTokenMinter(who.consumer_key, who.signing_key,
                                                     who.signing_certificate))
                 if token else OAuth1Auth(OAuth1Signer(who.consumer_key, who.signing_key)))
    encryption = Encryption(world.client_encryption_certificate,
                            world.mastercard_encryption_key) if encrypt else None
    return ClientPipeline(auth, encryption=encryption)


def call(app: Any, pipe: ClientPipeline, method: str, path: str, **kwargs: Any) -> Any:
    out = pipe.request(method, BASE + path, **kwargs)
    with ASGIClient(app) as client:
        response = client.request(out.method, out.url, content=out.body, headers=out.headers)
    return out, response


def refusal(response: Any) -> tuple[int, str, str]:
    error = response.json()["Errors"]["Error"][0]
    return response.status_code, error["ReasonCode"], error["Source"]


def test_a_signed_request_reaches_the_app_with_the_caller(world) -> None:
    _, response = call(gateway(world), pipeline(world), "POST", QUOTES, document=DOC)
    assert response.status_code == 200
    echo = response.json()["echo"]
    assert json.loads(echo["body"]) == DOC
    caller = echo["xbsec"]
    assert caller["consumer_key"] == world.plain.consumer_key
    assert caller["partner_ids"] == [PARTNER]
    assert (caller["auth"], caller["psd2"], caller["encrypted"]) == ("oauth1", False, False)
    assert response.headers["x-request-id"] == caller["request_id"]


def test_an_encrypted_request_is_decrypted_and_the_answer_encrypted(world) -> None:
    _, response = call(gateway(world), pipeline(world, encrypt=True), "POST", QUOTES,
                       document=DOC)
    assert response.status_code == 200
    assert response.content.startswith(b'{"encrypted_payload":{"data":"')
    plaintext = decrypt_payload(response.content, world.mastercard_encryption_key)
    echo = json.loads(plaintext)["echo"]
    assert json.loads(echo["body"]) == DOC
    assert echo["xbsec"]["encrypted"] is True


def test_errors_from_the_app_stay_plaintext(world) -> None:
    _, response = call(gateway(world), pipeline(world, encrypt=True), "GET",
                       f"/send/v1/partners/{PARTNER}/crossborder/missing")
    assert response.status_code == 404
    assert response.json()["Errors"]["Error"]["ReasonCode"] == "RESOURCE_UNKNOWN"


def test_request_tokens_for_psd2_consumers(world) -> None:
    _, response = call(gateway(world), pipeline(world, "psd2", token=True), "GET",
                       "/send/v1/partners/PSD2_1/crossborder/rates")
    assert response.status_code == 200
    assert response.json()["echo"]["xbsec"]["auth"] == "request-token"


@pytest.mark.parametrize(("header", "status", "reason"), [
    (None, 400, "INVALID_AUTH_HEADER"),
    ("Basic dXNlcjpwYXNz", 400, "INVALID_AUTH_HEADER"),
    ('OAuth oauth_nonce="x"', 400, "INVALID_AUTH_HEADER"),
    ("Bearer not-a-token", 401, "INVALID_AUTH_HEADER"),
    ("Bearer ", 401, "INVALID_AUTH_HEADER"),
    ("not-a-token", 400, "INVALID_AUTH_HEADER"),
    ("Bearer a.b.c", 401, "INVALID_AUTH_HEADER"),
])
def test_malformed_authorization(world, header, status, reason) -> None:
    headers = {} if header is None else {"Authorization": header}
    with ASGIClient(gateway(world)) as client:
        response = client.get(QUOTES, headers=headers)
    assert refusal(response)[:2] == (status, reason)
    assert refusal(response)[2] == "Gateway"


def test_oauth1_refusals_map_to_their_status(world) -> None:
    app = gateway(world)
    pipe = pipeline(world)
    out = pipe.request("POST", BASE + QUOTES, document=DOC)
    with ASGIClient(app) as client:
        ok = client.post(QUOTES, content=out.body, headers=out.headers)
        replay = client.post(QUOTES, content=out.body, headers=out.headers)
        other = pipe.request("POST", BASE + QUOTES, document=DOC)
        tampered = client.post(QUOTES, content=other.body.replace(b"100.00", b"900.00"),
                               headers=other.headers)
        moved = pipe.request("POST", BASE + QUOTES, document=DOC)
        wrong_url = client.post(QUOTES + "x", content=moved.body, headers=moved.headers)
    assert ok.status_code == 200
    assert refusal(replay)[:2] == (401, "NONCE_REPLAYED")
    assert refusal(tampered) == (401, "INVALID_BODY_HASH", "OAuth.BodyHash")
    assert refusal(wrong_url)[:2] == (403, "AUTHENTICATION_FAILED")


def test_stale_timestamp_and_unknown_consumer(world) -> None:
    stale = OAuth1Signer(world.plain.consumer_key, world.plain.signing_key,
                         clock=lambda: 1_000_000_000)
    _, response = call(gateway(world), ClientPipeline(OAuth1Auth(stale)), "GET", QUOTES)
    assert refusal(response)[:2] == (401, "INVALID_TIMESTAMP")
    stranger = OAuth1Signer("nobody-knows-me", world.plain.signing_key)
    _, response = call(gateway(world), ClientPipeline(OAuth1Auth(stranger)), "GET", QUOTES)
    assert refusal(response)[:2] == (401, "DECLINED")


def test_a_consumer_of_another_environment_is_declined(world) -> None:
    _, response = call(gateway(world, environment="sandbox"), pipeline(world, "noenc"), "GET",
                       "/send/v1/partners/NOENC_1/crossborder/rates")
    assert refusal(response)[:2] == (401, "DECLINED")


@pytest.mark.parametrize("path", ["/send/v1/partners/OTHER/crossborder/quotes",
                                  "/send/partners/OTHER/crossborder/accounts",
                                  "/send/v1/partners/SANDBOX%5F1x/crossborder"])
def test_a_partner_id_the_consumer_is_not_entitled_to(world, path) -> None:
    _, response = call(gateway(world), pipeline(world), "GET", path)
    assert refusal(response)[:2] == (401, "DECLINED")


def test_a_partner_id_encoded_twice_is_not_read_at_all(world) -> None:
    # Decoded once by the server it is "SANDBOX%5F1"; an application decoding again would
    # read SANDBOX_1. Neither reading is taken: the path is refused.
    _, response = call(gateway(world), pipeline(world), "GET",
                       "/send/v1/partners/SANDBOX%255F1/crossborder")
    assert refusal(response)[:2] == (400, "INVALID_REQUEST")


def test_endpoint_guide_partner_comes_from_the_header(world) -> None:
    path = "/crossborder/endpoint-guide/specifications?payment_type=P2P"
    _, ok = call(gateway(world), pipeline(world), "GET", path,
                 headers={"Partner-Ref-Id": PARTNER})
    assert ok.status_code == 200
    _, refused = call(gateway(world), pipeline(world), "GET", path,
                      headers={"Partner-Ref-Id": "OTHER"})
    assert refusal(refused)[:2] == (401, "DECLINED")


def test_auth_mode_must_match_the_consumer(world) -> None:
    _, response = call(gateway(world), pipeline(world, "psd2"), "GET",
                       "/send/v1/partners/PSD2_1/crossborder/rates")
    assert refusal(response)[:2] == (401, "DECLINED")
    assert "request tokens" in response.json()["Errors"]["Error"][0]["Description"]
    _, response = call(gateway(world), pipeline(world, token=True), "GET", QUOTES)
    assert refusal(response)[:2] == (401, "DECLINED")
    _, response = call(gateway(world), pipeline(world, "psd2", token=True), "GET",
                       "/send/partners/PSD2_1/crossborder/accounts")
    assert refusal(response)[:2] == (401, "DECLINED")
    assert "access token" in response.json()["Errors"]["Error"][0]["Description"]


def test_access_tokens_only_on_balance_paths(world) -> None:
    class Tokens:
        def validate(self, token: str, *, path: str) -> str:
            if token != "good-access-token":
                from xbsec import AccessDeniedError

                raise AccessDeniedError("invalid access token")
            return world.psd2.consumer_key

    app = gateway(world, access_tokens=Tokens())
    with ASGIClient(app) as client:
        ok = client.get("/send/partners/PSD2_1/crossborder/accounts",
                        headers={"Authorization": "Bearer good-access-token"})
        bare = client.get("/send/partners/PSD2_1/crossborder/accounts/a1",
                          headers={"Authorization": "good-access-token"})
        elsewhere = client.get("/send/v1/partners/PSD2_1/crossborder/quotes",
                               headers={"Authorization": "Bearer good-access-token"})
        bad = client.get("/send/partners/PSD2_1/crossborder/accounts",
                         headers={"Authorization": "Bearer bad"})
    assert ok.status_code == 200
    assert ok.json()["echo"]["xbsec"]["auth"] == "access-token"
    assert bare.status_code == 200
    assert refusal(elsewhere)[:2] == (401, "DECLINED")
    assert refusal(bad)[:2] == (401, "DECLINED")


def test_encryption_refusals_of_spec_3_8(world) -> None:
    app = gateway(world)

    def send(body: bytes, party: str = "plain", path: str = QUOTES) -> Any:
        who = getattr(world, party)
        signer = OAuth1Signer(who.consumer_key, who.signing_key)
        headers = {"Authorization": signer.authorization_header("POST", BASE + path, body),
                   "Content-Type": "application/json", "x-encrypted": "true"}
        with ASGIClient(app) as client:
            return client.post(path, content=body, headers=headers)

    assert refusal(send(b'{"not":"an envelope"}')) == (400, "INVALID_INPUT_FORMAT",
                                                       "encrypted_payload")
    assert refusal(send(wrap("a.b.c.d.e"))) == (400, "REQUEST_DECRYPT_FAILED",
                                                "encrypted_payload.data")
    stranger = jwe_encrypt(b"{}", world.mastercard_encryption_certificate)
    assert refusal(send(wrap(stranger)))[:2] == (400, "DECRYPT_PRIVATE_KEY_NOT_FOUND")
    good = jwe_encrypt(b'{"a":1}', world.client_encryption_certificate)
    parts = good.split(".")
    parts[4] = ("A" if parts[4][0] != "A" else "B") + parts[4][1:]
    assert refusal(send(wrap(".".join(parts))))[:2] == (400, "REQUEST_DECRYPT_FAILED")
    assert refusal(send(wrap(good), "noenc", "/send/v1/partners/NOENC_1/x"))[:2] == (
        400, "ENCRYPTION_NOT_ENABLED")


@pytest.mark.parametrize("content_type", ["application/json", "application/xml"])
def test_an_encrypted_body_without_its_header_says_the_header_is_missing(
        world, content_type) -> None:
    token = jwe_encrypt(b'{"a":1}', world.client_encryption_certificate)
    body = wrap(token, content_type)
    signer = OAuth1Signer(world.plain.consumer_key, world.plain.signing_key)
    headers = {"Authorization": signer.authorization_header("POST", BASE + QUOTES, body),
               "Content-Type": content_type, "Accept": "application/json"}
    with ASGIClient(gateway(world)) as client:
        response = client.post(QUOTES, content=body, headers=headers)
    assert response.status_code == 400
    # The refusal comes in the request's format; both say the same.
    for part in ("<Source>x-encrypted</Source>", "<ReasonCode>INVALID_INPUT_FORMAT</ReasonCode>",
                 "x-encrypted: true header is missing") if "xml" in content_type else (
                 '"Source":"x-encrypted"', '"ReasonCode":"INVALID_INPUT_FORMAT"',
                 "x-encrypted: true header is missing"):
        assert part in response.text


def test_encryption_required_and_off(world) -> None:
    _, response = call(gateway(world), pipeline(world, "strict"), "POST",
                       "/send/v1/partners/STRICT_1/crossborder/quotes", document=DOC)
    assert refusal(response) == (400, "ENCRYPTION_REQUIRED", "encrypted_payload")
    _, response = call(gateway(world), pipeline(world, "strict", encrypt=True), "POST",
                       "/send/v1/partners/STRICT_1/crossborder/quotes", document=DOC)
    assert response.status_code == 200
    off = gateway(world)
    off.environment = None
    _, response = call(off, pipeline(world, "noenc", encrypt=True), "POST",
                       "/send/v1/partners/NOENC_1/crossborder/quotes", document=DOC)
    assert refusal(response)[:2] == (400, "ENCRYPTION_NOT_ENABLED")


def presenting(inner: Any, pem: str) -> Any:
    """``inner`` behind a TLS connection that presented the certificate ``pem``."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope.setdefault("extensions", {})["tls"] = {"client_cert_chain": [pem]}
        await inner(scope, receive, send)

    return app


def test_an_mtls_consumer_without_a_client_certificate(world) -> None:
    _, response = call(gateway(world), pipeline(world, "mtls"), "GET",
                       "/send/v1/partners/MTLS_1/crossborder/rates")
    assert refusal(response)[:2] == (422, "INVALID_CLIENT_CERT")

    app = presenting(gateway(world), certificate_pem(world.tls_client_certificate))
    _, response = call(app, pipeline(world, "mtls"), "GET",
                       "/send/v1/partners/MTLS_1/crossborder/rates")
    assert response.status_code == 200


def test_oversized_bodies_are_413(world) -> None:
    app = gateway(world, policy=SecurityPolicy.mastercard_compatible().replace(
        max_body_bytes=100))
    _, response = call(app, pipeline(world), "POST", QUOTES,
                       document={"quoterequest": {"x": "y" * 200}})
    assert refusal(response)[:2] == (413, "REQUEST_TOO_LARGE")


def test_a_replay_store_that_is_down_is_503(world) -> None:
    class Down:
        def claim(self, key: str, ttl: float) -> bool:
            raise ConnectionError

    _, response = call(gateway(world, replay_store=Down()), pipeline(world), "GET", QUOTES)
    assert refusal(response)[:2] == (503, "SERVICE_UNAVAILABLE")


def test_an_async_replay_store_is_awaited(world) -> None:
    from xbsec.stores.replay import MemoryReplayStore

    class AsyncStore:
        def __init__(self) -> None:
            self.inner = MemoryReplayStore()
            self.calls = 0

        async def claim(self, key: str, ttl: float) -> bool:
            self.calls += 1
            return self.inner.claim(key, ttl)

    store = AsyncStore()
    app = gateway(world, replay_store=store)
    out = pipeline(world).request("GET", BASE + QUOTES)
    with ASGIClient(app) as client:
        assert client.get(QUOTES, headers=out.headers).status_code == 200
        assert refusal(client.get(QUOTES, headers=out.headers))[:2] == (401, "NONCE_REPLAYED")
    assert store.calls == 2


def test_an_exception_in_the_app_is_a_plain_500(world, caplog) -> None:
    _, response = call(gateway(world), pipeline(world), "GET",
                       f"/send/v1/partners/{PARTNER}/crossborder/boom")
    assert refusal(response)[:2] == (500, "INTERNAL_ERROR")
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text


def test_errors_come_back_in_xml_for_xml_requests(world) -> None:
    with ASGIClient(gateway(world)) as client:
        response = client.get(QUOTES, headers={"Content-Type": "application/xml"})
    assert response.status_code == 400
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?><Errors><Error>')
    assert "<ReasonCode>INVALID_AUTH_HEADER</ReasonCode>" in response.text


def test_request_ids_are_kept_or_made(world) -> None:
    with ASGIClient(gateway(world)) as client:
        kept = client.get(QUOTES, headers={"X-Request-Id": "abc-123"})
        replaced = client.get(QUOTES, headers={"X-Request-Id": "bad id\n"})
    assert kept.headers["x-request-id"] == "abc-123"
    assert len(replaced.headers["x-request-id"]) == 32


def test_the_access_log_holds_no_secret(world, caplog) -> None:
    caplog.set_level(logging.INFO, logger="xbsec.gateway")
    out, response = call(gateway(world), pipeline(world, encrypt=True), "POST", QUOTES,
                         document=DOC)
    assert response.status_code == 200
    text = caplog.text
    assert "POST " + QUOTES + " 200" in text
    assert out.headers["Authorization"][20:60] not in text
    assert "Zoë" not in text
    assert "100.00" not in text
    assert world.plain.consumer_key not in text
    assert world.plain.consumer_key[:8] in text


def test_exempt_paths_and_non_http_scopes_pass_through(world) -> None:
    app = gateway(world, exempt_paths=["/health"])
    with ASGIClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["echo"]["xbsec"] is None


def test_external_url_is_used_to_rebuild_the_signed_url(world) -> None:
    pipe = pipeline(world)
    out = pipe.request("GET", "https://api.example.com" + QUOTES)
    app = gateway(world, external_url="https://api.example.com/")
    with ASGIClient(app) as client:
        response = client.get(QUOTES, headers=out.headers)
    assert response.status_code == 200


HUGE_INTEGER = b"9" * 5_000  # past Python's 4,300-digit limit on int() of a string


def test_a_huge_integer_in_an_envelope_is_400_not_500(world) -> None:
    body = b'{"encrypted_payload":{"data":"a.b.c.d.e"},"n":' + HUGE_INTEGER + b"}"
    _, response = call(gateway(world), pipeline(world), "POST", QUOTES, body=body,
                       headers={"Content-Type": "application/json", "x-encrypted": "true"})
    assert refusal(response) == (400, "INVALID_INPUT_FORMAT", "encrypted_payload")


def test_a_content_length_of_thousands_of_digits_is_413_not_500(world) -> None:
    import asyncio

    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": QUOTES, "raw_path": QUOTES.encode(),
             "query_string": b"", "scheme": "http",
             "headers": [(b"host", b"testserver"), (b"content-length", HUGE_INTEGER)]}
    asyncio.run(gateway(world)(scope, receive, send))
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["Errors"]["Error"][0]["ReasonCode"] == (
        "REQUEST_TOO_LARGE")
