"""Gateway behaviours an attacker or an operator relies on: refusals made on the headers
alone, quotas, the signed URL's identity, certificates bound to consumers, what a 503 says,
and the checks made before the gateway agrees to start."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from tests.server.gateway_fixture import (
    PARTNER,
    ASGIClient,
    World,
    certificate_pem,
    certificate_sha256,
    echo_app,
)
from xbsec.client import ClientPipeline, RequestTokenAuth
from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.oauth1 import OAuth1Signer
from xbsec.oauth2 import RequestTokenMinter
from xbsec.policy import SecurityPolicy
from xbsec.server import gateway as gateway_module
from xbsec.server.gateway import XBSGateway
from xbsec.server.registry import Consumer, Registry
from xbsec.stores import MemoryRateStore, MemoryReplayStore
from xbsec.stores.redis.connection import Durability

BASE = "http://testserver"
QUOTES = f"/send/v1/partners/{PARTNER}/crossborder/quotes"


def gateway(world: World, app: Any = echo_app, **options: Any) -> XBSGateway:
    options.setdefault("policy", SecurityPolicy.mastercard_compatible())
    options.setdefault("external_url", BASE)
    return XBSGateway(app, world.registry, **options)


def signed(world: World, method: str, url: str, body: bytes = b"") -> dict[str, str]:
    signer = OAuth1Signer(world.plain.consumer_key, world.plain.signing_key)
    return {"Authorization": signer.authorization_header(method, url, body),
            "Content-Type": "application/json"}


def error(response: Any) -> dict[str, Any]:
    return response.json()["Errors"]["Error"][0]  # type: ignore[no-any-return]


# -- refusals on the headers alone (before the body) -------------------------------------


def run_unread(app: Any, headers: list[tuple[bytes, bytes]]) -> tuple[int, bool]:
    """Send a request whose 10 MB body never comes; (status, whether the body was asked)."""
    scope = {"type": "http", "method": "POST", "path": QUOTES, "raw_path": QUOTES.encode(),
             "query_string": b"", "headers": [(b"content-length", b"10000000"), *headers],
             "scheme": "http", "server": ("testserver", 80)}
    asked = False
    sent: list[Any] = []

    async def receive() -> Any:
        nonlocal asked
        asked = True
        await asyncio.sleep(3600)  # a client that never sends its body

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    return sent[0]["status"], asked


@pytest.mark.parametrize(("headers", "status"), [
    ([], 400),                                                            # no credentials
    ([(b"authorization", b"Basic dXNlcjpwYXNz")], 400),                   # another scheme
    ([(b"authorization", b'OAuth oauth_nonce="x"')], 400),                # unparseable
    ([(b"authorization", b'OAuth oauth_consumer_key="unknown!0",oauth_nonce="abcdefgh12345678",'
                         b'oauth_timestamp="1",oauth_signature_method="RSA-SHA256",'
                         b'oauth_signature="x",oauth_body_hash="x"')], 401),   # unknown consumer
    ([(b"authorization", b"Bearer not-a-token")], 401),                   # not a JWS
    ([(b"authorization", b"OAuth\toauth_consumer_key=\"x\"")], 400),       # not 'scheme SP'
])
def test_bad_credentials_are_refused_before_the_body_is_read(world: World, headers: Any,
                                                             status: int) -> None:
    answered, asked = run_unread(gateway(world), headers)
    assert answered == status
    assert asked is False


def test_a_request_token_is_verified_whole_before_the_body(world: World) -> None:
    who = world.plain  # an OAuth 1.0a consumer: a request token from it is refused
    pipe = ClientPipeline(RequestTokenAuth(RequestTokenMinter(who.consumer_key, who.signing_key,
                                                              who.signing_certificate)))
    token = pipe.request("POST", BASE + QUOTES).headers["Authorization"]
    answered, asked = run_unread(gateway(world), [(b"authorization", token.encode())])
    assert (answered, asked) == (401, False)


def test_a_valid_oauth1_header_does_read_the_body(world: World) -> None:
    headers = signed(world, "POST", BASE + QUOTES)
    scope_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    with pytest.raises(TimeoutError):  # it waits for the body the signature covers
        run_unread(gateway(world), scope_headers)


# -- quotas ------------------------------------------------------------------------------


def test_a_consumer_over_its_quota_gets_429_with_retry_after(world: World) -> None:
    policy = SecurityPolicy.mastercard_compatible().replace(rate_limit_per_second=0.5,
                                                            rate_limit_burst=3)
    app = gateway(world, policy=policy)
    with ASGIClient(app) as client:
        answers = [client.get(QUOTES, headers=signed(world, "GET", BASE + QUOTES))
                   for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    refused = answers[3]
    assert (error(refused)["ReasonCode"], error(refused)["Source"]) == ("TOO_MANY_REQUESTS",
                                                                       "Gateway")
    assert error(refused)["Recoverable"] is True
    assert refused.headers["retry-after"] == "2"


def test_without_a_limit_no_quota_is_kept(world: World) -> None:
    store = MemoryRateStore()
    app = gateway(world, rate_store=store)
    with ASGIClient(app) as client:
        for _ in range(20):
            assert client.get(QUOTES, headers=signed(world, "GET", BASE + QUOTES)
                              ).status_code == 200
    assert len(store) == 0


def test_a_refused_request_uses_no_quota(world: World) -> None:
    policy = SecurityPolicy.mastercard_compatible().replace(rate_limit_per_second=0.01,
                                                            rate_limit_burst=1)
    app = gateway(world, policy=policy)
    with ASGIClient(app) as client:
        forged = signed(world, "GET", BASE + QUOTES)
        forged["Authorization"] = forged["Authorization"].replace("oauth_signature=\"",
                                                                  "oauth_signature=\"A")
        assert client.get(QUOTES, headers=forged).status_code == 403
        assert client.get(QUOTES, headers=signed(world, "GET", BASE + QUOTES)
                          ).status_code == 200


# -- the signed URL comes from configuration, never from the request ----------------------


@pytest.mark.parametrize("host", ["evil.example:8080", "testserver.evil.example"])
def test_a_request_signed_for_another_host_is_refused_whatever_its_host_header(
        world: World, host: str) -> None:
    headers = signed(world, "GET", f"http://{host}{QUOTES}")
    with ASGIClient(gateway(world)) as client:
        response = client.get(QUOTES, headers={**headers, "Host": host})
    assert (response.status_code, error(response)["ReasonCode"]) == (403,
                                                                      "AUTHENTICATION_FAILED")


def test_forwarded_headers_do_not_change_the_signed_url(world: World) -> None:
    headers = signed(world, "GET", f"https://testserver{QUOTES}")
    with ASGIClient(gateway(world)) as client:
        response = client.get(QUOTES, headers={**headers, "X-Forwarded-Proto": "https",
                                               "X-Forwarded-Host": "testserver"})
    assert response.status_code == 403


def test_every_configured_name_is_accepted(world: World) -> None:
    app = gateway(world, external_url=["https://api.example.com", BASE])
    with ASGIClient(app) as client:
        for base in ("https://api.example.com", "https://api.example.com:443", BASE):
            assert client.get(QUOTES, headers=signed(world, "GET", base + QUOTES)
                              ).status_code == 200


@pytest.mark.parametrize("url", ["", "api.example.com", "ftp://api.example.com",
                                 "https://api.example.com/send", "https://u:p@api.example.com",
                                 "https://api.example.com?x=1", []])
def test_an_unusable_external_url_is_a_configuration_error(world: World, url: Any) -> None:
    with pytest.raises(ConfigurationError, match="external_url"):
        gateway(world, external_url=url)


# -- mutual TLS: certificates bound to consumers ------------------------------------------


def _mtls_call(world: World, app: Any, pem: str | None) -> Any:
    path = "/send/v1/partners/MTLS_1/crossborder/rates"
    signer = OAuth1Signer(world.mtls.consumer_key, world.mtls.signing_key)
    headers = {"Authorization": signer.authorization_header("GET", BASE + path, b"")}

    async def presenting(scope: Any, receive: Any, send: Any) -> None:
        if pem is not None:
            scope.setdefault("extensions", {})["tls"] = {"client_cert_chain": [pem]}
        await app(scope, receive, send)

    with ASGIClient(presenting) as client:
        return client.get(path, headers=headers)


def test_the_bound_certificate_is_served_and_another_is_not(world: World) -> None:
    app = gateway(world)
    assert _mtls_call(world, app, certificate_pem(world.tls_client_certificate)
                      ).status_code == 200
    other = _mtls_call(world, app, certificate_pem(world.other_tls_certificate))
    assert (other.status_code, error(other)["ReasonCode"]) == (422, "INVALID_CLIENT_CERT")
    assert _mtls_call(world, app, "not a certificate").status_code == 422


def test_a_certificate_may_be_bound_by_its_subject(world: World) -> None:
    consumer = world.registry.get(world.mtls.consumer_key)
    assert consumer is not None
    import dataclasses

    by_subject = dataclasses.replace(
        consumer, client_certificate_sha256=frozenset(),
        client_certificate_subject=world.other_tls_certificate.subject.rfc4514_string())
    others = [c for c in world.registry if c.consumer_key != consumer.consumer_key]
    app = XBSGateway(echo_app, Registry([*others, by_subject]), external_url=BASE,
                     policy=SecurityPolicy.mastercard_compatible())
    assert _mtls_call(world, app, certificate_pem(world.other_tls_certificate)
                      ).status_code == 200
    assert _mtls_call(world, app, certificate_pem(world.tls_client_certificate)
                      ).status_code == 422


def test_an_mtls_consumer_must_be_bound_to_certificates(world: World) -> None:
    with pytest.raises(ConfigurationError, match="client_certificate_sha256"):
        Consumer(consumer_key="ck!1", environment="sandbox", partner_ids=frozenset({"P"}),
                 signing_certificates=(world.plain.signing_certificate,), mtls=True,
                 encryption="off")
    with pytest.raises(ConfigurationError, match="64 lower-case hex digits"):
        Consumer(consumer_key="ck!1", environment="sandbox", partner_ids=frozenset({"P"}),
                 signing_certificates=(world.plain.signing_certificate,), mtls=True,
                 encryption="off", client_certificate_sha256=frozenset({"AB:CD"}))
    bound = Consumer(consumer_key="ck!1", environment="sandbox", partner_ids=frozenset({"P"}),
                     signing_certificates=(world.plain.signing_certificate,), mtls=True,
                     encryption="off", client_certificate_sha256=frozenset(
                         {certificate_sha256(world.tls_client_certificate)}))
    assert bound.mtls


# -- what a 503 says, and to whom ---------------------------------------------------------


class _DeadStore:
    def claim(self, key: str, ttl: float) -> bool:
        raise ServiceUnavailableError("the replay store at redis://10.1.2.3:6379/0 cannot be "
                                      "reached: ConnectionError: refused")


def test_a_store_failure_is_a_recoverable_503_that_names_nothing(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="xbsec.gateway")
    app = gateway(world, replay_store=_DeadStore())
    with ASGIClient(app) as client:
        response = client.get(QUOTES, headers=signed(world, "GET", BASE + QUOTES))
    assert response.status_code == 503
    assert (error(response)["ReasonCode"], error(response)["Recoverable"]) == (
        "SERVICE_UNAVAILABLE", True)
    assert "10.1.2.3" not in response.text
    assert "ConnectionError" not in response.text
    assert response.headers["retry-after"] == "1"
    assert "redis://10.1.2.3:6379/0" in caplog.text  # the operator is told


# -- one structured access line ------------------------------------------------------------


def test_one_access_line_per_request_with_the_fields_an_operator_searches(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="xbsec.gateway")
    with ASGIClient(gateway(world)) as client:
        client.get(QUOTES, headers={**signed(world, "GET", BASE + QUOTES),
                                    "X-Request-Id": "req-42"})
        client.get(QUOTES)  # no credentials
    records = [r for r in caplog.records if r.name == "xbsec.gateway"]
    assert len(records) == 2
    served, refused = (r.xbsec for r in records)  # type: ignore[attr-defined]
    assert served["request_id"] == "req-42"
    assert (served["status"], served["reason"], served["partner"], served["auth"]) == (
        200, "-", PARTNER, "oauth1")
    assert served["consumer"] == world.plain.consumer_key[:8] + "…"
    assert served["latency_ms"] >= 0
    assert (refused["status"], refused["reason"]) == (400, "INVALID_AUTH_HEADER")
    assert "Authorization" not in caplog.text
    assert world.plain.consumer_key not in caplog.text


def test_the_json_formatter_writes_the_fields(world: World) -> None:
    from xbsec.server.access_log import AccessRecord, JsonFormatter

    record = logging.LogRecord("xbsec.gateway", logging.INFO, __file__, 1, "line", None, None)
    record.xbsec = {"request_id": "r1", "status": 429}
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["request_id"], line["status"]) == (
        "INFO", "xbsec.gateway", "r1", 429)
    assert line["time"].endswith("Z")
    assert AccessRecord("r", "GET", "/p", 200, "-", "ck…", "P", "oauth1", False, 1.0).line()


# -- the checks made before the gateway starts --------------------------------------------


def lifespan(app: Any) -> list[dict[str, Any]]:
    """Run the ASGI lifespan startup and shutdown; what the server was told."""
    incoming = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    told: list[dict[str, Any]] = []

    async def receive() -> Any:
        return next(incoming)

    async def send(message: Any) -> None:
        told.append(dict(message))

    asyncio.run(app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
    return told


def test_one_process_with_memory_stores_starts(world: World) -> None:
    assert lifespan(gateway(world))[0]["type"] == "lifespan.startup.complete"


def test_several_processes_with_a_memory_replay_store_refuse_to_start(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gateway_module, "_several_processes", lambda: True)
    told = lifespan(gateway(world, replay_store=MemoryReplayStore()))
    assert told[0]["type"] == "lifespan.startup.failed"
    assert "replay store is in this process's memory" in told[0]["message"]


class _LossyStore:
    def __init__(self, report: Durability) -> None:
        self.report = report

    def claim(self, key: str, ttl: float) -> bool:
        return True

    async def durability(self) -> Durability:
        return self.report


def test_a_store_that_can_lose_claims_refuses_or_warns_by_policy(world: World) -> None:
    lossy = _LossyStore(Durability(("maxmemory-policy is allkeys-lru: set noeviction",)))
    told = lifespan(gateway(world, replay_store=lossy))
    assert told[0]["type"] == "lifespan.startup.failed"
    assert "allkeys-lru" in told[0]["message"]
    warning = SecurityPolicy.mastercard_compatible().replace(replay_store_durability="warn")
    app = gateway(world, replay_store=lossy, policy=warning)
    assert lifespan(app)[0]["type"] == "lifespan.startup.complete"
    assert app.startup_warnings == ("replay store: maxmemory-policy is allkeys-lru: set "
                                    "noeviction",)


def test_settings_that_cannot_be_read_are_a_warning(world: World) -> None:
    app = gateway(world, replay_store=_LossyStore(Durability(unverified="CONFIG refused")))
    assert lifespan(app)[0]["type"] == "lifespan.startup.complete"
    assert app.startup_warnings == ("replay store: CONFIG refused",)


def test_an_app_that_speaks_lifespan_is_still_started_by_it(world: World) -> None:
    started = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    started.append(True)
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    told = lifespan(gateway(world, app))
    assert [m["type"] for m in told] == ["lifespan.startup.complete",
                                         "lifespan.shutdown.complete"]
    assert started == [True]
