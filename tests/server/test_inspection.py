"""inspect_request: the gateway's checks in order, the refused one with its ReasonCode and the
fix in explain's words, what each check saw, and nothing secret whole."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

import pytest

from tests.server.gateway_fixture import PARTNER, ASGIClient, World, certificate_pem
from tests.server.test_gateway import BASE, DOC, QUOTES, gateway, pipeline, presenting
from tests.server.test_gateway_observer import Recorder
from xbsec.client import ClientPipeline, OAuth1Auth
from xbsec.keys import generate_rsa_key
from xbsec.oauth1 import OAuth1Signer
from xbsec.server.inspection import (
    business_errors,
    explain_steps,
    header_pairs,
    inspect_request,
    record_url,
    redact_header,
    shorten_secret,
)


def inspected(world: World, *calls: tuple[Any, dict[str, Any]],
              **options: Any) -> list[dict[str, Any]]:
    """Send each (prepared request, overrides) through one gateway; inspect what it saw."""
    recorder = Recorder()
    app = gateway(world, observer=recorder, **options)
    for out, changes in calls:
        path = changes.get("path", out.url[len(BASE):])
        served = presenting(app, changes["pem"]) if "pem" in changes else app
        with ASGIClient(served) as client:
            client.request(out.method, path, content=changes.get("body", out.body),
                           headers={**out.headers, **changes.get("headers", {})})
    records = [json.loads(json.dumps(inspect_request(seen))) for seen in recorder.seen]
    return [{**record, "steps": explain_steps(record)} for record in records]


def steps(report: dict[str, Any]) -> dict[str, str]:
    return {step["name"]: step["outcome"] for step in report["steps"]}


def step(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in report["steps"] if s["name"] == name)


def details(report: dict[str, Any], name: str) -> dict[str, str]:
    return dict(step(report, name)["details"])


def test_a_good_request_passes_every_step_in_the_gateways_order(world: World) -> None:
    out = pipeline(world).request("POST", BASE + QUOTES, document=DOC)
    (report,) = inspected(world, (out, {}))
    assert [s["name"] for s in report["steps"]] == [
        "request line", "credentials", "consumer", "mTLS", "body", "timestamp", "body hash",
        "base string", "signature", "partner entitlement", "quota", "nonce", "decryption",
        "application"]
    assert set(steps(report).values()) == {"ok"}
    assert report["failed"] is None
    assert report["status"] == 200
    assert record_url(report) == BASE + QUOTES
    built = step(report, "base string")["base_string"]["built"]
    assert built[0][0].startswith("POST&http%3A%2F%2Ftestserver%2Fsend%2Fv1")
    assert details(report, "signature")["construction"] == "Mastercard's Java signer"
    assert details(report, "timestamp")["offset"] in ("+0 s", "-0 s", "-1 s")
    assert details(report, "body hash")["expected"] == details(report, "body hash")["received"]
    assert [name for name, _ in report["outline"]] == [s["name"] for s in report["steps"]]


def test_a_body_changed_after_signing_fails_the_body_hash_with_explains_words(
        world: World) -> None:
    out = pipeline(world).request("POST", BASE + QUOTES, document=DOC)
    (report,) = inspected(world, (out, {"body": json.dumps(DOC, indent=2).encode()}))
    assert report["failed"] == "body hash"
    refused = step(report, "body hash")
    assert (refused["outcome"], refused["reason_code"]) == ("refused", "INVALID_BODY_HASH")
    assert "serialise once, sign those bytes, send those bytes" in refused["fix"]
    seen = details(report, "body hash")
    assert seen["expected"] != seen["received"]
    assert steps(report)["timestamp"] == "ok"
    assert steps(report)["signature"] == steps(report)["application"] == "skipped"


def test_a_replay_fails_at_the_nonce_after_every_check_held(world: World) -> None:
    out = pipeline(world).request("POST", BASE + QUOTES, document=DOC)
    first, again = inspected(world, (out, {}), (out, {}))
    assert first["failed"] is None
    assert again["failed"] == "nonce"
    assert step(again, "nonce")["reason_code"] == "NONCE_REPLAYED"
    assert "new oauth_nonce" in step(again, "nonce")["fix"]
    assert steps(again)["signature"] == "ok"
    assert steps(again)["decryption"] == "skipped"


def test_a_wrong_key_fails_the_signature_and_says_which_mistakes_fit(world: World) -> None:
    wrong = ClientPipeline(OAuth1Auth(OAuth1Signer(world.plain.consumer_key,
                                                   generate_rsa_key())))
    (report,) = inspected(world, (wrong.request("POST", BASE + QUOTES, document=DOC), {}))
    assert report["failed"] == "signature"
    assert steps(report)["base string"] == "ok"  # nothing to tell it from: the key is wrong
    refused = step(report, "signature")
    assert refused["reason_code"] == "AUTHENTICATION_FAILED"
    assert "the key does not match the certificate registered" in refused["fix"]


def test_a_url_signed_for_another_host_is_marked_in_the_base_string(world: World) -> None:
    elsewhere = "https://api.example.com"
    out = pipeline(world).request("POST", elsewhere + QUOTES, document=DOC)
    (report,) = inspected(world, (out, {"path": QUOTES,
                                        "headers": {"Host": "api.example.com"}}))
    assert report["failed"] == "base string"
    assert steps(report)["signature"] == "refused"
    block = step(report, "base string")["base_string"]
    marked_ours = [text for text, differs in block["built"] if differs]
    marked_theirs = [text for text, differs in block["signed"] if differs]
    assert "".join(marked_ours).count("testserver") == 1
    assert "api.example.com" in "".join(marked_theirs)
    assert "the Host header it sent" in step(report, "base string")["fix"]


def test_an_explicit_default_port_is_marked_in_the_base_string(world: World) -> None:
    """Mastercard's Node signer keeps :443 in the base string; the gateway does not."""
    node = ClientPipeline(OAuth1Auth(OAuth1Signer(world.plain.consumer_key,
                                                  world.plain.signing_key, variant="node")))
    out = node.request("POST", "https://testserver:443" + QUOTES, document=DOC)
    (report,) = inspected(world, (out, {"path": QUOTES}), external_url="https://testserver")
    assert report["failed"] == "base string"
    theirs = step(report, "base string")["base_string"]["signed"]
    assert "%3A443" in "".join(text for text, differs in theirs if differs)
    assert "explicit default port" in step(report, "base string")["fix"]


