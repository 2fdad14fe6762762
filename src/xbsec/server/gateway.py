"""``XBSGateway``: the XBS security scheme enforced in front of any ASGI application.

The mirror of the client pipeline (DESIGN.md)::

    the request line in its one canonical form (method, path, security headers)
    -> credentials from the headers alone: OAuth 1.0a parsed and its consumer known; a
       request token or an access token verified whole; the client certificate bound to
       the consumer (mTLS) -- all before a byte of the body is read
    -> read the body (bounded) -> OAuth 1.0a verified over it (SPEC §2.7)
    -> the consumer entitled to the environment, the auth mode and every partner named
    -> the consumer's quota (429, Retry-After) -> the nonce claimed (only now: forged
       requests cannot burn nonces)
    -> x-encrypted: unwrap, pick the key by kid, decrypt (tag verified), SPEC §3.8 errors
    -> the application, with the plaintext and scope["xbsec"] = who is calling
    -> a 2xx to an encrypted request: encrypted to the partner's key, wrapped (SPEC §3.5)

Every refusal is the gateway envelope of SPEC §2.8 in the request's format, with its status,
ReasonCode and ``Recoverable``, and an ``X-Request-Id``. A store that cannot answer is a 503
whose body says only that (the store's address and the cause go to the log). The access log
has one structured line per request (``access_log.py``) and never a secret.

The signed URL is rebuilt from ``external_url`` (the scheme and host clients address, one or
several), never from the request's ``Host`` header: a request signed for another host is
refused. The application learns the caller from ``scope["xbsec"]``: ``consumer_key``,
``partner_ids`` (list), ``auth`` (``oauth1``, ``request-token`` or ``access-token``),
``request_id``, ``psd2`` and ``encrypted``.

What the gateway assumes of the application behind it, and of its stores, is in
SECURITY.md: in short, the application routes the path and method the gateway checked, and
a store shared by several processes keeps what it is given until it expires.
"""

from __future__ import annotations

import inspect
import logging
import math
import multiprocessing
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import urlsplit

from xbsec.documents import Format
from xbsec.error_envelope import ErrorItem, render_errors
from xbsec.errors import (
    AccessDeniedError,
    ConfigurationError,
    DecryptionError,
    InsufficientScopeError,
    InvalidAuthHeaderError,
    InvalidRequestLineError,
    MalformedTokenError,
    PayloadError,
    RateLimitError,
    RefusedError,
    ServiceUnavailableError,
    SignatureError,
)
from xbsec.policy import SecurityPolicy
from xbsec.server.access_log import AccessRecord, shorten
from xbsec.server.observer import Trace
from xbsec.stores.rates import MemoryRateStore
from xbsec.stores.replay import (
    AsyncReplayStore,
    MemoryReplayStore,
    ReplayStore,
    claim_nonce,
    claim_nonce_async,
)

if TYPE_CHECKING:
    from cryptography import x509

    from xbsec.oauth1.verifier import VerifiedRequest
    from xbsec.server.observer import RequestObserver
    from xbsec.server.registry import Consumer, Registry, WatchedRegistry
    from xbsec.stores.rates import AsyncRateStore, RateStore

__all__ = ["AccessTokenValidator", "GatewayRefusal", "XBSGateway"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ENCRYPTED_BODY: Final = re.compile(
    rb'\s*(?:\{\s*"encrypted_payload"\s*:|(?:<\?xml[^>]*\?>\s*)?<encrypted_payload[\s>/])')
"""A body that is the encrypted_payload envelope (JSON or XML), by its first bytes."""
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")
# RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
_SCHEME_THEN_SPACE = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+) +([^ \t].*)", re.DOTALL)
_TOKEN68 = re.compile(r"[A-Za-z0-9._~+/-]+=*")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_METHOD = re.compile(r"[A-Z]{1,16}")
_ENCODED_SEPARATORS = re.compile(r"%(?:2[fF]|5[cC]|2[eE]|00)")
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SINGLE_HEADERS = frozenset({b"authorization", b"partner-ref-id", b"x-encrypted",
                             b"content-type", b"host", b"specification-type", b"x-request-id"})
_UNAVAILABLE = "a service the gateway depends on is unavailable; try again shortly"


