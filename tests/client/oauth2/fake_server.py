"""A minimal authorization server and Balance API on 127.0.0.1, real HTTP, for client tests.

It follows the contract the client is written against (the project's own authorization
server is tested on its own): ``GET /oauth2/authorize`` approves at once and redirects to
``redirect_uri?code=…&state=…`` (or ``error=access_denied`` when told to deny);
``POST /oauth2/token`` authenticates the client with ``private_key_jwt`` (verified with
``jws_verify`` against the registered public key: ``iss = sub = client_id``, ``aud`` = this
endpoint, ``exp - iat`` at most 300 s, each ``jti`` once), redeems codes with PKCE S256,
and rotates refresh tokens (reusing an old one revokes the family). Every other request is
a resource request: its method, path and ``Authorization`` are recorded and a small JSON
document answers it.

``refreshes`` counts refresh grants that were served (successful or not); ``delay`` holds
each token answer back, to widen the window in which concurrent callers could race.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from xbsec.errors import MalformedTokenError, SignatureError
from xbsec.jose.jws import jws_verify

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (a cancelled refresh) is part of some tests


@dataclass
class Seen:
    method: str
    path: str
    authorization: str | None


@dataclass
class FakeAuthorizationServer:
    client_id: str
    public_key: Any
    access_ttl: int = 900
    refresh_ttl: int | None = 90 * 86400
    delay: float = 0.0
    deny: bool = False
    refreshes: int = 0
    exchanges: int = 0
    seen: list[Seen] = field(default_factory=list)
    forms: list[dict[str, str]] = field(default_factory=list)
    issued_codes: list[str] = field(default_factory=list)
    inject: list[tuple[int, bytes, str]] = field(default_factory=list)
    """Answers to give the next token requests instead of the real ones."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, dict[str, str]] = {}
        self._refresh: dict[str, tuple[int, bool]] = {}  # token -> (family, used)
        self._revoked: set[int] = set()
        self._jtis: set[str] = set()
        self.access_tokens: set[str] = set()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, ssl_context: Any = None) -> FakeAuthorizationServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner._handle(self)

            do_POST = do_GET

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.scheme = "http"
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        return self.url + "/oauth2/token"

    # -- what a test sets up ----------------------------------------------------------------

    def issue(self, *, family: int | None = None) -> dict[str, Any]:
        """A fresh token answer, as the token endpoint would give it."""
        with self._lock:
            return self._issue(family)

    def _issue(self, family: int | None) -> dict[str, Any]:
        access = "at-" + secrets.token_urlsafe(24)
        refresh = "rt-" + secrets.token_urlsafe(24)
        self.access_tokens.add(access)
        self._refresh[refresh] = (family if family is not None else len(self._refresh), False)
        answer: dict[str, Any] = {"access_token": access, "token_type": "Bearer",
                                  "expires_in": self.access_ttl, "refresh_token": refresh,
                                  "scope": "balances"}
        if self.refresh_ttl is not None:
            answer["refresh_token_expires_in"] = self.refresh_ttl
        return answer

    # -- HTTP -------------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        target = urlsplit(request.path)
        if request.command == "GET" and target.path == "/oauth2/authorize":
            return self._authorize(request, dict(parse_qsl(target.query)))
        if request.command == "POST" and target.path == "/oauth2/token":
            if self.delay:
                time.sleep(self.delay)
            return self._token(request, raw)
        with self._lock:
            self.seen.append(Seen(request.command, request.path,
                                  request.headers.get("Authorization")))
        root = "accounts" if "/accounts" in target.path else "quote"
        self._send(request, 200, json.dumps({root: {"path": target.path}}).encode())

    def _authorize(self, request: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        redirect = params.get("redirect_uri", "")
        parts = urlsplit(redirect)
        if (params.get("response_type") != "code" or params.get("client_id") != self.client_id
                or parts.hostname != "127.0.0.1" or parts.path != "/callback"
                or params.get("code_challenge_method") != "S256"):
            return self._send(request, 400, b'{"error":"invalid_request"}')
        if self.deny:
            answer = {"error": "access_denied", "state": params.get("state", "")}
        else:
            code = secrets.token_urlsafe(16)
            self.issued_codes.append(code)
            with self._lock:
                self._codes[code] = {"redirect_uri": redirect,
                                     "challenge": params.get("code_challenge", "")}
            answer = {"code": code, "state": params.get("state", "")}
        request.send_response(302)
        request.send_header("Location", redirect + "?" + urlencode(answer))
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _token(self, request: BaseHTTPRequestHandler, raw: bytes) -> None:
        form = dict(parse_qsl(raw.decode("ascii"), strict_parsing=True))
        with self._lock:
            self.forms.append(form)
            if form.get("grant_type") == "refresh_token":
                self.refreshes += 1
            if self.inject:
                status, body, content_type = self.inject.pop(0)
                return self._send(request, status, body, content_type)
            problem = self._client_problem(form)
            if problem:
                return self._error(request, 401, "invalid_client", problem)
            if form.get("grant_type") == "authorization_code":
                return self._code_grant(request, form)
            if form.get("grant_type") == "refresh_token":
                return self._refresh_grant(request, form)
            return self._error(request, 400, "unsupported_grant_type", "")

    def _client_problem(self, form: dict[str, str]) -> str | None:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return "client_assertion_type"
        try:
            _, payload = jws_verify(form.get("client_assertion", ""), self.public_key,
                                    algorithms={"RS256", "ES256"})
        except (MalformedTokenError, SignatureError):
            return "signature"
        claims = json.loads(payload)
        now = time.time()
        if not (claims.get("iss") == claims.get("sub") == self.client_id
                == form.get("client_id")):
            return "iss/sub"
        if claims.get("aud") != self.token_url:
            return "aud"
        if not claims["iat"] - 60 <= now < claims["exp"] or claims["exp"] - claims["iat"] > 300:
            return "times"
        if claims["jti"] in self._jtis:
            return "jti replayed"
        self._jtis.add(claims["jti"])
        return None

    def _code_grant(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        self.exchanges += 1
        bound = self._codes.pop(form.get("code", ""), None)
        if bound is None or bound["redirect_uri"] != form.get("redirect_uri"):
            return self._error(request, 400, "invalid_grant", "unknown code or redirect_uri")
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != bound["challenge"]:
            return self._error(request, 400, "invalid_grant", "PKCE verification failed")
        self._send(request, 200, json.dumps(self._issue(None)).encode())

    def _refresh_grant(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        known = self._refresh.get(form.get("refresh_token", ""))
        if known is None or known[0] in self._revoked:
            return self._error(request, 400, "invalid_grant", "unknown or revoked")
        family, used = known
        if used:
            self._revoked.add(family)
            return self._error(request, 400, "invalid_grant", "refresh token reused")
        self._refresh[form["refresh_token"]] = (family, True)
        self._send(request, 200, json.dumps(self._issue(family)).encode())

    def _error(self, request: BaseHTTPRequestHandler, status: int, error: str,
               description: str) -> None:
        body = {"error": error, "error_description": description}
        self._send(request, status, json.dumps(body).encode())

    @staticmethod
    def _send(request: BaseHTTPRequestHandler, status: int, body: bytes,
              content_type: str = "application/json") -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Cache-Control", "no-store")
        request.end_headers()
        request.wfile.write(body)