def test_a_tampered_ciphertext_fails_decryption_and_shows_the_jwe_header(world: World) -> None:
    good = pipeline(world, encrypt=True).request("POST", BASE + QUOTES, document=DOC)
    envelope = json.loads(good.body)
    pieces = envelope["encrypted_payload"]["data"].split(".")
    pieces[3] = ("A" if pieces[3][0] != "A" else "B") + pieces[3][1:]
    envelope["encrypted_payload"]["data"] = ".".join(pieces)
    body = json.dumps(envelope).encode()
    out = pipeline(world).request("POST", BASE + QUOTES, body=body,
                                  headers={"x-encrypted": "true"})
    (report,) = inspected(world, (out, {}))
    assert report["failed"] == "decryption"
    refused = step(report, "decryption")
    assert refused["reason_code"] == "REQUEST_DECRYPT_FAILED"
    assert "GCM tag" in refused["fix"]
    seen = details(report, "decryption")
    assert (seen["alg"], seen["enc"], seen["IV length"]) == ("RSA-OAEP-256", "A256GCM",
                                                             "12 bytes")
    assert seen["kid names a key of this consumer"] == "yes"
    assert "12 or 16 bytes" in seen["policy"]
    assert steps(report)["nonce"] == "ok"


def test_an_unknown_kid_is_named(world: World) -> None:
    from xbsec.payload import encrypt_payload

    body = encrypt_payload(json.dumps(DOC).encode(), world.client_encryption_certificate,
                           kid="0" * 64)
    out = pipeline(world).request("POST", BASE + QUOTES, body=body,
                                  headers={"x-encrypted": "true"})
    (report,) = inspected(world, (out, {}))
    assert step(report, "decryption")["reason_code"] == "DECRYPT_PRIVATE_KEY_NOT_FOUND"
    assert details(report, "decryption")["kid names a key of this consumer"] == "no"


def test_no_credentials_fail_the_credentials_step(world: World) -> None:
    out = pipeline(world).request("GET", BASE + QUOTES)
    (report,) = inspected(world, (out, {"headers": {"Authorization": ""}}))
    assert report["failed"] == "credentials"
    assert steps(report)["request line"] == "ok"
    assert steps(report)["consumer"] == "skipped"
    assert step(report, "credentials")["reason_code"] == "INVALID_AUTH_HEADER"


