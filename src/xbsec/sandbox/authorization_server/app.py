"""``AuthorizationServer``: the emulated OAuth 2.0 authorization server of the Balance APIs.

An ASGI application (SPEC §6.4 [INF]) with these endpoints, paths from the settings:

``GET  /.well-known/oauth-authorization-server``   the RFC 8414 metadata (JSON)

``GET  /oauth2/authorize``   the consent page (200 HTML), an error redirect to the client
                             (302), or an error page when the client or its redirect URI
                             cannot be trusted (400 HTML);
``POST /oauth2/authorize``   the user's decision: 302 to ``redirect_uri`` with ``code`` and
                             ``state``, or with ``error=access_denied``; a forged, replayed
                             or expired form is a 400 page;
``POST /oauth2/token``       ``authorization_code`` and ``refresh_token`` grants, client
                             authentication ``private_key_jwt``: 200 JSON tokens, or
                             RFC 6749 §5.2 JSON errors (400, ``invalid_client`` included;
                             401 ``invalid_client`` with ``WWW-Authenticate`` when the
                             client tried HTTP authentication).

Every authorization response, a code or an error, carries ``iss`` (RFC 9207); every
``error_description`` keeps to RFC 6749's characters.

The blocking work (SQLite, signature checks) runs in a worker thread. Nothing unexpected
reaches the wire as a traceback: it becomes a 500 (``server_error``), and the log gets the
exception's type only. The log has one line per request and never a code, token, verifier
or assertion, nor a full consumer key.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import anyio.to_thread
from cryptography import x509

from xbsec._asgi import Disconnected, read_body, serve_lifespan
from xbsec.oauth2.error_fields import wire_description
from xbsec.sandbox.authorization_server.authorize import (
    AuthorizationRequest,
    read_request,
    readable_state,
    trusted_client,
)
from xbsec.sandbox.authorization_server.consent_page import (
    SECURITY_HEADERS,
    render_consent_page,
    render_error_page,
)
from xbsec.sandbox.authorization_server.consent_ticket import issue_ticket, open_ticket
from xbsec.sandbox.authorization_server.forms import Form, read_form
from xbsec.sandbox.authorization_server.metadata import metadata_document
from xbsec.sandbox.authorization_server.oauth_errors import (
    InvalidClientError,
    InvalidRequestError,
    OAuthError,
    TemporarilyUnavailableError,
    UntrustedRequestError,
)
from xbsec.sandbox.authorization_server.redirect_uris import with_parameters
from xbsec.sandbox.authorization_server.settings import (
    METADATA_PATH,
    AuthorizationServerSettings,
)
from xbsec.sandbox.authorization_server.store import AuthorizationStore
from xbsec.sandbox.authorization_server.token_endpoint import TokenEndpoint
from xbsec.sandbox.authorization_server.tokens import new_secret, secret_hash

if TYPE_CHECKING:
    from xbsec.server.registry import Consumer, Registry, WatchedRegistry

__all__ = ["AccountLister", "AuthorizationServer"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

AccountLister = Callable[[str], Sequence[str]]
"""Partner id -> the accounts the consent page lists (empty: "all accounts of partner")."""

_FORM_TYPE: Final = "application/x-www-form-urlencoded"
_JSON_HEADERS: Final = (
    (b"content-type", b"application/json; charset=utf-8"),
    (b"cache-control", b"no-store"),  # RFC 6749 §5.1
    (b"pragma", b"no-cache"),
)
_METADATA_HEADERS: Final = (
    (b"content-type", b"application/json; charset=utf-8"),
    (b"cache-control", b"no-cache"),
)
_DECISIONS: Final = ("approve", "deny")
_TOKEN68_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*")
"""An HTTP authentication scheme name (RFC 9110 §11.1: a token)."""


class _Reply:
    """One HTTP response, and what the access log says about it."""

    __slots__ = ("body", "client", "headers", "outcome", "status")

    def __init__(self, status: int, headers: Sequence[tuple[bytes, bytes]], body: bytes,
                 outcome: str) -> None:
        self.status = status
        self.headers: Headers = list(headers)
        self.body = body
        self.outcome = outcome
        self.client: str | None = None
        """The consumer key the request came from, once known (logged shortened)."""

    def of(self, consumer_key: str) -> _Reply:
        self.client = consumer_key
        return self


def _json(status: int, document: dict[str, Any], outcome: str) -> _Reply:
    return _Reply(status, _JSON_HEADERS, json.dumps(document).encode("utf-8"), outcome)


def _oauth_error(error: OAuthError) -> _Reply:
    return _json(error.status, {"error": error.error,
                                "error_description": wire_description(error.description)},
                 error.error)


def _page(status: int, body: bytes, outcome: str) -> _Reply:
    return _Reply(status, SECURITY_HEADERS, body, outcome)


def _redirect(location: str, outcome: str) -> _Reply:
    # A registered URI may hold characters a header cannot: percent-encode those only.
    wire = quote(location, safe="%:/?#[]@!$&'()*+,;=~-._").encode("ascii")
    return _Reply(302, [(b"location", wire), (b"cache-control", b"no-store")], b"", outcome)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _media_type(scope: Scope) -> str:
    return (_header(scope, b"content-type") or "").split(";", 1)[0].strip().lower()


def _client_certificate(scope: Scope) -> x509.Certificate | None:
    """The client certificate of the connection (ASGI TLS extension), if one was presented.

    The TLS layer has checked it chains to the client CA; which consumer it belongs to is
    the token endpoint's question.
    """
    tls = (scope.get("extensions") or {}).get("tls") or {}
    chain = tls.get("client_cert_chain") or ()
    if not chain:
        return None
    leaf = chain[0]
    try:
        return x509.load_pem_x509_certificate(leaf.encode("ascii") if isinstance(leaf, str)
                                              else bytes(leaf))
    except (ValueError, TypeError, UnicodeError):
        return None


def _shorten(consumer_key: str | None) -> str:
    if not consumer_key:
        return "-"
    return consumer_key if len(consumer_key) <= 12 else consumer_key[:8] + "…"


class AuthorizationServer:
    """The authorization server for the PSD2 consumers of ``registry``.

    ``accounts`` lists a partner's accounts for the consent page (the sandbox passes its
    own); ``clock`` is injectable so that tests can move time.
    """

    def __init__(self, registry: Registry | WatchedRegistry, store: AuthorizationStore, *,
                 settings: AuthorizationServerSettings,
                 accounts: AccountLister | None = None,
                 clock: Callable[[], float] = time.time,
                 logger: logging.Logger | None = None) -> None:
        self.registry = registry
        self.store = store
        self.settings = settings
        self.accounts = accounts
        self.clock = clock
        self.log = logger or logging.getLogger("xbsec.sandbox.authorization_server")
        self.tokens = TokenEndpoint(store, self._consumer, settings=self.settings,
                                    clock=clock)

    def _consumer(self, consumer_key: str) -> Consumer | None:
        consumer = self.registry.get(consumer_key)
        environment = self.settings.environment
        if consumer is None or (environment and consumer.environment != environment):
            return None
        return consumer

    # -- ASGI -------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        try:
            reply = await self._dispatch(scope, receive)
        except TemporarilyUnavailableError as busy:  # the authorization endpoint's store
            reply = _page(503, render_error_page(busy.description), busy.error)
        except Exception as exc:  # never a traceback on the wire
            self.log.error("%s %s failed: %s", scope.get("method"), scope.get("path"),
                           type(exc).__name__)
            reply = self._server_error(scope)
        headers = [*reply.headers, (b"content-length", str(len(reply.body)).encode())]
        await send({"type": "http.response.start", "status": reply.status,
                    "headers": headers})
        await send({"type": "http.response.body", "body": reply.body})
        self.log.info("%s %s %d %s client=%s %.1fms", scope.get("method"), scope.get("path"),
                      reply.status, reply.outcome, _shorten(reply.client),
                      (time.perf_counter() - started) * 1000)

    def _server_error(self, scope: Scope) -> _Reply:
        if scope.get("path") == self.settings.token_path:
            return _json(500, {"error": "server_error",
                               "error_description": "internal error"}, "server_error")
        return _page(500, render_error_page("Internal error; nothing was authorized."),
                     "server_error")

    async def _dispatch(self, scope: Scope, receive: Receive) -> _Reply:
        path, method = scope.get("path"), scope.get("method")
        settings = self.settings
        if path == METADATA_PATH:
            if method != "GET":
                reply = _json(405, {"error": "invalid_request",
                                    "error_description": "use GET"}, "method")
                reply.headers.append((b"allow", b"GET"))
                return reply
            return _Reply(200, _METADATA_HEADERS,
                          json.dumps(metadata_document(settings)).encode("utf-8"), "metadata")
        if path == settings.token_path:
            if method != "POST":
                reply = _json(405, {"error": "invalid_request",
                                    "error_description": "use POST"}, "method")
                reply.headers.append((b"allow", b"POST"))
                return reply
            return await self._token(scope, receive)
        if path == settings.authorize_path:
            if method == "GET":
                query = bytes(scope.get("query_string", b""))
                return await anyio.to_thread.run_sync(self._authorize, query)
            if method == "POST":
                return await self._decide(scope, receive)
            reply = _page(405, render_error_page("Use GET or POST."), "method")
            reply.headers.append((b"allow", b"GET, POST"))
            return reply
        return _Reply(404, [(b"content-type", b"text/plain; charset=utf-8")], b"Not Found",
                      "not_found")

    async def _form(self, scope: Scope, receive: Receive) -> Form:
        if _media_type(scope) != _FORM_TYPE:
            raise InvalidRequestError(f"the body must be {_FORM_TYPE}")
        try:
            body = await read_body(receive, self.settings.max_body_bytes)
        except Disconnected:  # nobody will read the answer
            raise InvalidRequestError("the body is incomplete") from None
        if body is None:
            raise InvalidRequestError("the body is too large")
        return read_form(body)

    # -- the token endpoint -----------------------------------------------------------------

    async def _token(self, scope: Scope, receive: Receive) -> _Reply:
        authorization = _header(scope, b"authorization")
        if authorization is not None:
            return self._http_authentication_refused(authorization)
        try:
            form = await self._form(scope, receive)
            certificate = _client_certificate(scope)
            consumer_key, document = await anyio.to_thread.run_sync(
                lambda: self.tokens.answer(form, client_certificate=certificate))
        except OAuthError as error:
            return _oauth_error(error)
        return _json(200, document, "issued").of(consumer_key)

    def _http_authentication_refused(self, authorization: str) -> _Reply:
        """The client tried HTTP authentication (``Authorization: Basic`` most often, the
        default of some libraries): RFC 6749 §5.2 wants 401 ``invalid_client`` with a
        challenge for the scheme it used. Only ``private_key_jwt`` is accepted, and one
        method per request (RFC 6749 §2.3), so even beside a good assertion it is refused."""
        scheme = authorization.strip().split(" ", 1)[0]
        if not _TOKEN68_SCHEME.fullmatch(scheme):
            scheme = "Basic"
        reply = _oauth_error(InvalidClientError(
            "the client authenticates with private_key_jwt only: send client_assertion_type "
            "and client_assertion in the form and no Authorization header (a library that "
            "sends the client id as HTTP Basic must be told to put it in the form)"))
        reply.status = 401
        reply.headers.append((b"www-authenticate",
                              f'{scheme} realm="{self.settings.issuer}"'.encode("ascii")))
        return reply

    # -- the authorization endpoint ---------------------------------------------------------

    def _authorize(self, query: bytes) -> _Reply:
        try:
            form = read_form(query)
        except OAuthError:
            return _page(400, render_error_page("The authorization request is malformed: a "
                                                "parameter is repeated or not UTF-8."),
                         "invalid_request")
        try:
            consumer, redirect_uri = trusted_client(form, self._consumer, self.settings)
        except UntrustedRequestError as error:
            return _page(400, render_error_page(error.description), "untrusted")
        try:
            request = read_request(form, consumer, redirect_uri, self.settings)
        except OAuthError as error:
            reply = self._redirect_error(redirect_uri, error, readable_state(form, self.settings))
            return reply.of(consumer.consumer_key)
        return self._consent(request).of(consumer.consumer_key)

    def _consent(self, request: AuthorizationRequest) -> _Reply:
        # Nothing is written here: the form carries the request, vouched for by its ticket.
        fields = request.fields()
        ticket = issue_ticket(self.store.ticket_key, fields,
                              expires_at=self.clock() + self.settings.consent_lifetime)
        accounts = self.accounts(request.partner_id) if self.accounts else None
        page = render_consent_page(
            action=self.settings.authorize_path, consumer_key=request.client_id,
            partner_id=request.partner_id, scope=request.scope,
            redirect_uri=request.redirect_uri, accounts=accounts,
            hidden={**fields, "csrf_token": ticket})
        return _page(200, page, "consent")

    def _redirect_error(self, redirect_uri: str, error: OAuthError,
                        state: str | None) -> _Reply:
        parameters = {"error": error.error,
                      "error_description": wire_description(error.description)}
        return self._answer(redirect_uri, parameters, state, error.error)

    def _answer(self, redirect_uri: str, parameters: dict[str, str], state: str | None,
                outcome: str) -> _Reply:
        """The authorization response: ``parameters``, the ``state`` and, by RFC 9207, the
        ``iss`` that tells a client talking to several servers which one answered."""
        if state is not None:
            parameters["state"] = state
        parameters["iss"] = self.settings.issuer
        return _redirect(with_parameters(redirect_uri, parameters), outcome)

    async def _decide(self, scope: Scope, receive: Receive) -> _Reply:
        try:
            form = await self._form(scope, receive)
        except OAuthError as error:
            return _page(400, render_error_page(f"The form cannot be read: "
                                                f"{error.description}."), "invalid_request")
        return await anyio.to_thread.run_sync(self._decide_form, form)

    def _decide_form(self, form: Form) -> _Reply:
        decision = form.get("decision")
        csrf_token = form.get("csrf_token")
        if decision not in _DECISIONS:
            return _page(400, render_error_page("Choose Approve or Deny."), "invalid_request")
        if csrf_token is None:
            return _page(400, render_error_page("The form has no CSRF token."), "csrf")
        now = self.clock()
        ticket = open_ticket(self.store.ticket_key, csrf_token)
        if ticket is None:
            return _page(400, render_error_page(
                "This consent form was not made by this server. Start again from the "
                "application."), "csrf")
        if now >= ticket.expires_at:
            return _page(400, render_error_page(
                "This consent form has expired. Start again from the application."), "csrf")
        shown = ticket.request
        if any(form.get(name) != value for name, value in shown.items()):
            return _page(400, render_error_page("The form does not match the authorization "
                                                "request it was shown for."), "csrf")
        # The registry may have changed since the page was shown: check the client again.
        try:
            consumer, redirect_uri = trusted_client(Form(dict(shown)), self._consumer,
                                                    self.settings)
        except UntrustedRequestError as error:
            return _page(400, render_error_page(error.description), "untrusted")
        if not self.store.answer_consent(ticket.nonce, until=ticket.expires_at, now=now):
            return _page(400, render_error_page(
                "This consent form was already answered. Start again from the application."),
                "csrf")
        state = shown.get("state")
        if decision == "deny":
            parameters = {"error": "access_denied",
                          "error_description": "the user denied the request"}
        else:
            code = new_secret()
            self.store.approve(
                consumer_key=consumer.consumer_key, partner_id=shown["partner_id"],
                scope=shown["scope"], redirect_uri=redirect_uri,
                code_challenge=shown["code_challenge"], code_hash=secret_hash(code),
                code_expires_at=now + self.settings.code_lifetime, now=now)
            parameters = {"code": code}
        return self._answer(redirect_uri, parameters, state,
                            "approved" if decision == "approve" else "access_denied"
                            ).of(consumer.consumer_key)


