"""The loopback redirect listener of ``xbsec oauth2 login`` (RFC 8252 §7.3).

::

    with LoopbackListener(port=8765, path="/callback") as listener:
        request = AuthorizationRequest.create(..., redirect_uri=listener.redirect_uri)
        webbrowser.open(request.url)
        code = request.code_from(listener.wait(request, timeout=300))

A tiny HTTP server on 127.0.0.1 only (the IP literal, not ``localhost``, which a resolver
may send elsewhere: RFC 8252 §8.3), on a given port or a free one (``port=0``). It waits
for one ``GET <path>?...`` that carries this login's ``state``: that one gets a small
"you can close this window" page, and ``wait`` returns its query. A request with another
state (a stale tab, a forged link) is answered 400 and ignored, so it can neither end the
login nor slip a code into it; other paths are 404. Nothing received is logged or shown:
the query holds the authorization code.

It runs in a daemon thread and stops when the ``with`` block ends or ``close()`` is called.
``wait`` raises ``AuthorizationError`` after ``timeout`` seconds without an answer.
"""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self
from urllib.parse import urlsplit

from xbsec.errors import AuthorizationError, ConfigurationError
from xbsec.oauth2.authorization import parse_callback_query

if TYPE_CHECKING:
    from xbsec.oauth2.authorization import AuthorizationRequest

__all__ = ["LoopbackListener", "loopback_port"]

_HOST: Final = "127.0.0.1"
_PAGE: Final = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>xbsec: {title}</title></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>{title}</h1><p>{text}</p></body></html>
"""


def loopback_port(redirect_uri: str) -> tuple[int, str]:
    """The port and path of a loopback redirect URI, for the listener to take."""
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or parts.hostname != _HOST:
        raise ConfigurationError(f"the redirect URI {redirect_uri!r} is not on "
                                 f"http://{_HOST}: the login can only receive the "
                                 "authorization code on the loopback interface (RFC 8252 §7.3)")
    try:
        port = parts.port if parts.port is not None else 80
    except ValueError:
        raise ConfigurationError(f"the redirect URI {redirect_uri!r} has a bad port") from None
    return port, parts.path or "/"


class LoopbackListener:
    """Receives the authorization server's redirect on ``http://127.0.0.1:<port><path>``."""

    def __init__(self, *, port: int = 0, path: str = "/callback",
                 handler_timeout: float = 10.0) -> None:
        if not path.startswith("/"):
            raise ConfigurationError(f"the callback path must start with '/', not {path!r}")
        self.path = path
        self._expected: AuthorizationRequest | None = None
        self._answer: str | None = None
        self._arrived = threading.Event()
        self._lock = threading.Lock()
        self.refused = 0
        """How many callbacks with another login's state were turned away."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            timeout = handler_timeout  # a connection that sends nothing is dropped
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the request line holds the authorization code: never print it

            def do_GET(self) -> None:
                owner._handle(self)

        try:
            self._server = ThreadingHTTPServer((_HOST, port), Handler)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on {_HOST}:{port} for the redirect: {exc.strerror or exc}"
                + ("; choose another port (--port 0 takes any free one)" if port else "")
            ) from None
        self._server.daemon_threads = True
        # A short poll, so that close() returns at once rather than after half a second.
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="xbsec-oauth2-callback", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://{_HOST}:{self.port}{self.path}"

    def expect(self, request: AuthorizationRequest) -> None:
        """Accept only answers carrying ``request``'s state from now on."""
        with self._lock:
            self._expected = request

    def wait(self, request: AuthorizationRequest, *, timeout: float) -> str:
        """The query of the answer to ``request`` (give it to ``request.code_from``)."""
        self.expect(request)
        if not self._arrived.wait(timeout):
            raise AuthorizationError(f"no answer from the browser within {timeout:g} s "
                                     "(run the login again)")
        with self._lock:
            return self._answer or ""  # set before the event was

    def _handle(self, http: BaseHTTPRequestHandler) -> None:
        target = urlsplit(http.path)
        if target.path != self.path:
            return self._reply(http, 404, "Not found", "This is not the login callback.")
        try:
            params = parse_callback_query(target.query)
        except AuthorizationError:
            return self._reply(http, 400, "Login failed", "The answer could not be read.")
        with self._lock:
            expected = self._expected
            if expected is None or not expected.state_matches(params.get("state")):
                self.refused += 1
                return self._reply(http, 400, "Login failed", "This answer belongs to another "
                                   "login attempt; run the login again.")
            first = self._answer is None
            if first:
                self._answer = target.query
        if "error" in params:
            self._reply(http, 200, "Login not completed", "The authorization was not given. "
                        "You can close this window.")
        else:
            self._reply(http, 200, "Logged in", "The authorization was received. You can close "
                        "this window and go back to the terminal.")
        if first:
            # Only once the page is sent: the command may exit at once (a denied consent),
            # and the browser must not be left with a connection cut mid-answer.
            self._arrived.set()
        return None

    @staticmethod
    def _reply(http: BaseHTTPRequestHandler, status: int, title: str, text: str) -> None:
        body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")
        http.send_response(status)
        http.send_header("Content-Type", "text/html; charset=utf-8")
        http.send_header("Content-Length", str(len(body)))
        http.send_header("Cache-Control", "no-store")
        http.send_header("Referrer-Policy", "no-referrer")  # the page's URL holds the code
        http.send_header("Connection", "close")
        http.end_headers()
        http.wfile.write(body)
        http.close_connection = True

    def close(self) -> None:
        """Stop listening; idempotent."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