class GatewayRefusal(RefusedError):
    """A refusal with any status and ReasonCode (body limits, encryption, SPEC §3.8)."""

    def __init__(self, status: int, reason_code: str, description: str, *,
                 source: str = "Gateway", recoverable: bool = False,
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(description, reason_code=reason_code, source=source, headers=headers)
        self.status = status  # type: ignore[misc]  # an instance value, unlike the subclasses
        self.recoverable = recoverable  # type: ignore[misc]


class AccessTokenValidator(Protocol):
    """Validates OAuth 2.0 access tokens (Balance APIs, SPEC §6); supplied by the auth server."""

    def validate(self, token: str, *, path: str) -> str:
        """The consumer key the token was issued to, or raise a ``RefusedError``."""
        ...


@dataclass(frozen=True, slots=True)
class _RequestLine:
    """The request as the gateway reads it: canonical method and path, single headers."""

    method: str
    path: str
    target: str
    """The raw request target (path and query) as received: what OAuth 1.0a signed."""
    partners: frozenset[str]
    """Every partner id the request names: path segments after ``partners``, and
    ``Partner-Ref-Id``."""
    headers: dict[bytes, str]
    """The single-valued headers, by lower-case name."""

    @property
    def balance(self) -> bool:
        """A Balance API call (SPEC §6.1): a GET (or HEAD) of ``.../crossborder/accounts...``.

        Matched without regard to case or to what follows ``accounts`` in its segment, so
        that no spelling an application might route there escapes the access-token rule;
        the POSTs under ``accounts`` (bank account validation) keep request tokens.
        """
        if self.method not in ("GET", "HEAD"):
            return False
        segments = self.path.lower().split("/")
        return any(segment.startswith("accounts") and "crossborder" in segments[:index]
                   for index, segment in enumerate(segments))


@dataclass(slots=True)
class _Identity:
    consumer: Consumer
    auth: str
    complete: bool
    """Authenticated already (tokens); OAuth 1.0a is complete once verified over the body."""
    replay_key: str = ""
    replay_ttl: float = 0
    signed_url: str = ""
    """OAuth 1.0a: the configured URL the signature verified for."""
    variant: str = ""
    """OAuth 1.0a: the base-string construction it verified under."""
    oauth1_params: Mapping[str, str] = field(default_factory=dict)
    """OAuth 1.0a: the header's parameters, parsed once."""


def _request_line(scope: Scope) -> _RequestLine:
    method = str(scope.get("method", ""))
    if not _METHOD.fullmatch(method):
        raise InvalidRequestLineError("the method must be an upper-case token: methods are "
                                      "case-sensitive (RFC 9110 §9.1)")
    path = str(scope.get("path", "/"))
    raw = bytes(scope.get("raw_path") or path.encode("utf-8")).decode("latin-1")
    raw_path = raw.partition("?")[0]
    if (not raw_path.startswith("/") or "//" in raw_path or ";" in raw_path
            or "\\" in raw_path or _ENCODED_SEPARATORS.search(raw_path)
            or any(segment in (".", "..") for segment in raw_path.split("/"))
            or "//" in path or _ESCAPE.search(path)
            or any(ord(c) < 0x20 or c == "\x7f" for c in path)):
        # A path still holding an escape once decoded was encoded twice: an application
        # that decodes again would read another path than the gateway checked.
        raise InvalidRequestLineError("the path is not in canonical form: no empty or dot "
                                      "segments, no ';', no encoded '/', '\\\\' or '.', "
                                      "nothing encoded twice")
    headers: dict[bytes, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name = bytes(raw_name).lower()
        if b"_" in name and name.replace(b"_", b"-") in _SINGLE_HEADERS:
            # Some frameworks read Partner_Ref_Id as Partner-Ref-Id (CGI's HTTP_ names);
            # nginx drops such headers by default. One spelling only.
            raise InvalidRequestLineError(f"the header {name.decode()} is refused: write it "
                                          "with '-', not '_'")
        if name in _SINGLE_HEADERS:
            if name in headers:
                if name == b"authorization":
                    raise InvalidAuthHeaderError("more than one Authorization header")
                raise InvalidRequestLineError(f"more than one {name.decode()} header")
            headers[name] = bytes(raw_value).decode("latin-1")
    partners = set()
    segments = path.split("/")
    for index, segment in enumerate(segments[:-1]):
        if segment.lower() == "partners":
            partners.add(segments[index + 1])
    header_partner = headers.get(b"partner-ref-id")
    if header_partner is not None:
        partners.add(header_partner)
        partners.add(header_partner.strip())
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    return _RequestLine(method, path, raw_path + (f"?{query}" if query else ""),
                        frozenset(partners), headers)


def _scheme_and_credentials(authorization: str | None) -> tuple[str | None, str]:
    """(lower-case scheme, credentials) of an Authorization value; scheme ``None`` for a
    bare token (SPEC §5.2, §6.4).

    RFC 9110 §11.4: a scheme token, then one or more SP, then the credentials; the field's
    own leading and trailing white space is not part of it. A bare token is one token68. A
    lone ``OAuth`` or ``Bearer`` is that scheme with empty credentials. Anything else (a tab
    after the scheme, say) is 400 INVALID_AUTH_HEADER: it is never read as a bare token.
    """
    value = (authorization or "").strip(" \t")
    if not value:
        raise InvalidAuthHeaderError("the Authorization header is missing")
    match = _SCHEME_THEN_SPACE.fullmatch(value)
    if match is not None:
        return match.group(1).lower(), match.group(2)
    if _TOKEN68.fullmatch(value):
        lowered = value.lower()
        return (lowered, "") if lowered in ("oauth", "bearer") else (None, value)
    raise InvalidAuthHeaderError("the Authorization header is not a scheme, one or more "
                                 "spaces and credentials (RFC 9110 §11.4)")


def _error_format(scope: Scope) -> Format:
    for name in (b"content-type", b"accept"):
        value = (_header(scope, name) or "").lower()
        if "xml" in value:
            return "xml"
        if "json" in value:
            return "json"
    return "json"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if bytes(key).lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _base_urls(external_url: str | Iterable[str]) -> tuple[str, ...]:
    given = [external_url] if isinstance(external_url, str) else list(external_url)
    if not given:
        raise ConfigurationError("external_url: give the URL (scheme and host) clients use")
    bases = []
    for url in given:
        parts = urlsplit(url) if isinstance(url, str) else None
        if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
                or parts.path not in ("", "/") or parts.query or parts.fragment
                or parts.username or parts.password):
            raise ConfigurationError(f"external_url {url!r} must be a scheme and a host (and a "
                                     "port), such as https://api.example.com")
        bases.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(dict.fromkeys(bases))


async def _next(stream: Any) -> Message | None:
    """The application's next lifespan message, or ``None`` once it has stopped talking."""
    try:
        message: Message = await stream.receive()
    except Exception:  # closed: the application returned or raised
        return None
    return message


def _reason_code(headers: list[tuple[bytes, bytes]], payload: bytes) -> str | None:
    """The first ReasonCode of an application's error answer, for the access log."""
    from xbsec.error_envelope import parse_errors

    content_type = next((bytes(v).decode("latin-1").lower() for k, v in headers
                         if bytes(k).lower() == b"content-type"), "")
    fmt: Format = "xml" if "xml" in content_type else "json"
    try:
        return parse_errors(payload[:65536], fmt)[0].reason_code[:64] or None
    except Exception:  # not an Errors envelope: the log says "-"
        return None


def _shared(store: object) -> bool:
    return not getattr(store, "process_local", False)


def _several_processes() -> bool:
    """Whether this process is one of several serving the same app (best effort).

    A worker that a multiprocessing supervisor started (``uvicorn --workers N``, the
    servers built on ``multiprocessing``) has a parent process; a server that forks
    without it (gunicorn) is not seen here, which SECURITY.md says.
    """
    return multiprocessing.parent_process() is not None


class XBSGateway:
    """ASGI middleware enforcing the XBS security scheme for the consumers of a registry.

    ``external_url``: the scheme and host clients address (``https://api.example.com``), or
    several; the signed URL is rebuilt from it, never from the request. ``environment``
    limits the gateway to that environment's consumers. ``replay_store`` and ``rate_store``
    may be synchronous or asynchronous; several gateway processes need shared ones
    (``xbsec.stores``: SQLite on one host, Redis across hosts), and a gateway that finds an
    in-process store while it runs in several processes refuses to start.
    ``policy.rate_limit_per_second`` turns the per-consumer quota on.

    ``observer`` (``xbsec.server.observer``) is handed one record per request: the stage
    it reached, how it ended, and what the checks used; with ``observe_documents`` also the
    decrypted request and the application's answer in the clear (a sandbox's, on test
    keys). Without an observer nothing of it is gathered.
    """

    def __init__(self, app: ASGIApp, registry: Registry | WatchedRegistry, *,
                 external_url: str | Iterable[str],
                 policy: SecurityPolicy | None = None,
                 replay_store: ReplayStore | AsyncReplayStore | None = None,
                 rate_store: RateStore | AsyncRateStore | None = None,
                 environment: str | None = None,
                 access_tokens: AccessTokenValidator | None = None,
                 balance_paths: Callable[[str], bool] | None = None,
                 exempt_paths: Iterable[str] = (),
                 logger: logging.Logger | None = None,
                 clock: Callable[[], float] = time.time,
                 observer: RequestObserver | None = None,
                 observe_documents: bool = False) -> None:
        from xbsec.oauth1.verifier import OAuth1Verifier
        from xbsec.oauth2.request_token_verifier import RequestTokenVerifier

        self.app = app
        self.registry = registry
        self.external_urls = _base_urls(external_url)
        self.policy = policy if policy is not None else SecurityPolicy()
        self.store: ReplayStore | AsyncReplayStore = (
            replay_store if replay_store is not None else MemoryReplayStore())
        # Both protocols have a claim(); only the coroutine kind is awaited.
        self._async_store = inspect.iscoroutinefunction(getattr(self.store, "claim", None))
        self.rate_store: RateStore | AsyncRateStore = (
            rate_store if rate_store is not None else MemoryRateStore())
        self._async_rates = inspect.iscoroutinefunction(getattr(self.rate_store, "take", None))
        self.environment = environment
        self.access_tokens = access_tokens
        self.is_balance_path = balance_paths
        self.exempt_paths = frozenset(exempt_paths)
        self.log = logger or logging.getLogger("xbsec.gateway")
        self.oauth1 = OAuth1Verifier(registry.signing_certificates, policy=self.policy,
                                     clock=clock)
        self.tokens = RequestTokenVerifier(registry.signing_certificates, policy=self.policy,
                                           clock=clock)
        self._certificates: dict[str, x509.Certificate] = {}
        self.observer = observer
        self.observe_documents = observe_documents
        self._clock = clock
        self.startup_warnings: tuple[str, ...] = ()
        """What the start-up checks found and only warned about (see ``/health``)."""

    # -- start-up ---------------------------------------------------------------------------

    async def startup_problems(self) -> tuple[list[str], list[str]]:
        """What keeps this gateway from being safe as deployed: (refusals, warnings).

        An in-process store while several processes serve (each would accept a replay
        once); a shared replay store that can lose live claims (``policy``: refuse or warn).
        """
        refusals: list[str] = []
        warnings: list[str] = []
        if _several_processes():
            for name, store in (("replay store", self.store), ("rate store", self.rate_store)):
                if not _shared(store) and (name == "replay store"
                                           or self.policy.rate_limit is not None):
                    refusals.append(
                        f"the {name} is in this process's memory, but several processes "
                        "serve this gateway: each would keep its own, and a request replayed "
                        "to another process would be accepted. Give a shared store "
                        "(xbsec.stores: SQLite for one host, Redis for several)")
        check = getattr(self.store, "durability", None)
        if check is not None:
            report = check()
            report = await report if inspect.isawaitable(report) else report
            found = list(report.problems) + ([report.unverified] if report.unverified else [])
            if report.problems and self.policy.replay_store_durability == "refuse":
                refusals += [f"replay store: {problem}" for problem in report.problems]
            else:
                warnings += [f"replay store: {problem}" for problem in found]
        return refusals, warnings

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The server's lifespan: the gateway's own checks first, then the application's.

        The gateway talks to the server; the application, if it speaks lifespan, gets its
        startup and shutdown through the gateway, and its answers are relayed. An
        application that does not (it returns or raises at once) is started regardless.
        """
        import anyio

        message = await receive()
        if message["type"] != "lifespan.startup":  # pragma: no cover - ASGI starts with it
            return
        refusals, warnings = await self.startup_problems()
        self.startup_warnings = tuple(warnings)
        for warning in warnings:
            self.log.warning("start-up check: %s", warning)
        if refusals:
            for refusal in refusals:
                self.log.error("refusing to start: %s", refusal)
            await send({"type": "lifespan.startup.failed", "message": "; ".join(refusals)})
            return
        to_app, app_inbox = anyio.create_memory_object_stream[Message](2)
        app_outbox, from_app = anyio.create_memory_object_stream[Message](2)
        async with to_app, app_inbox, app_outbox, from_app, anyio.create_task_group() as group:

            async def run_app() -> None:
                try:
                    await self.app(scope, app_inbox.receive, app_outbox.send)
                except Exception as exc:
                    self.log.debug("the application does not run a lifespan: %s",
                                   type(exc).__name__)
                finally:
                    app_outbox.close()

            group.start_soon(run_app)
            await to_app.send(message)
            answer = await _next(from_app)
            await send(answer or {"type": "lifespan.startup.complete"})
            if answer is not None and answer["type"] == "lifespan.startup.failed":
                group.cancel_scope.cancel()
                return
            message = await receive()  # lifespan.shutdown
            if answer is not None:
                await to_app.send(message)
                answer = await _next(from_app)
            await send(answer or {"type": "lifespan.shutdown.complete"})
            group.cancel_scope.cancel()

    # -- one request ------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        if scope["type"] != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming_id = _header(scope, b"x-request-id")
        request_id = (incoming_id if incoming_id and _REQUEST_ID.match(incoming_id)
                      else uuid.uuid4().hex)
        fmt = _error_format(scope)
        outcome: dict[str, Any] = {"status": 500, "consumer": None, "auth": "-",
                                   "encrypted": False, "reason": "-", "partner": "-"}
        trace = Trace(self._clock()) if self.observer is not None else None
        outcome["trace"] = trace
        try:
            await self._serve(scope, receive, send, request_id, outcome)
        except RefusedError as refused:
            refusal = self._bearer_challenge(scope, refused)
            outcome.update(status=refusal.status, reason=refusal.reason_code)
            if trace is not None:
                trace.refusal = refusal
            if isinstance(refusal, ServiceUnavailableError):
                # The cause (a store's address, its error) is for the operator's log only.
                self.log.error("request %s: %s", request_id, refusal.description)
                refusal = ServiceUnavailableError(_UNAVAILABLE, headers=(("Retry-After", "1"),))
            await self._refuse(send, refusal, fmt, request_id)
        except Exception as exc:  # never a traceback on the wire
            outcome.update(status=500, reason="INTERNAL_ERROR")
            self.log.error("request %s failed inside the gateway or application: %s",
                           request_id, type(exc).__name__)
            await self._refuse(send, GatewayRefusal(500, "INTERNAL_ERROR",
                                                    "Internal Server Error"), fmt, request_id)
        finally:
            latency = round((time.perf_counter() - started) * 1000, 1)
            AccessRecord(request_id, str(scope.get("method", "-"))[:16],
                         str(scope.get("path", "-"))[:256], outcome["status"],
                         outcome["reason"], shorten(outcome["consumer"]), outcome["partner"],
                         outcome["auth"], outcome["encrypted"], latency).log(self.log)
            if trace is not None:
                self._observe(scope, request_id, outcome, trace, latency)

    def _observe(self, scope: Scope, request_id: str, outcome: dict[str, Any], trace: Trace,
                 latency: float) -> None:
        """Hand the observer its record; its failure is logged, never the client's."""
        assert self.observer is not None
        try:
            self.observer.observe(trace.record(scope, request_id, outcome, latency,
                                               external_urls=self.external_urls,
                                               policy=self.policy,
                                               documents=self.observe_documents))
        except Exception as exc:
            self.log.error("request %s: the observer failed: %s", request_id,
                           type(exc).__name__)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, request_id: str,
                     outcome: dict[str, Any]) -> None:
        # outcome["stage"]: how far the request got, for an observer (xbsec.server.observer).
        trace: Trace | None = outcome["trace"]
        outcome["stage"] = "request"
        line = _request_line(scope)
        self._check_declared_length(scope)
        outcome["stage"] = "credentials"
        identity = self._identify(scope, line)
        if trace is not None:
            trace.identity = identity
        outcome.update(consumer=identity.consumer.consumer_key, auth=identity.auth,
                       stage="mtls")
        self._check_client_certificate(scope, identity.consumer)
        if identity.complete:
            outcome["stage"] = "entitlement"
            self._authorize(identity, line, outcome)
        outcome["stage"] = "body"
        body = await self._read_body(scope, receive)
        if trace is not None:
            trace.body = body
        if not identity.complete:
            outcome["stage"] = "oauth1"
            self._verify_oauth1(identity, line, body)
            outcome["stage"] = "entitlement"
            self._authorize(identity, line, outcome)
        outcome["stage"] = "quota"
        await self._take_quota(identity.consumer)
        outcome["stage"] = "nonce"
        if identity.replay_key:
            if self._async_store:
                await claim_nonce_async(self.store, identity.replay_key,  # type: ignore[arg-type]
                                        identity.replay_ttl)
            else:
                claim_nonce(self.store, identity.replay_key,  # type: ignore[arg-type]
                            identity.replay_ttl)
        consumer = identity.consumer
        encrypted = line.headers.get(b"x-encrypted", "").strip().lower() == "true"
        outcome.update(encrypted=encrypted, stage="decryption")
        if encrypted:
            body = self._decrypt(line, consumer, body)
        elif consumer.encryption == "required":
            raise GatewayRefusal(400, "ENCRYPTION_REQUIRED", "this consumer must encrypt its "
                                 "requests (x-encrypted: true)", source="encrypted_payload")
        elif _ENCRYPTED_BODY.match(body):
            # The usual slip of a hand-built request: the envelope without its header. Said
            # here, rather than as the business API's "quoterequest is missing".
            raise GatewayRefusal(400, "INVALID_INPUT_FORMAT", "the body is an encrypted "
                                 "payload but the x-encrypted: true header is missing; send "
                                 "the header with every encrypted request",
                                 source="x-encrypted")
        outcome["stage"] = "application"
        if trace is not None:
            trace.document = body
        inner = dict(scope)
        inner["headers"] = [(k, v) for k, v in scope.get("headers", ())
                            if bytes(k).lower() not in (b"content-length", b"x-encrypted")]
        inner["headers"].append((b"content-length", str(len(body)).encode()))
        inner["xbsec"] = {"consumer_key": consumer.consumer_key,
                          "partner_ids": sorted(consumer.partner_ids), "auth": identity.auth,
                          "request_id": request_id, "psd2": consumer.psd2,
                          "encrypted": encrypted}
        outcome["status"] = await self._forward(inner, body, send, consumer, encrypted,
                                                request_id, outcome)

    # -- authentication ----------------------------------------------------------------------

    def _identify(self, scope: Scope, line: _RequestLine) -> _Identity:
        """Who the headers say is calling, refused on the headers alone where they can be."""
        authorization = line.headers.get(b"authorization", "")
        scheme, credentials = _scheme_and_credentials(authorization)  # refuses a missing one
        if scheme == "bearer" and not credentials:
            raise MalformedTokenError("the Bearer token is empty")
        if scheme == "oauth":
            from xbsec.oauth1.header import parse_authorization

            params = parse_authorization(authorization)
            return _Identity(self._consumer(params["oauth_consumer_key"]), "oauth1",
                             complete=False, oauth1_params=params)
        if scheme not in (None, "bearer"):
            raise InvalidAuthHeaderError("the Authorization scheme is neither OAuth nor Bearer")
        if _JWT_SHAPE.match(credentials):
            checked = self.tokens.authenticate(authorization)
            return _Identity(self._consumer(checked.consumer_key), "request-token",
                             complete=True, replay_key=checked.replay_key or "",
                             replay_ttl=checked.replay_ttl)
        if self.access_tokens is not None and _TOKEN68.fullmatch(credentials):
            if not self._balance(line):
                raise AccessDeniedError("access tokens are for the Balance APIs only "
                                        "(SPEC §6.4)")
            consumer_key = self.access_tokens.validate(credentials, path=line.path)
            return _Identity(self._consumer(consumer_key), "access-token", complete=True)
        if scheme is None:
            raise InvalidAuthHeaderError("the Authorization scheme is neither OAuth nor Bearer")
        # SPEC §5.4 step 1: a Bearer value that is not a JWS is a 401, not §2.7's 400.
        raise MalformedTokenError("the Bearer token is not a JWS (three base64url segments)")

    def _verify_oauth1(self, identity: _Identity, line: _RequestLine, body: bytes) -> None:
        verified: VerifiedRequest | None = None
        last: SignatureError | None = None
        for base in self.external_urls:  # the signature must hold for a configured URL
            try:
                verified = self.oauth1._authenticate_params(
                    line.method, base + line.target, identity.oauth1_params, body)
                break
            except SignatureError as exc:
                last = exc
        if verified is None:
            assert last is not None
            raise last
        identity.complete = True
        identity.replay_key, identity.replay_ttl = verified.replay_key, verified.replay_ttl
        identity.signed_url, identity.variant = base, verified.variant

    def _balance(self, line: _RequestLine) -> bool:
        if self.is_balance_path is not None:
            return line.method in ("GET", "HEAD") and self.is_balance_path(line.path)
        return line.balance

    def _authorize(self, identity: _Identity, line: _RequestLine,
                   outcome: dict[str, Any]) -> None:
        """The authenticated consumer's entitlements: auth mode, Balance rule, partners."""
        consumer = identity.consumer
        if identity.auth == "oauth1" and consumer.psd2:
            raise AccessDeniedError("this consumer is an MTS EU/UK customer: use OAuth 2.0 "
                                    "request tokens, not OAuth 1.0a (SPEC §1)")
        if identity.auth == "request-token":
            if not consumer.psd2:
                raise AccessDeniedError("request tokens are for MTS EU/UK customers; this "
                                        "consumer signs with OAuth 1.0a (SPEC §1)")
            if self._balance(line):
                raise AccessDeniedError("Balance APIs need an access token (SPEC §1, §6)")
        outside = sorted(p for p in line.partners if p not in consumer.partner_ids)
        if outside:
            raise AccessDeniedError("Unauthorized - Access Not Granted: this consumer key is "
                                    "not entitled to this partner id")
        outcome["partner"] = ",".join(sorted({p.strip() for p in line.partners})) or "-"

    def _bearer_challenge(self, scope: Scope, refusal: RefusedError) -> RefusedError:
        """A Balance call's refusal, with its ``WWW-Authenticate`` (RFC 6750 §3).

        On the Balance paths (when the gateway takes access tokens) a client must be able to
        tell from the header alone whether to refresh: no credential, or one of a scheme
        the Balance APIs do not take, is 401 and ``Bearer``; a token that does not
        authenticate is 401 ``invalid_token``; a good token that does not cover the request
        is 403 ``insufficient_scope``. The body stays the gateway envelope. OAuth 1.0a
        requests and other paths keep their answers (SPEC §2.7, §2.8).
        """
        path = str(scope.get("path", "/"))
        balance = (self.is_balance_path(path) if self.is_balance_path is not None
                   else _RequestLine("GET", path, "", frozenset(), {}).balance)
        if (self.access_tokens is None or scope.get("method") not in ("GET", "HEAD")
                or not balance):
            return refusal
        from xbsec.oauth2.bearer import bearer_challenge

        authorization = (_header(scope, b"authorization") or "").strip()
        scheme, space, _ = authorization.partition(" ")
        if scheme.lower() == "oauth":
            return refusal
        if isinstance(refusal, InsufficientScopeError):
            challenge = bearer_challenge("insufficient_scope", refusal.description,
                                         scope=refusal.scope)
        elif refusal.status == 401:
            token_sent = scheme.lower() == "bearer" or (bool(authorization) and not space)
            challenge = (bearer_challenge("invalid_token", refusal.description) if token_sent
                         else bearer_challenge())
        elif isinstance(refusal, InvalidAuthHeaderError):  # none, or another scheme: a 401
            return GatewayRefusal(401, refusal.reason_code, refusal.description,
                                  source=refusal.source,
                                  headers=(*refusal.headers,
                                           ("WWW-Authenticate", bearer_challenge())))
        else:
            return refusal
        refusal.headers = (*refusal.headers, ("WWW-Authenticate", challenge))
        return refusal

    def _consumer(self, consumer_key: str) -> Consumer:
        consumer = self.registry.get(consumer_key)
        if consumer is None or (self.environment and consumer.environment != self.environment):
            raise AccessDeniedError("Unauthorized - Access Not Granted")
        return consumer

    def _check_client_certificate(self, scope: Scope, consumer: Consumer) -> None:
        """Mutual TLS (SPEC §1): a consumer the registry binds to a certificate presents it
        (RFC 8705 style: its SHA-256 thumbprint or its subject, ``Registry``)."""
        if not consumer.mtls:
            return
        tls = (scope.get("extensions") or {}).get("tls") or {}
        chain = tls.get("client_cert_chain") or []
        if not chain:
            raise GatewayRefusal(422, "INVALID_CLIENT_CERT", "this consumer must present a "
                                 "client certificate (mutual TLS)")
        if not consumer.binds_client_certificate(self._certificate(str(chain[0]))):
            raise GatewayRefusal(422, "INVALID_CLIENT_CERT", "the client certificate is not "
                                 "one registered for this consumer")

    def _certificate(self, pem: str) -> x509.Certificate:
        """The presented certificate, parsed once per distinct PEM."""
        found = self._certificates.get(pem)
        if found is None:
            from cryptography import x509 as x509_module

            try:
                found = x509_module.load_pem_x509_certificate(pem.encode("ascii"))
            except (ValueError, UnicodeEncodeError):
                raise GatewayRefusal(422, "INVALID_CLIENT_CERT", "the client certificate "
                                     "cannot be read") from None
            if len(self._certificates) > 1024:
                self._certificates.clear()
            self._certificates[pem] = found
        return found

    async def _take_quota(self, consumer: Consumer) -> None:
        limit = self.policy.rate_limit
        if limit is None:
            return
        rate, burst = limit
        taken: Any = self.rate_store.take(f"consumer:{consumer.consumer_key}", rate=rate,
                                          burst=burst)
        try:
            decision = await taken if self._async_rates else taken
        except ServiceUnavailableError:
            raise
        except Exception as exc:  # a quota store that cannot answer fails closed
            raise ServiceUnavailableError(f"the rate store cannot answer: "
                                          f"{type(exc).__name__}") from exc
        if not decision.allowed:
            wait = max(1, math.ceil(decision.retry_after))
            raise RateLimitError(f"too many requests from this consumer key; retry in {wait} s",
                                 headers=(("Retry-After", str(wait)),))

    # -- body -------------------------------------------------------------------------------

    def _check_declared_length(self, scope: Scope) -> None:
        limit = self.policy.max_body_bytes
        declared = _header(scope, b"content-length")
        # Length before int(): thousands of digits make int() raise (and cost quadratic time).
        if declared is not None and (not (declared.isascii() and declared.isdigit())
                                     or len(declared) > 18 or int(declared) > limit):
            raise GatewayRefusal(413, "REQUEST_TOO_LARGE", f"the body exceeds {limit} bytes")

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.policy.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise GatewayRefusal(400, "INCOMPLETE_REQUEST", "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise GatewayRefusal(413, "REQUEST_TOO_LARGE", f"the body exceeds {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _decrypt(self, line: _RequestLine, consumer: Consumer, body: bytes) -> bytes:
        if consumer.encryption == "off":
            raise GatewayRefusal(400, "ENCRYPTION_NOT_ENABLED", "payload encryption is not "
                                 "set up for this consumer", source="encrypted_payload")
        if not body:
            return body  # a GET asking for an encrypted response (SPEC §3.6)
        from xbsec.jose.jwe import jwe_decrypt, jwe_header
        from xbsec.payload.envelope import unwrap

        try:
            token = unwrap(body, line.headers.get(b"content-type"), policy=self.policy)
        except PayloadError as exc:
            raise GatewayRefusal(400, "INVALID_INPUT_FORMAT", str(exc),
                                 source="encrypted_payload") from None
        try:
            kid = jwe_header(token, policy=self.policy).kid
        except DecryptionError:
            raise GatewayRefusal(400, "REQUEST_DECRYPT_FAILED", "the request could not be "
                                 "decrypted", source="encrypted_payload.data") from None
        keys = consumer.client_encryption_keys
        key = keys.get(kid.lower()) if kid else None
        if key is None:
            if self.policy.jwe_require_known_kid or len(set(map(id, keys.values()))) != 1:
                raise GatewayRefusal(400, "DECRYPT_PRIVATE_KEY_NOT_FOUND", "no key for this "
                                     "kid", source="encrypted_payload.data")
            key = next(iter(keys.values()))
        try:
            return jwe_decrypt(token, key, policy=self.policy)
        except DecryptionError:
            raise GatewayRefusal(400, "REQUEST_DECRYPT_FAILED", "the request could not be "
                                 "decrypted", source="encrypted_payload.data") from None

    # -- the application and the answer ------------------------------------------------------

    async def _forward(self, scope: Scope, body: bytes, send: Send, consumer: Consumer,
                       encrypted: bool, request_id: str, outcome: dict[str, Any]) -> int:
        sent_body = False

        async def receive() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        if start is None:
            raise RuntimeError("the application sent no response")
        status = int(start["status"])
        headers = [(k, v) for k, v in start.get("headers", [])
                   if bytes(k).lower() not in (b"content-length", b"x-request-id")]
        payload = b"".join(chunks)
        if status >= 400 and payload:
            reason = _reason_code(headers, payload)
            if reason:
                outcome["reason"] = reason
        if outcome["trace"] is not None:
            outcome["trace"].answered(headers, payload)
        if encrypted and status < 400 and payload:
            payload = self._encrypt(consumer, headers, payload)
        headers.append((b"content-length", str(len(payload)).encode()))
        headers.append((b"x-request-id", request_id.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
        return status

    @staticmethod
    def _encrypt(consumer: Consumer, headers: list[tuple[bytes, bytes]],
                 payload: bytes) -> bytes:
        from xbsec.payload.encrypted_body import encrypt_payload

        content_type = next((bytes(v).decode("latin-1") for k, v in headers
                             if bytes(k).lower() == b"content-type"), "application/json")
        certificate = consumer.mastercard_encryption_certificate
        if certificate is None:  # Consumer refuses this combination when it is made
            raise GatewayRefusal(500, "INTERNAL_ERROR", "no key to encrypt the response to")
        return encrypt_payload(payload, certificate, content_type=content_type)

    @staticmethod
    async def _refuse(send: Send, refusal: RefusedError, fmt: Format, request_id: str) -> None:
        body = render_errors([ErrorItem(refusal.source, refusal.reason_code,
                                        refusal.description, refusal.recoverable)], fmt)
        await send({"type": "http.response.start", "status": refusal.status, "headers": [
            (b"content-type", f"application/{fmt}".encode()),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
            *((name.encode("latin-1"), value.encode("latin-1"))
              for name, value in refusal.headers)]})
        await send({"type": "http.response.body", "body": body})
