"""Uvicorn with the ASGI TLS extension: the application learns the client certificate.

Uvicorn does not fill ``scope["extensions"]["tls"]``, so an application cannot tell a
connection that presented a client certificate from one that did not. With mutual TLS
optional at the handshake (``CERT_OPTIONAL``: a certificate, when sent, must chain to the
client CA), the gateway can then require one only from the consumers the registry marks
``mtls`` (SPEC §1, §5.2) and answer the others as usual.

Use ``TLSExtensionH11Protocol`` as uvicorn's ``http`` protocol class.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["TLSExtensionH11Protocol", "tls_extension"]

_App = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


def tls_extension(transport: asyncio.BaseTransport) -> dict[str, Any] | None:
    """The ASGI TLS extension for a connection, or ``None`` on plain TCP."""
    ssl_object = transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject):
        return None
    peer = ssl_object.getpeercert(binary_form=True)
    chain = [ssl.DER_cert_to_PEM_cert(peer)] if peer else []
    cipher = ssl_object.cipher()
    return {"client_cert_chain": chain, "tls_version": None,
            "cipher_suite": None if cipher is None else cipher[0],
            "server_cert": None}


class _WithExtension:
    __slots__ = ("app", "tls")

    def __init__(self, app: _App, tls: dict[str, Any]) -> None:
        self.app = app
        self.tls = tls

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") in ("http", "websocket"):
            scope.setdefault("extensions", {})["tls"] = self.tls
        await self.app(scope, receive, send)


class TLSExtensionH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, adding ``scope["extensions"]["tls"]`` on TLS connections."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        tls = tls_extension(transport)
        if tls is not None:
            self.app = _WithExtension(self.app, tls)