def test_an_unknown_consumer_fails_the_consumer_step(world: World) -> None:
    stranger = ClientPipeline(OAuth1Auth(OAuth1Signer("nobody!" + "1" * 20,
                                                      generate_rsa_key())))
    (report,) = inspected(world, (stranger.request("GET", BASE + QUOTES), {}))
    assert report["failed"] == "consumer"
    assert step(report, "consumer")["reason_code"] == "DECLINED"
    assert report["consumer"] == "nobody!" + "1" * 20  # what it claimed, for the filter


def test_another_partner_fails_the_entitlement(world: World) -> None:
    out = pipeline(world).request("GET", BASE + "/send/v1/partners/OTHER_1/crossborder/rates")
    (report,) = inspected(world, (out, {}))
    assert report["failed"] == "partner entitlement"
    assert details(report, "partner entitlement") == {"named": "OTHER_1",
                                                      "entitled": PARTNER}


def test_mutual_tls_without_a_certificate_fails_the_mtls_step(world: World) -> None:
    out = pipeline(world, "mtls").request("GET", BASE + "/send/v1/partners/MTLS_1/x")
    other = certificate_pem(world.other_tls_certificate)
    missing, wrong = inspected(world, (out, {}), (out, {"pem": other}))
    assert missing["failed"] == wrong["failed"] == "mTLS"
    assert details(missing, "mTLS")["client certificate"] == "none presented"
    assert details(wrong, "mTLS")["client certificate"].startswith("SHA-256 ")


def test_request_tokens_have_their_own_steps(world: World) -> None:
    out = pipeline(world, "psd2", token=True).request(
        "GET", BASE + "/send/v1/partners/PSD2_1/crossborder/rates")
    (report,) = inspected(world, (out, {}))
    assert report["auth"] == "request-token"
    assert report["failed"] is None
    assert [s["name"] for s in report["steps"]][:6] == [
        "request line", "credentials", "consumer", "signature", "timestamp", "mTLS"]
    assert details(report, "credentials")["alg"].startswith(("RS", "PS"))
    token = out.headers["Authorization"].split()[-1]
    assert token not in json.dumps(report)
    assert details(report, "credentials")["token"] == shorten_secret(token)


def test_the_application_answer_and_business_errors(world: World) -> None:
    out = pipeline(world).request("GET", BASE + f"/send/v1/partners/{PARTNER}/crossborder/"
                                  "missing")
    (report,) = inspected(world, (out, {}), observe_documents=True)
    assert report["failed"] == "application"
    assert report["reason_code"] == "RESOURCE_UNKNOWN"
    assert business_errors(report)[0]["reason_code"] == "RESOURCE_UNKNOWN"
    assert report["response_document"]["text"].startswith('{"Errors"')


def test_documents_only_when_the_gateway_hands_them_over(world: World) -> None:
    out = pipeline(world, encrypt=True).request("POST", BASE + QUOTES, document=DOC)
    (without,) = inspected(world, (out, {}))
    assert without["request_document"] is None
    assert without["response_document"] is None
    out = pipeline(world, encrypt=True).request("POST", BASE + QUOTES, document=DOC)
    (with_documents,) = inspected(world, (out, {}), observe_documents=True)
    assert json.loads(with_documents["request_document"]["text"]) == DOC
    answer = json.loads(with_documents["response_document"]["text"])
    assert answer["echo"]["xbsec"]["encrypted"] is True


def test_no_signature_or_token_is_ever_whole(world: World) -> None:
    out = pipeline(world).request("POST", BASE + QUOTES, document=DOC)
    (report,) = inspected(world, (out, {"headers": {"Cookie": "session=abcdefghijklmnopqrstu",
                                                    "X-Api-Key": "k" * 40}}))
    text = json.dumps(report)
    authorization = out.headers["Authorization"]
    signature = authorization.split('oauth_signature="')[1].split('"')[0]
    assert signature not in text
    assert unquote(signature) not in text
    assert authorization not in text
    assert "abcdefghijklmnopqrstu" not in text
    assert "k" * 40 not in text
    headers = dict(header_pairs(report["headers"]))
    assert 'oauth_signature="' in headers["authorization"]
    assert "…" in headers["authorization"]


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("authorization", "Bearer " + "t" * 40, "Bearer tttttttt…tttt"),
    ("authorization", "x" * 30, "xxxxxxxx…xxxx"),
    ("x-request-token", "short", "… (5 characters)"),
    ("content-type", "application/json", "application/json"),
])
def test_redaction(name: str, value: str, shown: str) -> None:
    assert redact_header(name, value) == shown
