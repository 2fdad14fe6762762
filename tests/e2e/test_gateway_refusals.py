"""Every refusal of SPEC §2.7 (steps 1-6), §3.8 and §5.4, over the wire, from the real
``xbsec sandbox serve``: status, ReasonCode and Source of the gateway envelope (§2.8).

tests/server/test_gateway.py covers each path in process; here at least one request per
step or row crosses a real socket to a real uvicorn process.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import (
    PLAIN_KEY,
    PLAIN_PARTNER,
    PRODUCTION_KEY,
    PRODUCTION_PARTNER,
    STRICT_KEY,
    STRICT_PARTNER,
)
from tests.e2e.documents import new_reference, quote_for
from tests.e2e.raw_requests import JSON, Caller, refusal, v1
from tests.e2e.sandbox_process import Project, SandboxServer
from xbsec import jwe_encrypt
from xbsec.documents import dumps, dumps_json
from xbsec.keys import generate_rsa_key, load_certificate, self_signed_certificate
from xbsec.oauth1 import OAuth1Signer
from xbsec.oauth2 import RequestTokenMinter
from xbsec.payload import encrypt_payload, wrap


@pytest.fixture(scope="module")
def stranger() -> tuple[Any, Any]:
    """A key pair and certificate nobody registered."""
    key = generate_rsa_key()
    return key, self_signed_certificate(key, common_name="stranger")


@pytest.fixture
def caller(oauth1_project: Project, oauth1_sandbox: SandboxServer) -> Iterator[Caller]:
    with Caller(oauth1_sandbox, oauth1_project.consumer_key,
                oauth1_project.signing[0]) as made:
        yield made


def quote_body(fmt: str = "json") -> bytes:
    return dumps(quote_for(new_reference()), fmt)  # type: ignore[arg-type]


# -- SPEC §2.7 step 1: the Authorization header -------------------------------------------


def _edited(header: str, old: str, new: str) -> str:
    assert old in header
    return header.replace(old, new, 1)


@pytest.mark.parametrize("edit", [
    None,
    ("OAuth ", "Basic "),
    ('oauth_version="1.0"', 'oauth_version="2.0"'),
    ('oauth_signature_method="RSA-SHA256"', 'oauth_signature_method="HMAC-SHA1"'),
    ("OAuth ", 'OAuth oauth_nonce="twice-twice-twice",'),
    ("oauth_consumer_key=", "oauth_consumer_kex="),
], ids=["missing", "not-oauth", "version-2.0", "hmac", "duplicated-nonce",
        "no-consumer-key"])
def test_step_1_a_bad_authorization_header_is_400(caller: Caller, oauth1_project: Project,
                                                  edit: tuple[str, str] | None) -> None:
    path = v1(oauth1_project.partner_id, "/quotes")
    body = quote_body()
    headers = caller.prepare("POST", path, body, JSON)
    if edit is None:
        del headers["Authorization"]
    else:
        headers["Authorization"] = _edited(headers["Authorization"], *edit)
    assert refusal(caller.raw("POST", path, body, headers)) == (400, "INVALID_AUTH_HEADER",
                                                                "Gateway")


def test_step_1_in_xml_for_an_xml_client(caller: Caller, oauth1_project: Project) -> None:
    response = caller.send("POST", v1(oauth1_project.partner_id, "/quotes"), quote_body("xml"),
                           {"Content-Type": "application/xml"}, signed=False)
    assert response.headers["content-type"].startswith("application/xml")
    assert b"<Source>Gateway</Source>" in response.content
    assert refusal(response) == (400, "INVALID_AUTH_HEADER", "Gateway")


# -- step 2: the consumer and what it is entitled to ---------------------------------------


def test_step_2_an_unknown_consumer_key_is_declined(caller: Caller, oauth1_project: Project,
                                                    stranger: tuple[Any, Any]) -> None:
    unknown = OAuth1Signer("unknown-consumer!" + "9" * 32, stranger[0])
    path = v1(oauth1_project.partner_id, "/quotes")
    response = caller.send("POST", path, quote_body(), JSON, signer=unknown)
    assert refusal(response) == (401, "DECLINED", "Gateway")


def test_step_2_a_consumer_of_another_environment_is_declined(
        caller: Caller, oauth1_project: Project) -> None:
    production = OAuth1Signer(PRODUCTION_KEY, oauth1_project.signing[0])
    response = caller.send("POST", v1(PRODUCTION_PARTNER, "/quotes"), quote_body(), JSON,
                           signer=production)
    assert refusal(response) == (401, "DECLINED", "Gateway")


@pytest.mark.parametrize("partner", [STRICT_PARTNER, "SANDBOX_0000000"])
def test_step_2_a_partner_id_the_consumer_is_not_entitled_to(caller: Caller,
                                                             partner: str) -> None:
    response = caller.send("POST", v1(partner, "/quotes"), quote_body(), JSON)
    status, reason, source = refusal(response)
    assert (status, reason, source) == (401, "DECLINED", "Gateway")
    assert "partner" in response.json()["Errors"]["Error"][0]["Description"]


# -- step 3: the timestamp -----------------------------------------------------------------


def test_step_3_a_stale_or_future_timestamp(caller: Caller, oauth1_project: Project) -> None:
    path = v1(oauth1_project.partner_id, "/rates")
    key = oauth1_project.signing[0]
    for offset in (-3600, 3600):
        signer = OAuth1Signer(oauth1_project.consumer_key, key,
                              clock=lambda offset=offset: time.time() + offset)
        assert refusal(caller.send("GET", path, signer=signer)) == (
            401, "INVALID_TIMESTAMP", "Gateway")
    headers = caller.prepare("GET", path)
    headers["Authorization"] = _edited(headers["Authorization"], 'oauth_timestamp="',
                                       'oauth_timestamp="x')
    assert refusal(caller.raw("GET", path, b"", headers))[:2] == (401, "INVALID_TIMESTAMP")


# -- step 4: the nonce ---------------------------------------------------------------------


def test_step_4_a_replayed_request_is_refused(caller: Caller, oauth1_project: Project) -> None:
    path = v1(oauth1_project.partner_id, "/quotes")
    body = quote_body()
    headers = caller.prepare("POST", path, body, JSON)
    assert caller.raw("POST", path, body, headers).status_code == 200
    assert refusal(caller.raw("POST", path, body, headers)) == (401, "NONCE_REPLAYED",
                                                                "Gateway")


def test_step_4_a_forged_request_does_not_burn_the_nonce(
        caller: Caller, oauth1_project: Project, stranger: tuple[Any, Any]) -> None:
    path = v1(oauth1_project.partner_id, "/rates")
    nonce = "forged-" + new_reference()
    forger = OAuth1Signer(oauth1_project.consumer_key, stranger[0], nonce=lambda: nonce)
    assert refusal(caller.send("GET", path, signer=forger))[:2] == (
        403, "AUTHENTICATION_FAILED")
    owner = OAuth1Signer(oauth1_project.consumer_key, oauth1_project.signing[0],
                         nonce=lambda: nonce)
    assert caller.send("GET", path, signer=owner).status_code == 200


# -- step 5: the body hash -----------------------------------------------------------------


def test_step_5_a_changed_body_is_refused(caller: Caller, oauth1_project: Project) -> None:
    path = v1(oauth1_project.partner_id, "/quotes")
    body = quote_body()
    headers = caller.prepare("POST", path, body, JSON)
    tampered = body.replace(b"100.00", b"900.00")
    assert tampered != body
    assert refusal(caller.raw("POST", path, tampered, headers)) == (
        401, "INVALID_BODY_HASH", "OAuth.BodyHash")


# -- step 6: the signature -----------------------------------------------------------------


def test_step_6_a_signature_by_another_key(caller: Caller, oauth1_project: Project,
                                           stranger: tuple[Any, Any]) -> None:
    other = OAuth1Signer(oauth1_project.consumer_key, stranger[0])
    response = caller.send("POST", v1(oauth1_project.partner_id, "/quotes"), quote_body(),
                           JSON, signer=other)
    assert refusal(response) == (403, "AUTHENTICATION_FAILED", "Gateway")


@pytest.mark.parametrize("sign_for", ["https://127.0.0.1:{port}", "http://sandbox.example:{port}",
                                      "http://127.0.0.1:{other}"])
def test_step_6_a_signature_for_another_url(caller: Caller, oauth1_project: Project,
                                            sign_for: str) -> None:
    path = v1(oauth1_project.partner_id, "/rates")
    port = caller.server.port
    base = sign_for.format(port=port, other=port + 1)
    response = caller.send("GET", path, sign_url=base + path)
    assert refusal(response) == (403, "AUTHENTICATION_FAILED", "Gateway")


def test_step_6_the_signed_query_counts(caller: Caller, oauth1_project: Project) -> None:
    path = v1(oauth1_project.partner_id)
    headers = caller.prepare("GET", path + "?ref=A")
    response = caller.raw("GET", path + "?ref=B", b"", headers)
    assert refusal(response) == (403, "AUTHENTICATION_FAILED", "Gateway")


# -- SPEC §3.8: payload encryption ---------------------------------------------------------


def _client_encryption(project: Project) -> Any:
    return load_certificate(project.made["client_encryption_cert"])


def _mastercard_encryption(project: Project) -> Any:
    return load_certificate(project.folder / "server" / "mastercard-encryption.pem")


def _header(fields: dict[str, str]) -> str:
    raw = json.dumps(fields, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def encryption_cases(project: Project) -> dict[str, tuple[bytes, str, tuple[int, str, str]]]:
    """body, Content-Type, the expected (status, ReasonCode, Source): one per §3.8 row."""
    certificate = _client_encryption(project)
    good = jwe_encrypt(dumps_json(quote_for(new_reference())), certificate)
    parts = good.split(".")
    bad_tag = ".".join([*parts[:4], ("A" if parts[4][0] != "A" else "B") + parts[4][1:]])
    kid = json.loads(base64.urlsafe_b64decode(parts[0] + "=="))["kid"]
    rsa1_5 = ".".join([_header({"alg": "RSA1_5", "enc": "A256GCM", "kid": kid}), *parts[1:]])
    failed = (400, "REQUEST_DECRYPT_FAILED", "encrypted_payload.data")
    unreadable = (400, "INVALID_INPUT_FORMAT", "encrypted_payload")
    return {
        "not-an-envelope": (b'{"quoterequest":{}}', "application/json", unreadable),
        "envelope-without-data": (b'{"encrypted_payload":{}}', "application/json",
                                  unreadable),
        "xml-not-an-envelope": (b"<quoterequest/>", "application/xml", unreadable),
        "not-a-jwe": (wrap("a.b.c.d.e"), "application/json", failed),
        "four-segments": (b'{"encrypted_payload":{"data":"a.b.c.d"}}', "application/json",
                          failed),
        "unknown-kid": (wrap(jwe_encrypt(b"{}", _mastercard_encryption(project))),
                        "application/json",
                        (400, "DECRYPT_PRIVATE_KEY_NOT_FOUND", "encrypted_payload.data")),
        "tag-changed": (wrap(bad_tag), "application/json", failed),
        "alg-rsa1_5": (wrap(rsa1_5), "application/json", failed),
        "xml-tag-changed": (wrap(bad_tag, "application/xml"), "application/xml", failed),
    }


@pytest.mark.parametrize("case", ["not-an-envelope", "envelope-without-data",
                                  "xml-not-an-envelope", "not-a-jwe", "four-segments",
                                  "unknown-kid", "tag-changed", "alg-rsa1_5",
                                  "xml-tag-changed"])
def test_spec_3_8_decryption_refusals(caller: Caller, oauth1_project: Project,
                                      case: str) -> None:
    body, content_type, expected = encryption_cases(oauth1_project)[case]
    response = caller.send("POST", v1(oauth1_project.partner_id, "/quotes"), body,
                           {"Content-Type": content_type, "x-encrypted": "true"})
    assert refusal(response) == expected
    assert response.headers["content-type"].startswith(content_type)


def test_spec_3_8_a_plaintext_that_does_not_parse(caller: Caller,
                                                  oauth1_project: Project) -> None:
    body = encrypt_payload(b'{"quoterequest": {', _client_encryption(oauth1_project))
    response = caller.send("POST", v1(oauth1_project.partner_id, "/quotes"), body,
                           {**JSON, "x-encrypted": "true"})
    # Past the gateway: the normal XBS validation error, not a gateway one.
    assert refusal(response)[:2] == (400, "INVALID_INPUT_FORMAT")
    assert refusal(response)[2] != "Gateway"
    assert b"encrypted_payload" not in response.content  # errors stay plaintext (§3.5)


def test_spec_3_8_encryption_required(caller: Caller, oauth1_project: Project) -> None:
    strict = OAuth1Signer(STRICT_KEY, oauth1_project.signing[0])
    path = v1(STRICT_PARTNER, "/quotes")
    response = caller.send("POST", path, quote_body(), JSON, signer=strict)
    assert refusal(response) == (400, "ENCRYPTION_REQUIRED", "encrypted_payload")
    body = encrypt_payload(quote_body(), _client_encryption(oauth1_project))
    accepted = caller.send("POST", path, body, {**JSON, "x-encrypted": "true"}, signer=strict)
    assert accepted.status_code == 200
    assert accepted.content.startswith(b'{"encrypted_payload":{"data":"')


def test_spec_3_8_encryption_not_set_up(caller: Caller, oauth1_project: Project) -> None:
    plain = OAuth1Signer(PLAIN_KEY, oauth1_project.signing[0])
    path = v1(PLAIN_PARTNER, "/quotes")
    body = encrypt_payload(quote_body(), _client_encryption(oauth1_project))
    response = caller.send("POST", path, body, {**JSON, "x-encrypted": "true"}, signer=plain)
    assert refusal(response) == (400, "ENCRYPTION_NOT_ENABLED", "encrypted_payload")
    assert caller.send("POST", path, quote_body(), JSON, signer=plain).status_code == 200


# -- SPEC §5.4: request tokens -------------------------------------------------------------


@pytest.fixture
def token_caller(token_project: Project, token_sandbox: SandboxServer) -> Iterator[Caller]:
    with Caller(token_sandbox, token_project.consumer_key,
                token_project.signing[0]) as made:
        yield made


def _bearer(token_caller: Caller, path: str, authorization: str) -> httpx.Response:
    return token_caller.send("GET", path, headers={"Authorization": authorization},
                             signed=False)


def _segment(value: dict[str, Any]) -> str:
    return _header(value)


def test_a_good_request_token_is_served(token_caller: Caller, token_project: Project) -> None:
    key, certificate = token_project.signing
    minter = RequestTokenMinter(token_project.consumer_key, key, certificate)
    path = v1(token_project.partner_id, "/rates")
    assert _bearer(token_caller, path, minter.authorization_header()).status_code == 200
    # Step 7: replay checks are off by default (Mastercard is reported to accept replays).
    token = minter.authorization_header()
    assert [_bearer(token_caller, path, token).status_code for _ in range(2)] == [200, 200]


def test_spec_5_4_refusals(token_caller: Caller, token_project: Project,
                           stranger: tuple[Any, Any]) -> None:
    key, certificate = token_project.signing
    consumer = token_project.consumer_key
    path = v1(token_project.partner_id, "/rates")
    now = int(time.time())
    claims = {"exp": now + 300, "nbf": now, "iat": now, "jti": "0" * 32}
    hs256 = ".".join([_segment({"alg": "HS256", "typ": "JWT", "kid": consumer}),
                      _segment(claims), "c2lnbmF0dXJl"])
    alg_none = ".".join([_segment({"alg": "none", "kid": consumer}), _segment(claims), "AA"])
    no_kid = RequestTokenMinter(consumer, key, certificate).mint().split(".")
    no_kid[0] = _segment({"alg": "RS256", "typ": "JWT"})
    expected = {
        # 1: not a JWS
        "Bearer a.b.c": (401, "INVALID_AUTH_HEADER"),
        # 2: alg and kid
        f"Bearer {hs256}": (401, "INVALID_AUTH_HEADER"),
        f"Bearer {alg_none}": (401, "INVALID_AUTH_HEADER"),
        f"Bearer {'.'.join(no_kid)}": (401, "INVALID_AUTH_HEADER"),
        # 3: the kid is no registered consumer key
        RequestTokenMinter("unknown!" + "7" * 40, key, certificate).authorization_header():
            (401, "DECLINED"),
        # 4: x5c carries another certificate
        RequestTokenMinter(consumer, *stranger).authorization_header(): (401, "DECLINED"),
        # 5: signed by another key (nothing in the header to give it away)
        RequestTokenMinter(consumer, *stranger, include_x5c=False,
                           x5t="none").authorization_header(): (403, "AUTHENTICATION_FAILED"),
        # 6: expired, and not yet valid
        RequestTokenMinter(consumer, key, certificate, lifetime=300,
                           clock=lambda: now - 3600).authorization_header():
            (401, "INVALID_TIMESTAMP"),
        RequestTokenMinter(consumer, key, certificate,
                           clock=lambda: now + 3600).authorization_header():
            (401, "INVALID_TIMESTAMP"),
    }
    for authorization, (status, reason) in expected.items():
        assert refusal(_bearer(token_caller, path, authorization)) == (status, reason,
                                                                        "Gateway")
    # Not a JWS at all: the sandbox also takes Balance access tokens, which this is not
    # (and this is no Balance path); a 401 either way, never step 1 of §2.7's 400.
    for value in ("Bearer not-a-token", "Bearer"):
        assert refusal(_bearer(token_caller, path, value))[0] == 401


def test_spec_5_4_step_8_the_auth_mode_must_match_the_consumer(
        token_caller: Caller, token_project: Project, oauth1_project: Project,
        oauth1_sandbox: SandboxServer) -> None:
    # OAuth 1.0a from a PSD2 (request token) consumer...
    response = token_caller.send("GET", v1(token_project.partner_id, "/rates"))
    assert refusal(response) == (401, "DECLINED", "Gateway")
    # ...and a request token from an OAuth 1.0a consumer.
    key, certificate = oauth1_project.signing
    minter = RequestTokenMinter(oauth1_project.consumer_key, key, certificate)
    response = httpx.get(oauth1_sandbox.url + v1(oauth1_project.partner_id, "/rates"),
                         headers={"Authorization": minter.authorization_header()})
    assert refusal(response) == (401, "DECLINED", "Gateway")
