"""The inspector's pages, in process: the token, what they show and never show, the filters,
their answers to hostile input, their speed with a full history, and their separation from
the APIs."""

from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

from tests.sandbox.inspector.calls import TOKEN, Calls
from tests.sandbox.inspector.conftest import BASE, Browser
from tests.server.gateway_fixture import ASGIClient
from xbsec.sandbox.inspector.store import InspectorStore
from xbsec.sandbox.project import SIGNING_PASSWORD, SandboxProject
from xbsec.sandbox.serve import ServeOptions, build_app


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr class="\w+" data-id="(\d+)"', html)]


def test_the_page_refuses_requests_without_the_token(http: ASGIClient, served: Any) -> None:
    for path in ("/_inspector/", "/_inspector", "/_inspector/rows",
                 "/_inspector/requests/1", "/_inspector/static/inspector.js"):
        answer = http.get(path)
        assert answer.status_code == 403, path
        assert "Not without the token" in answer.text
        assert "set-cookie" not in answer.headers
    assert http.get("/_inspector/", params={"token": TOKEN[:-1] + "x"}).status_code == 403
    assert http.get("/_inspector/", headers={
        "Cookie": f"{served.page.cookie}={TOKEN}x"}).status_code == 403
    assert http.get("/_inspector/", headers={
        "Cookie": f"xbsec_inspector_other={TOKEN}"}).status_code == 403
    assert http.post("/_inspector/", headers={
        "Cookie": f"{served.page.cookie}={TOKEN}"}).status_code == 405


