"""A bare HTTPS receiver of pushes on 127.0.0.1, for the sender's tests: it records every
request it reads (headers and raw body) and answers what it is told, or nothing at all.

It is not xbsec's receiver: it checks nothing but TLS (mutual, when given a client CA), so
that a test sees exactly what the sandbox sent.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    client_certificate: bool


@dataclass
class PushReceiver:
    certificate: Path
    key: Path
    client_ca: Path | None = None
    answer: Callable[[Received], int] = lambda received: 200
    """The status for a request; ``0``: never answer (hold the connection)."""
    port: int = 0
    received: list[Received] = field(default_factory=list)

    def start(self) -> PushReceiver:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                peer = self.connection.getpeercert()  # type: ignore[attr-defined]
                received = Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                    body, bool(peer))
                with owner._lock:
                    owner.received.append(received)
                status = owner.answer(received)
                if status == 0:
                    owner._release.wait(30)
                    return
                payload = b'{"status":"ok"}'
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, self.key)
        if self.client_ca is not None:
            context.load_verify_locations(self.client_ca)
            context.verify_mode = ssl.CERT_REQUIRED
        self._lock = threading.Lock()
        self._release = threading.Event()
        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/webhooks"

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.received)} pushes received, not {count}")

    def __enter__(self) -> PushReceiver:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def configure_pushes(folder: Path, url: str | None, *, retry_delays: tuple[float, ...] = (
        0.2, 0.2, 0.2), timeout: float = 2.0, poll_interval: float = 0.1,
        trust: tuple[str, ...] = ("webhook-server-ca.pem",)) -> None:
    """Rewrite a project's ``server/webhooks.toml`` as an operator would: the URL, and
    retries and timeouts short enough for a test."""
    import json

    lines = [f"url = {json.dumps(url)}" if url else "",
             'client_certificate = "webhook-client.pem"',
             'client_key = "webhook-client-key.pem"',
             f"trust = {json.dumps(list(trust))}",
             'encrypt = ["rfi"]',
             f"timeout = {timeout}",
             f"retry_delays = {json.dumps(list(retry_delays))}",
             f"poll_interval = {poll_interval}"]
    (folder / "server" / "webhooks.toml").write_text("\n".join(lines) + "\n")
