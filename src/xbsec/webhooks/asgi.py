"""``WebhookApp``: an ``AsyncWebhookReceiver`` as an ASGI 3 application.

It answers ``POST`` on its ``path`` (every path when none is given) and nothing else
(405 with ``Allow: POST``, or 404), reads the body up to the receiver's limit (413 beyond
it, without reading the rest), and hands the body, the headers and the client certificate
to the receiver. The certificate comes from:

1. the ASGI TLS extension (``scope["extensions"]["tls"]["client_cert_chain"]``), filled by
   the server that did the TLS handshake. Uvicorn does not fill it by itself: run uvicorn
   with ``http="xbsec.server.uvicorn_tls:TLSExtensionH11Protocol"`` (what
   ``xbsec webhooks listen`` does), together with ``ssl_ca_certs`` (the client CA) and
   ``ssl_cert_reqs=ssl.CERT_REQUIRED``, so that the handshake itself refuses any other
   client;
2. else, when ``certificate_header`` names one, that request header, set by a TLS
   terminator in front (nginx: ``proxy_set_header X-SSL-Client-Cert
   $ssl_client_escaped_cert;``). Only name a header that the terminator always sets or
   clears: a client that reaches the app directly could write it.

Without either there is no certificate, and every push is refused (403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from xbsec._asgi import Disconnected, read_body, serve_lifespan
from xbsec.webhooks.receiver import AsyncWebhookReceiver, Delivery

__all__ = ["WebhookApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class WebhookApp:
    """Serves ``receiver`` over ASGI (see the module's text)."""

    def __init__(self, receiver: AsyncWebhookReceiver, *, path: str | None = None,
                 certificate_header: str | None = None) -> None:
        self.receiver = receiver
        self.path = path
        self.certificate_header = (certificate_header.lower().encode("latin-1")
                                   if certificate_header else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1003})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.path is not None and scope.get("path") != self.path:
            await _answer(send, Delivery(404, reason="NOT_FOUND", message="no webhook here"))
            return
        if scope.get("method") != "POST":
            await _answer(send, Delivery(405, reason="METHOD_NOT_ALLOWED",
                                         message="pushes are POSTed"), (("allow", "POST"),))
            return
        headers = [(bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
                   for name, value in scope.get("headers", ())]
        limit = self.receiver.max_body_bytes
        try:
            body = await read_body(receive, limit)
        except Disconnected:
            return
        if body is None:
            await _answer(send, Delivery(413, reason="BODY_TOO_LARGE",
                                         message=f"the body is larger than {limit} bytes"))
            return
        delivery = await self.receiver.receive(body, headers, self._certificate(scope))
        await _answer(send, delivery)

    def _certificate(self, scope: Scope) -> str | None:
        tls = (scope.get("extensions") or {}).get("tls")
        chain = tls.get("client_cert_chain") if isinstance(tls, MutableMapping) else None
        if chain and isinstance(chain[0], str):
            return chain[0]
        if self.certificate_header is not None:
            for name, value in scope.get("headers", ()):
                if bytes(name).lower() == self.certificate_header and value:
                    return bytes(value).decode("latin-1")
        return None


async def _answer(send: Send, delivery: Delivery,
                  extra: tuple[tuple[str, str], ...] = ()) -> None:
    await send({"type": "http.response.start", "status": delivery.status,
                "headers": [(k.encode("latin-1"), v.encode("latin-1"))
                            for k, v in (*delivery.headers, *extra)]})
    await send({"type": "http.response.body", "body": delivery.body})
