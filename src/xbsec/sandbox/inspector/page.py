"""The inspector's pages, under ``/_inspector/``, in front of everything else.

``InspectorMount`` sends every request whose path is ``/_inspector`` or starts with
``/_inspector/`` to the page and everything else (the APIs, ``/health``, lifespan) on; the
gateway never sees the page's paths, and the page never sees the APIs'.

Access: the per-run token ``xbsec sandbox serve`` prints, in the URL on a first visit
(``?token=...``), which the page answers with a cookie (``HttpOnly``, ``SameSite=Strict``,
``Path=/_inspector/``, ``Secure`` over HTTPS) and a redirect to the same page without it;
then the cookie. Anything else is a 403 that shows nothing. Every answer forbids caching,
framing, sniffing, referrers, and (``Content-Security-Policy``) any script or style but the
page's own two files.

Paths (GET and HEAD only)::

    /_inspector/                     the list, newest first; ?consumer= &status= &reason= &path=
    /_inspector/rows?...             the list's rows alone (what the page polls)
    /_inspector/requests/<id>        one request: its checks, documents, answer, a command
    /_inspector/static/...           its script, style and icon
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, urlencode

from xbsec.sandbox.inspector.store import Filters, InspectorStore

if TYPE_CHECKING:
    from xbsec.sandbox.inspector.recorder import Recorder

__all__ = ["PREFIX", "InspectorMount", "InspectorPage"]

PREFIX: Final = "/_inspector/"
Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

_SECURITY_HEADERS: Final = (
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; "
     b"style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; "
     b"form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)
_HTML: Final = b"text/html; charset=utf-8"


class InspectorPage:
    """The inspector's ASGI application (HTTP only): the list, the detail, the assets."""

    def __init__(self, store: InspectorStore, token: str, *, folder: Path | None = None,
                 prefix: str = PREFIX) -> None:
        if len(token) < 16:
            raise ValueError("the inspector's token must be at least 16 characters")
        self.store = store
        self.folder = folder
        self.prefix = prefix
        self._token = token.encode()
        self.cookie = f"xbsec_inspector_{hashlib.sha256(self._token).hexdigest()[:10]}"
        """The cookie's name: one per token, so that two sandboxes on one host (cookies
        ignore ports) do not overwrite each other's."""

    def __repr__(self) -> str:  # never the token
        return f"InspectorPage({self.store!r})"

    def _holds(self, candidate: str) -> bool:
        return hmac.compare_digest(candidate.encode("utf-8", "replace"), self._token)

    def _cookie_token(self, scope: Scope) -> str | None:
        for name, value in scope.get("headers", ()):
            if bytes(name).lower() != b"cookie":
                continue
            for part in bytes(value).decode("latin-1").split(";"):
                key, _, found = part.strip().partition("=")
                if key == self.cookie:
                    return found
        return None

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD"):
            await self._answer(send, 405, b"method not allowed\n", b"text/plain",
                               extra=((b"allow", b"GET, HEAD"),), head=False)
            return
        head = method == "HEAD"
        query = dict(parse_qsl(bytes(scope.get("query_string", b"")).decode("latin-1")))
        offered = query.pop("token", None)
        if offered is not None and self._holds(offered):
            https = scope.get("scheme") == "https"
            set_cookie = (f"{self.cookie}={offered}; Path={self.prefix}; HttpOnly; "
                          f"SameSite=Strict{'; Secure' if https else ''}")
            where = str(scope.get("path", self.prefix)) + (
                f"?{urlencode(query)}" if query else "")
            await self._answer(send, 303, b"", b"text/plain", head=head, extra=(
                (b"location", where.encode("latin-1", "replace")),
                (b"set-cookie", set_cookie.encode("latin-1"))))
            return
        cookie = self._cookie_token(scope)
        if cookie is None or not self._holds(cookie):
            from xbsec.sandbox.inspector.render import refusal_page

            await self._answer(send, 403, refusal_page(self.prefix).encode(), _HTML,
                               head=head)
            return
        await self._route(str(scope.get("path", "")), query, send, head)

    async def _route(self, path: str, query: dict[str, str], send: Send, head: bool) -> None:
        import anyio.to_thread

        from xbsec.sandbox.inspector import render
        from xbsec.sandbox.inspector.assets import ICON, SCRIPT, STYLE

        rest = path[len(self.prefix):] if path.startswith(self.prefix) else ""
        filters = Filters(consumer=query.get("consumer", "")[:512],
                          status=query.get("status", "")[:16],
                          reason=query.get("reason", "")[:128],
                          path=query.get("path", "")[:512])
        if rest == "":
            def build() -> tuple[bytes, int]:
                rows = self.store.listed(filters)
                consumers, reasons = self.store.facets()
                newest = self.store.newest()
                page = render.list_page(rows, filters, consumers, reasons,
                                        self.store.count(), newest, self.prefix)
                return page.encode(), newest

            body, newest = await anyio.to_thread.run_sync(build)
            await self._answer(send, 200, body, _HTML, head=head,
                               extra=((b"x-newest", str(newest).encode()),))
        elif rest == "rows":
            def fragment() -> tuple[bytes, int, int]:
                newest = self.store.newest()
                rows = self.store.listed(filters)
                return (render.rows_fragment(rows, self.prefix).encode(), newest,
                        self.store.count())

            body, newest, kept = await anyio.to_thread.run_sync(fragment)
            await self._answer(send, 200, body, _HTML, head=head,
                               extra=((b"x-newest", str(newest).encode()),
                                      (b"x-kept", str(kept).encode())))
        elif rest.startswith("requests/") and rest[9:].isdigit() and len(rest) < 40:
            detail = await anyio.to_thread.run_sync(self.store.detail, int(rest[9:]))
            if detail is None:
                await self._answer(send, 404, b"no such request (it may have been dropped "
                                   b"for newer ones)\n", b"text/plain", head=head)
                return
            from xbsec.sandbox.inspector.reproduce import (
                reproduce_command,
                xbsec_request_command,
            )

            page = render.detail_page(detail, reproduce_command(detail, self.folder),
                                      self.prefix,
                                      request=xbsec_request_command(detail, self.folder))
            await self._answer(send, 200, page.encode(), _HTML, head=head)
        elif rest == "static/inspector.js":
            await self._answer(send, 200, SCRIPT.encode(), b"text/javascript; charset=utf-8",
                               head=head)
        elif rest == "static/icon.svg":
            await self._answer(send, 200, ICON.encode(), b"image/svg+xml", head=head)
        elif rest == "static/inspector.css":
            await self._answer(send, 200, STYLE.encode(), b"text/css; charset=utf-8",
                               head=head)
        else:
            await self._answer(send, 404, b"not found\n", b"text/plain", head=head)

    @staticmethod
    async def _answer(send: Send, status: int, body: bytes, content_type: bytes, *,
                      head: bool, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", content_type), (b"content-length", str(len(body)).encode()),
            *_SECURITY_HEADERS, *extra]})
        await send({"type": "http.response.body", "body": b"" if head else body})


class InspectorMount:
    """``/_inspector`` and everything under it to the page; the rest to ``app``.

    With a ``recorder``, the server is told the application has shut down only once the
    recorder has written what it still holds.
    """

    def __init__(self, page: InspectorPage, app: ASGIApp, *,
                 recorder: Recorder | None = None) -> None:
        self.page = page
        self.app = app
        self.recorder = recorder
        self._bare = page.prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        if scope["type"] == "http":
            path = str(scope.get("path", ""))
            if path.startswith(self.page.prefix) or path == self._bare:
                if path == self._bare:
                    scope = dict(scope, path=self.page.prefix)
                await self.page(scope, receive, send)
                return
        if scope["type"] == "lifespan" and self.recorder is not None:
            await self.app(scope, receive, self._lifespan_send(send, self.recorder))
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _lifespan_send(send: Send, recorder: Recorder) -> Send:
        async def relay(message: MutableMapping[str, Any]) -> None:
            if message.get("type") in ("lifespan.shutdown.complete",
                                       "lifespan.shutdown.failed"):
                import anyio.to_thread

                await anyio.to_thread.run_sync(recorder.close)
            await send(message)

        return relay
