"""``SandboxApp``: the ASGI application emulating the XBS business APIs.

It sits behind ``xbsec.server.gateway.XBSGateway``, which authenticates, decrypts and
encrypts; the sandbox sees plaintext documents and answers plaintext (SPEC §3.5). For one
HTTP request::

    read the body (bounded) -> route (404 / 405) -> format (Content-Type, Accept)
    -> partner entitlement (scope["xbsec"], when the gateway set it)
    -> in a worker thread: parse, validate against the contract, one SQLite transaction
       -> the answer document
    -> serialise in the request's format (-> checked against the contract, when asked)

The handler runs in a worker thread (``anyio.to_thread.run_sync``) because ``sqlite3``
blocks, and so does parsing a large document; the event loop only moves bytes. A request
whose client goes away mid-handler still finishes its transaction (the thread is not
abandoned), so an answer that is lost never means a half-written payment.

Every refusal is the XBS business envelope (SPEC §8.3, ``business_errors``) in the request's
format (JSON for a JSON-only API), carrying the gateway's request id. Anything unexpected is
a 500 envelope that says nothing about why; the log gets the exception's type, never a
payload or a traceback.

``GET /openapi.json`` answers the contract itself (``xbsec.contract``), so that a client can
be generated from the sandbox it will talk to; ``xbsec sandbox serve`` lets it through the
gateway without authentication, like ``/health``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any, Final
from urllib.parse import parse_qsl

import anyio.to_thread

from xbsec._asgi import Disconnected, read_body, serve_lifespan
from xbsec.contract import document_bytes
from xbsec.documents import Format, dumps
from xbsec.error_envelope import render_errors
from xbsec.errors import ConfigurationError
from xbsec.sandbox.business_errors import (
    CONTRACT_VIOLATION,
    INTERNAL_ERROR,
    INVALID_INPUT_LENGTH,
    INVALID_INPUT_VALUE,
    MISSING_REQUIRED_INPUT,
    PERMISSION_DENIED,
    Refusal,
    render_business_errors,
)
from xbsec.sandbox.conformance import ResponseChecker, checking_from_environment
from xbsec.sandbox.conformance import log as contract_log
from xbsec.sandbox.negotiation import preferred_format, request_format
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.routes import Route, find_route
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import with_milliseconds

__all__ = ["DEFAULT_MAX_BODY_BYTES", "OPENAPI_PATH", "SandboxApp", "create_sandbox_app"]

OPENAPI_PATH: Final = "/openapi.json"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DEFAULT_MAX_BODY_BYTES: Final = 2 * 1024 * 1024
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
# "Any correctly formatted partner ID" (SPEC §7.2): printable ASCII, no spaces; at most 35
# characters (GEN, FIDELITY §5.1).
_PARTNER_ID: Final = re.compile(r"[!-~]{1,35}")
_MEDIA_TYPES: Final[dict[Format, bytes]] = {"json": b"application/json; charset=utf-8",
                                            "xml": b"application/xml; charset=utf-8"}


def _headers(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _query(scope: Scope) -> dict[str, tuple[str, ...]]:
    try:
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Refusal.one(400, "Query", INVALID_INPUT_VALUE,
                          "the query string is not UTF-8") from None
    query: dict[str, tuple[str, ...]] = {}
    for name, value in pairs:
        query[name] = (*query.get(name, ()), value)
    return query


class SandboxApp:
    """The sandbox as an ASGI 3 application; ``store`` is its SQLite database."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 logger: logging.Logger | None = None,
                 check_responses: bool | None = None, require_kyc: bool = True,
                 pushes: Callable[[], None] | None = None) -> None:
        self.store = store
        self.pushes = pushes
        """Push notifications are on: called after each request, to wake the sender."""
        self.require_kyc = require_kyc
        """Payments must name their parties as their type says (``transfer``)."""
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self.log = logger or logging.getLogger("xbsec.sandbox")
        if check_responses is None:
            check_responses = checking_from_environment()
        self.checker = ResponseChecker() if check_responses else None
        """Checks every answer against the contract (``xbsec.sandbox.conformance``)."""

    def close(self) -> None:
        """Close the database connections it holds (it reopens them if used again)."""
        self.store.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1003})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        await serve_lifespan(receive, send, self.close)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers(scope)
        if scope["method"] == "GET" and scope["path"] == OPENAPI_PATH:
            await self._answer(send, 200, "json", document_bytes())
            return
        request_id = self._request_id(scope, headers)
        fmt = preferred_format(headers)
        extra: tuple[tuple[str, str], ...] = ()
        operation_id: str | None = None
        try:
            body = await self._read_body(headers, receive)
            route, params = find_route(scope["method"], scope["path"])
            operation_id = route.operation_id
            if fmt not in route.formats:
                fmt = "json"
            fmt = request_format(headers, bool(body), route.formats)
            partner, partner_ids = self._partner(scope, route, params, headers)
            request = Request(scope["method"], params, _query(scope), headers, body, fmt,
                              partner, self.clock(), route.operation_id, partner_ids,
                              self.require_kyc, self.pushes is not None)
            try:
                reply = await anyio.to_thread.run_sync(
                    functools.partial(route.handler, request, self.store))
            finally:
                if self.pushes is not None:
                    self.pushes()
            status, payload = reply.status, self._serialise(reply, fmt)
        except Disconnected:
            return
        except Refusal as refusal:
            status, extra = refusal.status, refusal.headers
            payload = self._errors(refusal, request_id, fmt)
        except Exception as exc:  # never a traceback on the wire
            self.log.error("sandbox request %s failed: %s", request_id, type(exc).__name__)
            status = 500
            payload = self._errors(Refusal.one(500, "Service", INTERNAL_ERROR,
                                               "Internal Server Error"), request_id, fmt)
        if self.checker is not None:
            violation = self.checker.violation(operation_id, status, fmt, payload)
            if violation is not None:
                contract_log.error("contract violation: %s", violation)
                status, extra = 500, ()
                payload = self._errors(Refusal.one(500, "Service", CONTRACT_VIOLATION,
                                                   violation), request_id, fmt)
        await self._answer(send, status, fmt, payload, extra)

    @staticmethod
    async def _answer(send: Send, status: int, fmt: Format, payload: bytes,
                      extra: tuple[tuple[str, str], ...] = ()) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", _MEDIA_TYPES[fmt]),
                                (b"content-length", str(len(payload)).encode("ascii")),
                                *((k.encode("latin-1"), v.encode("latin-1"))
                                  for k, v in extra)]})
        await send({"type": "http.response.body", "body": payload})

    @staticmethod
    def _request_id(scope: Scope, headers: Mapping[str, str]) -> str:
        identity = scope.get("xbsec")
        if isinstance(identity, Mapping) and isinstance(identity.get("request_id"), str):
            return str(identity["request_id"])
        incoming = headers.get("x-request-id", "")
        return incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex

    async def _read_body(self, headers: Mapping[str, str], receive: Receive) -> bytes:
        declared = headers.get("content-length", "")
        # Length before int(): thousands of digits make int() raise (and cost quadratic time).
        if declared.isascii() and declared.isdigit() and (
                len(declared) > 18 or int(declared) > self.max_body_bytes):
            raise self._too_large()
        body = await read_body(receive, self.max_body_bytes)
        if body is None:
            raise self._too_large()
        return body

    def _too_large(self) -> Refusal:
        return Refusal.one(413, "Body", INVALID_INPUT_LENGTH,
                           f"the body is larger than {self.max_body_bytes} bytes")

    @staticmethod
    def _partner(scope: Scope, route: Route, params: Mapping[str, str],
                 headers: Mapping[str, str]) -> tuple[str, frozenset[str] | None]:
        identity = scope.get("xbsec")
        allowed: frozenset[str] | None = None
        if identity is not None:
            # The gateway refused this already; checked again so that a misrouted request
            # still cannot reach another partner's resources. A malformed identity denies.
            named = identity.get("partner_ids") if isinstance(identity, Mapping) else None
            allowed = (frozenset(p for p in named if isinstance(p, str))
                       if isinstance(named, list | tuple | set | frozenset) else frozenset())
        if route.partner in ("none", "caller"):
            return "", allowed
        if route.partner == "header":
            source, partner = "Partner-Ref-Id", headers.get("partner-ref-id", "").strip()
            if not partner:
                raise Refusal.one(400, source, MISSING_REQUIRED_INPUT,
                                  "the Partner-Ref-Id header is required")
        else:
            source, partner = "partner_id", params["partner_id"]
        if not _PARTNER_ID.fullmatch(partner):
            raise Refusal.one(400, source, INVALID_INPUT_VALUE,
                              f"{source} must be 1 to 35 printable ASCII characters, no spaces")
        if allowed is not None and partner not in allowed:
            raise Refusal.one(403, source, PERMISSION_DENIED,
                              "the caller is not entitled to this partner id",
                              gateway_form=True)
        return partner, allowed

    @staticmethod
    def _serialise(reply: Reply, fmt: Format) -> bytes:
        if fmt == "json":
            return dumps(reply.document, fmt)
        document = with_milliseconds(reply.document)
        return dumps({reply.xml_root: document} if reply.xml_root else document, fmt)

    @staticmethod
    def _errors(refusal: Refusal, request_id: str, fmt: Format) -> bytes:
        items = [dataclasses.replace(item, request_id=request_id) for item in refusal.errors]
        if refusal.gateway_form:
            return render_errors(items, fmt)
        return render_business_errors(items, fmt)


def create_sandbox_app(database: str | os.PathLike[str], *,
                       clock: Callable[[], float] = time.time,
                       max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                       check_responses: bool | None = None,
                       require_kyc: bool = True,
                       pushes: Callable[[], None] | None = None) -> SandboxApp:
    """The sandbox on the SQLite file ``database`` (created if needed).

    ``clock`` gives Unix seconds: quote expiry, payment lifecycles and every timestamp come
    from it. ``check_responses``: check every answer against the contract (``None``: as the
    environment says, see ``xbsec.sandbox.conformance``). ``require_kyc``: refuse a payment
    that does not name its parties (``xbsec.sandbox.transfer``). ``pushes``: push
    notifications are on (events go to the outbox, ``xbsec.sandbox.pushes``), and this is
    called after each request to wake the sender.
    ``ConfigurationError`` if the file cannot be opened or is not a sandbox database.
    """
    if max_body_bytes < 1:
        raise ConfigurationError("max_body_bytes must be positive")
    return SandboxApp(Store(database), clock=clock, max_body_bytes=max_body_bytes,
                      check_responses=check_responses, require_kyc=require_kyc,
                      pushes=pushes)
