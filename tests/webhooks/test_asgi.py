"""The ASGI application and the asynchronous receiver: the certificate from the TLS
extension or a terminator's header, a coroutine handler, an asynchronous store."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.webhooks import samples
from tests.webhooks.samples import pem, pki
from xbsec.errors import ServiceUnavailableError
from xbsec.stores import EventClaim, MemoryEventStore
from xbsec.webhooks import AsyncWebhookReceiver, Delivery, WebhookApp
from xbsec.webhooks.events import WebhookEvent


class AsyncStore:
    """An ``AsyncEventStore`` over the memory store, failing where told."""

    def __init__(self, fail: frozenset[str] = frozenset()) -> None:
        self.inner = MemoryEventStore()
        self.fail = fail

    def _check(self, operation: str) -> None:
        if operation in self.fail:
            raise ServiceUnavailableError("down")

    async def begin(self, event_ref: str, *, lease: float) -> EventClaim:
        self._check("begin")
        return self.inner.begin(event_ref, lease=lease)

    async def finish(self, event_ref: str, token: str, *, keep: float) -> None:
        self._check("finish")
        self.inner.finish(event_ref, token, keep=keep)

    async def release(self, event_ref: str, token: str) -> None:
        self._check("release")
        self.inner.release(event_ref, token)


class Handler:
    def __init__(self, fail: int = 0) -> None:
        self.events: list[WebhookEvent] = []
        self.fail = fail

    async def __call__(self, event: WebhookEvent) -> None:
        await asyncio.sleep(0)
        if self.fail:
            self.fail -= 1
            raise RuntimeError("no")
        self.events.append(event)


async def call(app: Any, *, method: str = "POST", path: str = "/", body: bytes | None = None,
               headers: list[tuple[bytes, bytes]] | None = None,
               chain: list[str] | None = None, chunks: int = 1,
               disconnect: bool = False) -> tuple[int, dict[str, str], bytes]:
    body = samples.body(samples.status_change()) if body is None else body
    scope: dict[str, Any] = {"type": "http", "method": method, "path": path,
                             "headers": headers or [(b"content-type", b"application/json")]}
    if chain is not None:
        scope["extensions"] = {"tls": {"client_cert_chain": chain}}
    size = max(1, len(body) // chunks + 1)
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": body[i:i + size], "more_body": i + size < len(body)}
        for i in range(0, max(len(body), 1), size)]
    if disconnect:
        messages = [{"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    if not sent:
        return 0, {}, b""
    start, content = sent
    headers_out = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers_out, content["body"]


def app_for(handler: Any = None, **options: Any) -> tuple[WebhookApp, Handler]:
    handler = handler or Handler()
    path = options.pop("path", None)
    header = options.pop("certificate_header", None)
    receiver = AsyncWebhookReceiver(handler, client_ca=pki().ca,
                                    decryption_keys=pki().encryption_key, **options)
    return WebhookApp(receiver, path=path, certificate_header=header), handler


CLIENT = [pem(pki().client)]


@pytest.mark.anyio
async def test_the_tls_extensions_certificate_admits_a_push_handed_over_once() -> None:
    app, handler = app_for(store=AsyncStore())
    first = await call(app, chain=CLIENT, chunks=3)
    second = await call(app, chain=CLIENT)
    assert (first[0], json.loads(first[2])) == (200, {"status": "received"})
    assert (second[0], json.loads(second[2])) == (200, {"status": "duplicate"})
    assert len(handler.events) == 1


@pytest.mark.anyio
async def test_without_a_certificate_or_with_another_cas_every_push_is_refused() -> None:
    app, handler = app_for()
    assert (await call(app))[0] == 403
    assert (await call(app, chain=[]))[0] == 403
    assert (await call(app, chain=[pem(pki().other_client)]))[0] == 403
    assert not handler.events


@pytest.mark.anyio
async def test_a_terminators_header_is_read_only_when_named() -> None:
    escaped = pem(pki().client).replace("\n", "%0A").replace(" ", "%20").encode()
    header = [(b"content-type", b"application/json"), (b"x-ssl-client-cert", escaped)]
    unnamed, _ = app_for()
    assert (await call(unnamed, headers=header))[0] == 403
    named, handler = app_for(certificate_header="X-SSL-Client-Cert")
    assert (await call(named, headers=header))[0] == 200
    assert (await call(named, headers=[(b"x-ssl-client-cert", b"")]))[0] == 403
    assert len(handler.events) == 1


@pytest.mark.anyio
async def test_only_post_on_its_path_and_no_body_past_the_limit() -> None:
    app, handler = app_for(path="/webhooks", max_body_bytes=100)
    assert (await call(app, path="/other", chain=CLIENT))[0] == 404
    status, headers, _ = await call(app, method="GET", path="/webhooks", chain=CLIENT)
    assert (status, headers["allow"]) == (405, "POST")
    status, _, body = await call(app, path="/webhooks", chain=CLIENT, chunks=4)
    assert (status, json.loads(body)["error"]["reason"]) == (413, "BODY_TOO_LARGE")
    assert (await call(app, path="/webhooks", chain=CLIENT, disconnect=True))[0] == 0
    assert not handler.events


@pytest.mark.anyio
async def test_a_coroutine_handler_that_raises_is_retried_through_a_500() -> None:
    app, handler = app_for(Handler(fail=1), store=AsyncStore())
    assert (await call(app, chain=CLIENT))[0] == 500
    assert (await call(app, chain=CLIENT))[0] == 200
    assert len(handler.events) == 1


@pytest.mark.anyio
async def test_a_plain_handler_and_a_synchronous_store_work_too() -> None:
    seen: list[WebhookEvent] = []
    receiver = AsyncWebhookReceiver(seen.append, client_ca=pki().ca, store=MemoryEventStore())
    delivery = await receiver.receive(samples.body(samples.rfi()), {}, pki().client)
    assert delivery.handled
    assert len(seen) == 1
    refused = await receiver.receive(b"{}", {}, pki().client)
    assert refused.status == 400


@pytest.mark.anyio
@pytest.mark.parametrize(("fail", "handler_fails", "status", "handled"), [
    ({"begin"}, 0, 503, 0),
    ({"finish"}, 0, 200, 1),
    ({"release"}, 1, 500, 0),
])
async def test_an_asynchronous_store_that_cannot_answer(fail: set[str], handler_fails: int,
                                                        status: int, handled: int) -> None:
    observed: list[Delivery] = []
    app, handler = app_for(Handler(fail=handler_fails), store=AsyncStore(frozenset(fail)),
                           observer=observed.append)
    assert (await call(app, chain=CLIENT))[0] == status
    assert len(handler.events) == handled
    assert [d.status for d in observed] == [status]


@pytest.mark.anyio
async def test_an_event_held_elsewhere_is_a_503() -> None:
    store = AsyncStore()
    await store.begin("rem_A1-SUCCESS", lease=60)
    app, handler = app_for(store=store)
    status, headers, _ = await call(app, chain=CLIENT)
    assert (status, headers["retry-after"]) == (503, "1")
    assert not handler.events


@pytest.mark.anyio
async def test_lifespan_and_websocket() -> None:
    app, _ = app_for()
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    await app({"type": "websocket"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete",
                                         "lifespan.shutdown.complete", "websocket.close"]
