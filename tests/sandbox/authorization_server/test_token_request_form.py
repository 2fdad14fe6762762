"""The token endpoint's HTTP: method, media type, body size, malformed and repeated fields."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest

from tests.sandbox.authorization_server.flow import ASSERTION_TYPE, REDIRECT_URI
from tests.sandbox.authorization_server.token_flow import (
    assert_oauth_error,
    code_and_verifier,
    exchange,
)

pytestmark = pytest.mark.anyio

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_only_post(http, method) -> None:
    answer = await http.request(method, "/oauth2/token")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert answer.json()["error"] == "invalid_request"


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain",
                                          "multipart/form-data; boundary=x"])
async def test_only_form_bodies(http, keys, clock, content_type) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    answer = await http.post("/oauth2/token", headers=headers,
                             content=b'{"grant_type": "authorization_code"}')
    assert FORM in assert_oauth_error(answer, "invalid_request")


async def test_a_charset_parameter_is_fine(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    body = (f"grant_type=authorization_code&code={code}&redirect_uri="
            f"{REDIRECT_URI.replace(':', '%3A').replace('/', '%2F')}&code_verifier={verifier}"
            f"&client_assertion_type={ASSERTION_TYPE.replace(':', '%3A')}"
            f"&client_assertion={keys.psd2.assertion(clock.now)}")
    answer = await http.post("/oauth2/token", content=body.encode(),
                             headers={"Content-Type": FORM + "; charset=UTF-8"})
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("body", [
    b"grant_type=authorization_code&grant_type=refresh_token",
    b"grant_type=authorization_code&code=%ff%fe",
    b"\xff\xfe=1",
    b"grant_type",
    b"&&&",
    b"a=1&" * 100,
])
async def test_a_malformed_body(http, body) -> None:
    answer = await http.post("/oauth2/token", content=body, headers={"Content-Type": FORM})
    assert_oauth_error(answer, "invalid_request")


async def test_an_empty_body(http) -> None:
    answer = await http.post("/oauth2/token", content=b"", headers={"Content-Type": FORM})
    assert_oauth_error(answer, "invalid_client")


async def test_a_repeated_field_even_with_a_good_client(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    pairs = [("grant_type", "authorization_code"), ("code", code), ("code", "A" * 43),
             ("redirect_uri", REDIRECT_URI), ("code_verifier", verifier),
             ("client_assertion_type", ASSERTION_TYPE),
             ("client_assertion", keys.psd2.assertion(clock.now))]
    answer = await http.post("/oauth2/token", content=urlencode(pairs).encode(),
                             headers={"Content-Type": FORM})
    assert "repeated" in assert_oauth_error(answer, "invalid_request")


async def test_a_body_too_large(http, server) -> None:
    body = b"a=" + b"x" * server.settings.max_body_bytes
    answer = await http.post("/oauth2/token", content=body, headers={"Content-Type": FORM})
    assert "too large" in assert_oauth_error(answer, "invalid_request")


async def test_an_empty_value_counts_as_absent(http, keys, clock) -> None:
    code, verifier = await code_and_verifier(http, keys.psd2)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier, redirect_uri="")
    assert "redirect_uri" in assert_oauth_error(answer, "invalid_request")


async def test_nothing_secret_reaches_the_log(http, keys, clock, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    code, verifier = await code_and_verifier(http, keys.psd2)
    client_assertion = keys.psd2.assertion(clock.now)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier,
                            client_assertion=client_assertion)
    tokens = answer.json()
    await exchange(http, keys.psd2, clock.now, code, verifier)  # a reuse, logged as refused
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "issued" in logged
    assert f"client={keys.psd2.consumer_key[:8]}…" in logged  # who, shortened
    for secret in (code, verifier, client_assertion, tokens["access_token"],
                   tokens["refresh_token"], keys.psd2.consumer_key):
        assert secret not in logged


async def test_an_internal_error_is_a_bare_500(http, keys, clock, server, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(server.store, "claim_assertion", broken)
    code, verifier = await code_and_verifier(http, keys.psd2)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier)
    assert answer.status_code == 500
    assert answer.json() == {"error": "server_error", "error_description": "internal error"}
    assert "secret detail" not in answer.text
    assert "Traceback" not in answer.text


async def test_an_internal_error_at_the_consent_page_is_a_bare_500(http, keys, server,
                                                                   monkeypatch) -> None:
    from tests.sandbox.authorization_server.flow import (
        authorize_params,
        consent,
        decide,
        pkce_pair,
    )

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail")

    _, challenge = pkce_pair()
    form = await consent(http, authorize_params(keys.psd2.consumer_key, challenge))
    monkeypatch.setattr(server.store, "approve", broken)
    answer = await decide(http, form, "approve")
    assert answer.status_code == 500
    assert "secret detail" not in answer.text
    assert "location" not in answer.headers


async def test_a_busy_database_is_a_503(http, keys, clock, server, monkeypatch) -> None:
    from xbsec.sandbox.authorization_server.oauth_errors import TemporarilyUnavailableError

    def busy(*args: object, **kwargs: object) -> None:
        raise TemporarilyUnavailableError("the token database is busy; try again")

    monkeypatch.setattr(server.store, "redeem_code", busy)
    code, verifier = await code_and_verifier(http, keys.psd2)
    answer = await exchange(http, keys.psd2, clock.now, code, verifier)
    assert_oauth_error(answer, "temporarily_unavailable", status=503)