def test_the_token_in_the_url_becomes_a_strict_cookie(http: ASGIClient, served: Any) -> None:
    answer = http.get("/_inspector/", params={"token": TOKEN, "status": "refused"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/_inspector/?status=refused"  # the token dropped
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{served.page.cookie}={TOKEN};")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/_inspector/"):
        assert attribute in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; set over HTTPS
    page = http.get("/_inspector/", headers={"Cookie": cookie.split(";")[0]})
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in page.text  # no inline script: the CSP would refuse it anyway


def test_each_mistake_is_listed_with_its_refused_step(calls: Calls, http: ASGIClient,
                                                      browser: Browser) -> None:
    good = calls.good()
    assert good.send(http).status_code == 200
    assert calls.reserialised_body().send(http).status_code == 401
    assert good.send(http).status_code == 401  # the replay
    assert calls.wrong_key().send(http).status_code == 403
    assert calls.tampered_ciphertext().send(http).status_code == 400

    page = browser.get("/_inspector/")
    assert row_ids(page.text) == [5, 4, 3, 2, 1]
    rows = dict(zip(row_ids(page.text), page.text.split("<tr class=")[1:], strict=True))
    for row_id, step, reason in [(2, "body hash", "INVALID_BODY_HASH"),
                                 (3, "nonce", "NONCE_REPLAYED"),
                                 (4, "signature", "AUTHENTICATION_FAILED"),
                                 (5, "decryption", "REQUEST_DECRYPT_FAILED")]:
        assert f'title="{step}: refused"' in rows[row_id], step
        assert rows[row_id].count("mark refused") == 1
        assert f'<td class="reason">{reason}</td>' in rows[row_id]
    assert "mark refused" not in rows[1]

    detail = browser.get("/_inspector/requests/1")
    assert detail.status_code == 200
    assert "INSPECT-" in detail.text  # the decrypted quote request
    assert "Request document (decrypted)" in detail.text
    assert "&quot;quoterequest&quot;" in detail.text
    assert "&quot;quote&quot;" in detail.text  # the sandbox's answer, in the clear
    assert 'id="reproduce-command"' in detail.text


def test_the_filters_narrow_the_list(calls: Calls, http: ASGIClient, browser: Browser) -> None:
    good = calls.good(encrypted=False)
    good.send(http)
    good.send(http)
    calls.wrong_key().send(http)
    other = ASGIClient(http.app, base_url=BASE)
    other.get("/send/v1/partners/NOBODY/crossborder/quotes")  # no credentials at all

    def listed(**filters: str) -> list[int]:
        return row_ids(browser.get("/_inspector/", **filters).text)

    assert listed() == [4, 3, 2, 1]
    assert listed(status="ok") == [1]
    assert listed(status="refused") == [4, 3, 2]
    assert listed(status="403") == [3]
    assert listed(reason="NONCE_REPLAYED") == [2]
    assert listed(consumer=calls.consumer_key) == [3, 2, 1]
    assert listed(path="NOBODY") == [4]
    assert listed(path="quotes", status="ok") == [1]
    fragment = browser.get("/_inspector/rows", status="refused")
    assert row_ids(fragment.text) == [4, 3, 2]
    assert fragment.headers["x-newest"] == "4"
    page = browser.get("/_inspector/", reason="NONCE_REPLAYED")
    assert '<option value="NONCE_REPLAYED" selected>' in page.text
    assert 'data-source="/_inspector/rows?reason=NONCE_REPLAYED"' in page.text


def test_markup_sent_by_a_client_is_shown_as_text(calls: Calls, http: ASGIClient,
                                                  browser: Browser) -> None:
    hostile = calls.hostile()
    hostile.send(http)
    listing = browser.get("/_inspector/")
    detail = browser.get("/_inspector/requests/1")
    for page in (listing.text, detail.text):
        assert "<script>alert" not in page
        assert "<script" not in page.replace('<script src="/_inspector/static/inspector.js" '
                                             "defer></script>", "")
    assert "&lt;script&gt;alert(1)" in listing.text  # the path
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in detail.text  # a header
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in detail.text  # the body


def test_no_key_password_signature_or_token_is_shown(calls: Calls, http: ASGIClient,
                                                     browser: Browser,
                                                     project: SandboxProject) -> None:
    sent = [calls.good(), calls.wrong_key(), calls.reserialised_body()]
    for call in sent:
        call.send(http)
    pages = [browser.get("/_inspector/").text] + [
        browser.get(f"/_inspector/requests/{n}").text for n in (1, 2, 3)]
    keys = [(project.folder / "server" / "client-encryption-key.pem").read_text()]
    for page in pages:
        assert SIGNING_PASSWORD not in page
        assert "PRIVATE KEY" not in page
        for key in keys:
            assert key.splitlines()[1] not in page
        for call in sent:
            authorization = call.headers["Authorization"]
            signature = authorization.split('oauth_signature="')[1].split('"')[0]
            assert signature not in page
            assert signature.replace("%2B", "+").replace("%2F", "/").replace(
                "%3D", "=") not in page
            assert authorization not in page
    assert "oauth_signature=&quot;" in pages[1]
    assert "…" in pages[1]


def test_the_reproduce_command_signs_afresh_and_names_no_password(calls: Calls,
                                                                  http: ASGIClient,
                                                                  browser: Browser) -> None:
    calls.good().send(http)
    calls.good(encrypted=False).send(http)
    encrypted = _command(browser.get("/_inspector/requests/1").text)
    plain = _command(browser.get("/_inspector/requests/2").text)
    for command in (encrypted, plain):
        assert "xbsec sign -X POST --url http://127.0.0.1:8080/send/v1/partners/" in command
        assert "--password-env XBSEC_KEY_PASSWORD" in command
        assert SIGNING_PASSWORD not in command
        assert "oauth_signature" not in command
    assert "xbsec encrypt --cert" in encrypted
    assert "-H 'x-encrypted: true'" in encrypted
    assert "xbsec encrypt" not in plain
    request = _command(browser.get("/_inspector/requests/1").text, "request-command")
    assert request.startswith("xbsec request POST /send/v1/partners/")
    assert "--profile-file " in request
    assert "xbsec.toml" in request
    assert "--data '{\"quoterequest\"" in request


def _command(html: str, name: str = "reproduce-command") -> str:
    import html as markup

    found = re.search(rf'<pre id="{name}">(.*?)</pre>', html, re.DOTALL)
    assert found is not None
    return markup.unescape(found.group(1))


def test_the_list_answers_quickly_with_ten_thousand_requests(
        project: SandboxProject, calls: Calls, http: ASGIClient, browser: Browser,
        served: Any) -> None:
    calls.good().send(http)
    assert served.recorder.flush()
    detail = served.page.store.detail(1)
    assert detail is not None
    store: InspectorStore = served.page.store
    batch = []
    for n in range(10_000):
        copy = dict(detail, request_id=f"bulk-{n}", received_at=detail["received_at"] + n,
                    consumer=f"consumer-{n % 7}", reason_code=None if n % 3 else "DECLINED",
                    status=200 if n % 3 else 401)
        batch.append(copy)
        if len(batch) == 1000:
            store.add(batch)
            batch = []
    assert store.count() == 10_000
    timings = {}
    for name, params in [("list", {}), ("filtered", {"consumer": "consumer-3",
                                                     "status": "refused"}),
                         ("by path", {"path": "quotes"})]:
        spent = []
        for _ in range(5):
            started = time.perf_counter()
            answer = browser.get("/_inspector/", **params)
            spent.append(time.perf_counter() - started)
            assert answer.status_code == 200
            assert len(row_ids(answer.text)) == 200
        timings[name] = statistics.median(spent)
    print("list latency at 10,000 requests (median of 5, s):", json.dumps(timings))
    assert max(timings.values()) < 0.2, timings


def test_the_page_is_not_the_apis_and_the_apis_are_not_the_page(
        project: SandboxProject, calls: Calls, http: ASGIClient, browser: Browser) -> None:
    # An API path is never answered by the inspector, whatever it looks like ...
    answer = http.get("/send/v1/_inspector/")
    assert "xbsec sandbox inspector" not in answer.text
    assert answer.json()["Errors"]["Error"][0]["ReasonCode"] == "INVALID_AUTH_HEADER"
    # ... a signed call to an inspector path never reaches the gateway (nor is listed) ...
    signed = calls.pipeline(encrypted=False).request("GET", BASE + "/_inspector/")
    assert http.get("/_inspector/", headers=signed.headers).status_code == 403
    # ... and /health stays where it was.
    assert http.get("/health").json()["status"] == "ok"
    assert row_ids(browser.get("/_inspector/").text) == [1]


def test_without_a_token_there_is_no_inspector(tmp_path: Path,
                                               project: SandboxProject) -> None:
    app = build_app(ServeOptions(str(project.folder), url=BASE))
    client = ASGIClient(app, base_url=BASE)
    answer = client.get("/_inspector/", params={"token": TOKEN})
    assert answer.json()["Errors"]["Error"][0]["ReasonCode"] == "INVALID_AUTH_HEADER"
    assert not (project.folder / "server" / "inspector.db").exists()
