"""The ASGI side: lifespan, a client that leaves, websockets."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.samples import V1
from xbsec.sandbox import SandboxApp

pytestmark = pytest.mark.anyio


class Channel:
    """The server's end of one ASGI connection: scripted messages in, messages out."""

    def __init__(self, *incoming: dict[str, Any]) -> None:
        self.incoming = list(incoming)
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        return self.incoming.pop(0)

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)


async def test_lifespan_starts_and_closes_the_store(app: SandboxApp) -> None:
    with app.store.transaction(write=False):
        pass
    assert app.store._idle  # a pooled connection
    channel = Channel({"type": "lifespan.startup"}, {"type": "lifespan.shutdown"})
    await app({"type": "lifespan"}, channel.receive, channel.send)
    assert channel.sent == [{"type": "lifespan.startup.complete"},
                            {"type": "lifespan.shutdown.complete"}]
    assert app.store._idle == []


async def test_a_client_that_leaves_mid_body_gets_no_answer(app: SandboxApp) -> None:
    channel = Channel({"type": "http.request", "body": b"{", "more_body": True},
                      {"type": "http.disconnect"})
    await app({"type": "http", "method": "POST", "path": f"{V1}/quotes", "query_string": b"",
               "headers": [(b"content-type", b"application/json")]},
              channel.receive, channel.send)
    assert channel.sent == []


async def test_a_websocket_is_closed(app: SandboxApp) -> None:
    channel = Channel({"type": "websocket.connect"})
    await app({"type": "websocket", "path": "/"}, channel.receive, channel.send)
    assert channel.sent == [{"type": "websocket.close", "code": 1003}]
