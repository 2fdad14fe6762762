"""A real HTTP server on 127.0.0.1 that checks each request the way the gateway does.

It verifies OAuth 1.0a with ``OAuth1Verifier`` or a request token with
``RequestTokenVerifier``, decrypts ``x-encrypted`` bodies with the client-encryption
private key, and answers with an echo of what it understood, encrypted to the partner's
Mastercard-encryption certificate when the request was encrypted. It records the exact
bytes it received, so a test can check that the body the client signed is the body that
crossed the wire. Special paths: ``.../business-error`` answers a 400 XBS error,
``.../html-error`` a 502 HTML page, ``.../plain`` a plaintext answer even to an encrypted
request, ``.../flaky`` a 503 for the first two calls, ``.../throttled`` a 429 with
``Retry-After: 1`` for the first call (``.../throttled-long``: always, ``Retry-After:
3600``), ``.../slow`` its answer after two seconds.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from xbsec.documents import document_format, dumps, loads
from xbsec.error_envelope import ErrorDetail, ErrorItem, render_errors
from xbsec.errors import DecryptionError, PayloadError, RefusedError
from xbsec.oauth1 import OAuth1Verifier, body_hash
from xbsec.oauth2 import RequestTokenVerifier
from xbsec.payload import decrypt_payload, encrypt_payload
from xbsec.policy import SecurityPolicy


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    plaintext: bytes
    auth: str
    tls_client_cert: bool = False


@dataclass
class LoopbackXBS:
    consumer_key: str
    signing_certificate: Any
    client_encryption_key: Any
    mastercard_encryption_certificate: Any
    policy: SecurityPolicy = field(default_factory=SecurityPolicy)
    seen: list[Seen] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        credentials = {self.consumer_key: self.signing_certificate}
        self.oauth1 = OAuth1Verifier(credentials, policy=self.policy)
        self.tokens = RequestTokenVerifier(credentials, policy=self.policy)
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, ssl_context: Any = None) -> LoopbackXBS:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                owner._handle(self)

            do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if ssl_context is not None else "http"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    # -- one request ------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        headers = dict(request.headers.items())
        content_type = request.headers.get("Content-Type")
        try:
            fmt = document_format(content_type, default="json")
        except PayloadError:
            fmt = "json"
        authorization = request.headers.get("Authorization")
        encrypted = (request.headers.get("x-encrypted") or "").lower() == "true"
        try:
            if authorization and authorization.startswith("OAuth"):
                self.oauth1.verify(request.command, self.url + request.path, authorization, raw)
                auth = "oauth1"
            else:
                self.tokens.verify(authorization)
                auth = "request-token"
        except RefusedError as refusal:
            item = ErrorItem(refusal.source, refusal.reason_code, refusal.description)
            return self._send(request, refusal.status, render_errors([item], fmt), fmt)
        plaintext = raw
        if encrypted and raw:
            try:
                plaintext = decrypt_payload(raw, self.client_encryption_key, policy=self.policy)
            except (DecryptionError, PayloadError):
                item = ErrorItem("encrypted_payload.data", "REQUEST_DECRYPT_FAILED",
                                 "the request could not be decrypted")
                return self._send(request, 400, render_errors([item], fmt), fmt)
        # Over TLS, whether the client presented a certificate the server verified (mTLS).
        peer_certificate = getattr(request.connection, "getpeercert", None)
        tls_client_cert = bool(peer_certificate and peer_certificate())
        with self._lock:
            self.seen.append(Seen(request.command, request.path, headers, raw, plaintext, auth,
                                  tls_client_cert))
            count = self.calls[request.path] = self.calls.get(request.path, 0) + 1
        path = request.path.split("?", 1)[0]
        if path.endswith("/business-error"):
            item = ErrorItem("amount", "INVALID_INPUT_VALUE", "Invalid Input Value",
                             details=(ErrorDetail("ErrorDetailCode", "082000"),),
                             request_id="123")
            return self._send(request, 400, render_errors([item], fmt), fmt)
        if path.endswith("/html-error"):
            page = b"<html><body>502 Bad Gateway</body></html>"
            return self._send(request, 502, page, None, "text/html")
        if path.endswith("/flaky") and count <= 2:
            item = ErrorItem("Service", "SERVICE_UNAVAILABLE", "try again")
            return self._send(request, 503, render_errors([item], fmt), fmt)
        if path.endswith("/throttled-long") or (path.endswith("/throttled") and count <= 1):
            item = ErrorItem("Gateway", "TOO_MANY_REQUESTS", "slow down")
            wait = "3600" if path.endswith("-long") else "1"
            return self._send(request, 429, render_errors([item], fmt), fmt,
                              headers={"Retry-After": wait})
        if path.endswith("/slow"):
            time.sleep(2)
        received: Any = None
        if plaintext:
            try:
                received = loads(plaintext, fmt)
            except PayloadError:
                received = plaintext.decode("utf-8", "replace")
        answer = {"echo": {"method": request.command, "target": request.path, "auth": auth,
                           "body_hash": body_hash(raw), "received": received}}
        body = dumps(answer, fmt) if fmt == "json" else dumps(
            {"echo": {k: v for k, v in answer["echo"].items() if not isinstance(v, dict)}},
            "xml")
        if encrypted and not path.endswith("/plain"):
            body = encrypt_payload(body, self.mastercard_encryption_certificate,
                                   content_type=f"application/{fmt}")
        self._send(request, 200, body, fmt)

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: bytes, fmt: str | None,
              content_type: str | None = None, headers: dict[str, str] | None = None) -> None:
        request.send_response(status)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.send_header("Content-Type", content_type or f"application/{fmt}")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
