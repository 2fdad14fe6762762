"""The gateway in front of a deliberately lenient application.

An application behind the gateway may read a request more loosely than the gateway does:
match paths case-insensitively, collapse slashes, ignore the version, drop ``;params``,
decode twice, take the last of two headers, accept ``get`` for ``GET`` and answer ``HEAD``
like ``GET``, read ``Partner_Ref_Id`` as ``Partner-Ref-Id``. None of that may let a caller
reach another partner's data, or a Balance API without an access token: every spelling is
either refused by the gateway or read by the gateway as the application reads it.

Requests are handed to the gateway as uvicorn builds its scope (``path`` percent-decoded
once, ``raw_path`` as sent), so that spellings no HTTP client library would send are tried.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import unquote

import pytest

from tests.server.gateway_fixture import World
from xbsec.client import ClientPipeline, RequestTokenAuth
from xbsec.oauth1 import OAuth1Signer
from xbsec.oauth2 import RequestTokenMinter
from xbsec.policy import SecurityPolicy
from xbsec.server.gateway import XBSGateway

BASE = "http://testserver"
OWN, OTHER = "SANDBOX_1", "OTHER_9"
PSD2_OWN = "PSD2_1"


async def lenient_app(scope: Any, receive: Any, send: Any) -> None:
    """Serves "partner data" for whatever partner it reads, as loosely as it can."""
    while (await receive()).get("more_body"):
        pass
    path = unquote(scope["path"]).lower()           # decodes a second time, ignores case
    path = re.sub(r"/+", "/", path)                  # collapses slashes
    path = re.sub(r";[^/]*", "", path).rstrip("/")   # drops ;params and a trailing slash
    path = re.sub(r"/send/v\d+/", "/send/", path)    # any version is v1
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:             # the last of two headers wins
        headers[name.decode().lower().replace("_", "-")] = value.decode()
    method = scope["method"].upper()
    method = "GET" if method == "HEAD" else method
    match = re.search(r"/partners/([^/]+)", path)
    partner = (match.group(1) if match else headers.get("partner-ref-id", "")).upper().strip()
    resource = "balances" if method == "GET" and "/accounts" in path else "other"
    body = json.dumps({"partner": partner, "resource": resource}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def run(app: Any, method: str, raw_target: str, headers: list[tuple[str, str]]) -> tuple[int, Any]:
    """Send one request as uvicorn would hand it to the app; (status, JSON body)."""
    raw_path, _, query = raw_target.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": unquote(raw_path),
             "raw_path": raw_path.encode("latin-1"), "query_string": query.encode("latin-1"),
             "root_path": "", "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
             "server": ("testserver", 80), "client": ("127.0.0.1", 1234)}
    messages = iter([{"type": "http.request", "body": b"", "more_body": False}])
    sent: list[Any] = []

    async def receive() -> Any:
        return next(messages, {"type": "http.disconnect"})

    async def collect(message: Any) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, collect))
    status = sent[0]["status"]
    return status, json.loads(b"".join(m.get("body", b"") for m in sent[1:]))


def served(status: int, body: Any) -> bool:
    return status == 200 and "partner" in body


@pytest.fixture
def gateway(world: World) -> XBSGateway:
    return XBSGateway(lenient_app, world.registry, external_url=BASE,
                      policy=SecurityPolicy.mastercard_compatible())


def oauth1_headers(world: World, method: str, raw_target: str,
                   extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """Signed for exactly the target sent (the attacker signs what they send)."""
    signer = OAuth1Signer(world.plain.consumer_key, world.plain.signing_key)
    auth = signer.authorization_header(method.upper(), BASE + raw_target, b"")
    return [("Authorization", auth), *extra]


def token_headers(world: World, extra: list[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    who = world.psd2
    pipe = ClientPipeline(RequestTokenAuth(RequestTokenMinter(who.consumer_key, who.signing_key,
                                                              who.signing_certificate)))
    return [("Authorization", pipe.request("GET", BASE + "/x").headers["Authorization"]),
            *extra]


OTHER_PARTNER_TARGETS = [
    f"/send/v1/partners/{OTHER}/crossborder/quotes",
    f"/SEND/v1/partners/{OTHER}/crossborder/quotes",
    f"/send/V1/PARTNERS/{OTHER}/crossborder/quotes",
    f"/send/v2/partners/{OTHER}/crossborder/quotes",
    f"/send/partners/{OTHER}/crossborder/quotes",
    f"//send/v1/partners/{OTHER}/crossborder/quotes",
    f"/send//partners/{OTHER}/crossborder/quotes",
    f"/send/v1/partners//{OTHER}/crossborder/quotes",
    f"/send/v1/partners/{OTHER};x=1/crossborder/quotes",
    f"/send/v1/partners/{OTHER.lower()}/crossborder/quotes",
    f"/send/v1/partners/{OTHER}%2Fcrossborder/quotes",
    "/send/v1/partners/%4F%54%48%45%52_9/crossborder/quotes",
    "/send/v1/partners/%254F%2554HER_9/crossborder/quotes",
    f"/send/v1/partners/{OWN}/../{OTHER}/crossborder/quotes",
    f"/send/v1/partners/{OWN}/%2E%2E/{OTHER}/crossborder/quotes",
    f"/send/v1/./partners/{OTHER}/crossborder/quotes",
    f"/send/v1/partners/{OTHER}/crossborder/quotes/",
    f"/send\\v1\\partners\\{OTHER}/crossborder/quotes",
    f"/send/v1/partners/{OWN}/x/partners/{OTHER}/quotes",
]


@pytest.mark.parametrize("target", OTHER_PARTNER_TARGETS)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_no_path_spelling_reaches_another_partner(world: World, gateway: XBSGateway,
                                                  target: str, method: str) -> None:
    status, body = run(gateway, method, target, oauth1_headers(world, method, target))
    assert not served(status, body) or body["partner"] == OWN, (status, body)
    if served(status, body):
        pytest.fail(f"served {body} for {target}")


@pytest.mark.parametrize("headers", [
    [("Partner-Ref-Id", OTHER)],
    [("Partner-Ref-Id", OWN), ("Partner-Ref-Id", OTHER)],
    [("Partner-Ref-Id", OTHER), ("Partner-Ref-Id", OWN)],
    [("Partner-Ref-Id", f" {OTHER} ")],
    [("Partner_Ref_Id", OTHER)],
    [("Partner-Ref-Id", OWN), ("Partner_Ref_Id", OTHER)],
    [("partner-ref-id", OTHER.lower())],
])
def test_no_header_spelling_reaches_another_partner(world: World, gateway: XBSGateway,
                                                    headers: list[tuple[str, str]]) -> None:
    target = "/crossborder/endpoint-guide/specifications?payment_type=P2P"
    status, body = run(gateway, "GET", target, oauth1_headers(world, "GET", target, headers))
    assert not served(status, body), (status, body)


def test_the_canonical_requests_are_served(world: World, gateway: XBSGateway) -> None:
    target = f"/send/v1/partners/{OWN}/crossborder/quotes"
    assert run(gateway, "POST", target, oauth1_headers(world, "POST", target)) == (
        200, {"partner": OWN, "resource": "other"})
    guide = "/crossborder/endpoint-guide/specifications?payment_type=P2P"
    assert run(gateway, "GET", guide, oauth1_headers(world, "GET", guide,
                                                     [("Partner-Ref-Id", OWN)]))[0] == 200


BALANCE_TARGETS = [
    f"/send/partners/{PSD2_OWN}/crossborder/accounts",
    f"/send/partners/{PSD2_OWN}/crossborder/accounts/acct_1",
    f"/send/partners/{PSD2_OWN}/crossborder/accounts/",
    f"/send/partners/{PSD2_OWN}/crossborder/ACCOUNTS",
    f"/send/partners/{PSD2_OWN}/CROSSBORDER/Accounts/acct_1",
    f"/send/v1/partners/{PSD2_OWN}/crossborder/accounts",
    f"/send/v7/partners/{PSD2_OWN}/crossborder/accounts",
    f"/send/partners/{PSD2_OWN}/crossborder/accounts.json",
    f"/send/partners/{PSD2_OWN}/crossborder/accounts;jsessionid=1",
    f"/send/partners/{PSD2_OWN}/crossborder//accounts",
    f"/send/partners/{PSD2_OWN}/crossborder/%61ccounts",
    f"/send/partners/{PSD2_OWN}/crossborder/%2561ccounts",
    f"/send/partners/{PSD2_OWN}/crossborder/rates/../accounts",
    f"/send/partners/{PSD2_OWN}/crossborder/accounts?include_balance=true",
]


@pytest.mark.parametrize("target", BALANCE_TARGETS)
@pytest.mark.parametrize("method", ["GET", "get", "Get", "HEAD", "head"])
def test_no_spelling_reaches_a_balance_api_with_a_request_token(
        world: World, gateway: XBSGateway, target: str, method: str) -> None:
    status, body = run(gateway, method, target, token_headers(world))
    assert not (served(status, body) and body["resource"] == "balances"), (status, body)


@pytest.mark.parametrize("method", ["get", "Post", "pOST"])
def test_a_method_that_is_not_upper_case_is_refused(world: World, gateway: XBSGateway,
                                                    method: str) -> None:
    target = f"/send/v1/partners/{OWN}/crossborder/quotes"
    status, body = run(gateway, method, target, oauth1_headers(world, method, target))
    assert status == 400
    assert body["Errors"]["Error"][0]["ReasonCode"] == "INVALID_REQUEST"


def test_two_authorization_headers_are_refused(world: World, gateway: XBSGateway) -> None:
    target = f"/send/v1/partners/{OWN}/crossborder/quotes"
    headers = oauth1_headers(world, "POST", target)
    status, body = run(gateway, "POST", target, headers + headers)
    assert status == 400
    assert body["Errors"]["Error"][0]["ReasonCode"] == "INVALID_AUTH_HEADER"
