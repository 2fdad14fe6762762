"""``XBSGateway``: the XBS security scheme enforced in front of any ASGI application.

The mirror of the client pipeline (DESIGN.md)::

    read the body (bounded) -> authenticate (OAuth 1.0a, SPEC §2.7 | request token, §5.4)
    -> consumer entitled to the environment, the auth mode, mTLS and the partner id
    -> claim the nonce (only now: forged requests cannot burn nonces)
    -> x-encrypted: unwrap, pick the key by kid, decrypt (tag verified), SPEC §3.8 errors
    -> the application, with the plaintext and scope["xbsec"] = who is calling
    -> a 2xx to an encrypted request: encrypted to the partner's key, wrapped (SPEC §3.5)

Every refusal is the gateway envelope of SPEC §2.8 in the request's format, with its status
and ReasonCode, and an ``X-Request-Id``. The access log has one line per request and never
a secret: no Authorization value, no body, and a shortened consumer key.

The application learns the caller from ``scope["xbsec"]``: ``consumer_key``, ``partner_ids``
(list), ``auth`` (``oauth1``, ``request-token`` or ``access-token``), ``request_id``,
``psd2`` and ``encrypted``.
"""

from __future__ import annotations

import inspect
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol

from xbsec.documents import Format
from xbsec.error_envelope import ErrorItem, render_errors
from xbsec.errors import (
    AccessDeniedError,
    DecryptionError,
    InvalidAuthHeaderError,
    MalformedTokenError,
    PayloadError,
    RefusedError,
)
from xbsec.policy import SecurityPolicy
from xbsec.replay import (
    AsyncReplayStore,
    MemoryReplayStore,
    ReplayStore,
    claim_nonce,
    claim_nonce_async,
)

if TYPE_CHECKING:
    from xbsec.server.registry import Consumer, Registry

__all__ = ["AccessTokenValidator", "GatewayRefusal", "XBSGateway"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PARTNER_PATH = re.compile(r"^/send/(?:v1/)?partners/([^/?]+)(?:/|$)")
_JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")
# RFC 9110 §11.4: credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
_SCHEME_THEN_SPACE = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+) +([^ \t].*)", re.DOTALL)
_TOKEN68 = re.compile(r"[A-Za-z0-9._~+/-]+=*")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class GatewayRefusal(RefusedError):
    """A refusal with any status and ReasonCode (body limits, encryption, SPEC §3.8)."""

    def __init__(self, status: int, reason_code: str, description: str, *,
                 source: str = "Gateway") -> None:
        super().__init__(description, reason_code=reason_code, source=source)
        self.status = status  # type: ignore[misc]  # an instance value, unlike the subclasses


class AccessTokenValidator(Protocol):
    """Validates OAuth 2.0 access tokens (Balance APIs, SPEC §6); supplied by the auth server."""

    def validate(self, token: str, *, path: str) -> str:
        """The consumer key the token was issued to, or raise a ``RefusedError``."""
        ...


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _error_format(scope: Scope) -> Format:
    for name in (b"content-type", b"accept"):
        value = (_header(scope, name) or "").lower()
        if "xml" in value:
            return "xml"
        if "json" in value:
            return "json"
    return "json"


def _shorten(consumer_key: str | None) -> str:
    if not consumer_key:
        return "-"
    return consumer_key if len(consumer_key) <= 12 else consumer_key[:8] + "…"


class XBSGateway:
    """ASGI middleware enforcing the XBS security scheme for the consumers of a registry.

    ``external_url`` is the scheme and host clients address (``https://api.example.com``),
    needed to rebuild the signed URL behind a proxy; without it the request's own scheme and
    ``Host`` header are used. ``environment`` limits the gateway to that environment's
    consumers. ``replay_store`` may be synchronous or asynchronous (Redis for several
    instances); it must fail closed, and the gateway answers 503 when it cannot be reached.
    """

    def __init__(self, app: ASGIApp, registry: Registry, *,
                 policy: SecurityPolicy | None = None,
                 replay_store: ReplayStore | AsyncReplayStore | None = None,
                 external_url: str | None = None, environment: str | None = None,
                 access_tokens: AccessTokenValidator | None = None,
                 balance_paths: Callable[[str], bool] | None = None,
                 exempt_paths: Iterable[str] = (),
                 logger: logging.Logger | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        from xbsec.oauth1.verifier import OAuth1Verifier
        from xbsec.oauth2.request_token_verifier import RequestTokenVerifier

        self.app = app
        self.registry = registry
        self.policy = policy if policy is not None else SecurityPolicy()
        self.store: ReplayStore | AsyncReplayStore = (
            replay_store if replay_store is not None else MemoryReplayStore())
        # Both protocols have a claim(); only the coroutine kind is awaited.
        self._async_store = inspect.iscoroutinefunction(getattr(self.store, "claim", None))
        self.external_url = external_url.rstrip("/") if external_url else None
        self.environment = environment
        self.access_tokens = access_tokens
        self.is_balance_path = balance_paths or _is_balance_path
        self.exempt_paths = frozenset(exempt_paths)
        self.log = logger or logging.getLogger("xbsec.gateway")
        self.oauth1 = OAuth1Verifier(registry.signing_certificates, policy=self.policy,
                                     clock=clock)
        self.tokens = RequestTokenVerifier(registry.signing_certificates, policy=self.policy,
                                           clock=clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming_id = _header(scope, b"x-request-id")
        request_id = (incoming_id if incoming_id and _REQUEST_ID.match(incoming_id)
                      else uuid.uuid4().hex)
        fmt = _error_format(scope)
        outcome: dict[str, Any] = {"status": 500, "consumer": None, "auth": "-",
                                   "encrypted": False, "reason": "-"}
        try:
            await self._serve(scope, receive, send, request_id, outcome)
        except RefusedError as refusal:
            outcome.update(status=refusal.status, reason=refusal.reason_code)
            await self._refuse(send, refusal, fmt, request_id)
        except Exception as exc:  # never a traceback on the wire
            outcome.update(status=500, reason="INTERNAL_ERROR")
            self.log.error("request %s failed inside the gateway or application: %s",
                           request_id, type(exc).__name__)
            await self._refuse(send, GatewayRefusal(500, "INTERNAL_ERROR",
                                                    "Internal Server Error"), fmt, request_id)
        finally:
            self.log.info("%s %s %s %d %s auth=%s consumer=%s encrypted=%s %.1fms",
                          request_id, scope.get("method"), scope.get("path"),
                          outcome["status"], outcome["reason"], outcome["auth"],
                          _shorten(outcome["consumer"]), outcome["encrypted"],
                          (time.perf_counter() - started) * 1000)

    # -- one request ------------------------------------------------------------------------

    async def _serve(self, scope: Scope, receive: Receive, send: Send, request_id: str,
                     outcome: dict[str, Any]) -> None:
        body = await self._read_body(scope, receive)
        consumer, auth = await self._authenticate(scope, body)
        outcome.update(consumer=consumer.consumer_key, auth=auth)
        self._check_partner(scope, consumer)
        encrypted = (_header(scope, b"x-encrypted") or "").strip().lower() == "true"
        outcome["encrypted"] = encrypted
        if encrypted:
            body = self._decrypt(scope, consumer, body)
        elif consumer.encryption == "required":
            raise GatewayRefusal(400, "ENCRYPTION_REQUIRED", "this consumer must encrypt its "
                                 "requests (x-encrypted: true)", source="encrypted_payload")
        inner = dict(scope)
        inner["headers"] = [(k, v) for k, v in scope.get("headers", ())
                            if k.lower() not in (b"content-length", b"x-encrypted")]
        inner["headers"].append((b"content-length", str(len(body)).encode()))
        inner["xbsec"] = {"consumer_key": consumer.consumer_key,
                          "partner_ids": sorted(consumer.partner_ids), "auth": auth,
                          "request_id": request_id, "psd2": consumer.psd2,
                          "encrypted": encrypted}
        status = await self._forward(inner, body, send, consumer, encrypted, request_id)
        outcome["status"] = status

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.policy.max_body_bytes
        declared = _header(scope, b"content-length")
        # Length before int(): thousands of digits make int() raise (and cost quadratic time).
        if declared is not None and (not (declared.isascii() and declared.isdigit())
                                     or len(declared) > 18 or int(declared) > limit):
            raise GatewayRefusal(413, "REQUEST_TOO_LARGE", f"the body exceeds {limit} bytes")
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

    def _url(self, scope: Scope) -> str:
        base = self.external_url
        if base is None:
            host = _header(scope, b"host") or "localhost"
            base = f"{scope.get('scheme', 'http')}://{host}"
        raw_path = scope.get("raw_path") or scope.get("path", "/").encode()
        target = bytes(raw_path).decode("latin-1")
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        return base + target + (f"?{query}" if query else "")

    async def _authenticate(self, scope: Scope, body: bytes) -> tuple[Consumer, str]:
        authorization = _header(scope, b"authorization")
        scheme, token = _scheme_and_credentials(authorization)
        lowered = scheme or ""
        # "Bearer <token>", or a bare token as Mastercard's reference app sends (SPEC §5.2).
        tokenish = lowered == "bearer" or scheme is None
        path = scope.get("path", "/")
        # The Balance APIs are GETs (SPEC §6.1); POST .../accounts/validations is BAV.
        balance = scope.get("method") == "GET" and self.is_balance_path(path)
        if lowered == "oauth":
            verified = self.oauth1.authenticate(scope["method"], self._url(scope),
                                                authorization, body)
            consumer, auth = self._consumer(verified.consumer_key), "oauth1"
            if consumer.psd2:
                raise AccessDeniedError("this consumer is an MTS EU/UK customer: use OAuth 2.0 "
                                        "request tokens, not OAuth 1.0a (SPEC §1)")
            key, ttl = verified.replay_key, verified.replay_ttl
        elif tokenish and _JWT_SHAPE.match(token):
            checked = self.tokens.authenticate(authorization)
            consumer, auth = self._consumer(checked.consumer_key), "request-token"
            if not consumer.psd2:
                raise AccessDeniedError("request tokens are for MTS EU/UK customers; this "
                                        "consumer signs with OAuth 1.0a (SPEC §1)")
            if balance:
                raise AccessDeniedError("Balance APIs need an access token (SPEC §1, §6)")
            key, ttl = checked.replay_key or "", checked.replay_ttl
        elif tokenish and token and self.access_tokens is not None:
            if not balance:
                raise AccessDeniedError("access tokens are for the Balance APIs only (SPEC §6.4)")
            consumer = self._consumer(self.access_tokens.validate(token, path=path))
            auth, key, ttl = "access-token", "", 0
        elif lowered == "bearer":
            # SPEC §5.4 step 1: a Bearer value that is not a JWS is a 401, not §2.7's 400.
            raise MalformedTokenError("the Bearer token is not a JWS (three base64url "
                                      "segments)")
        else:
            raise InvalidAuthHeaderError("the Authorization scheme is neither OAuth nor Bearer")
        if consumer.mtls and not _client_certificate(scope):
            raise GatewayRefusal(422, "INVALID_CLIENT_CERT", "this consumer must present a "
                                 "client certificate (mutual TLS)")
        if key:
            if self._async_store:
                await claim_nonce_async(self.store, key, ttl)  # type: ignore[arg-type]
            else:
                claim_nonce(self.store, key, ttl)  # type: ignore[arg-type]
        return consumer, auth

    def _consumer(self, consumer_key: str) -> Consumer:
        consumer = self.registry.get(consumer_key)
        if consumer is None or (self.environment and consumer.environment != self.environment):
            raise AccessDeniedError("Unauthorized - Access Not Granted")
        return consumer

    @staticmethod
    def _check_partner(scope: Scope, consumer: Consumer) -> None:
        # ASGI's "path" is already percent-decoded: decoding it again would let "%2541"
        # stand for "A".
        match = _PARTNER_PATH.match(scope.get("path", "/"))
        partner = match.group(1) if match else _header(scope, b"partner-ref-id")
        if partner is not None and partner not in consumer.partner_ids:
            raise AccessDeniedError("Unauthorized - Access Not Granted: this consumer key is "
                                    "not entitled to this partner id")

    def _decrypt(self, scope: Scope, consumer: Consumer, body: bytes) -> bytes:
        if consumer.encryption == "off":
            raise GatewayRefusal(400, "ENCRYPTION_NOT_ENABLED", "payload encryption is not "
                                 "set up for this consumer", source="encrypted_payload")
        if not body:
            return body  # a GET asking for an encrypted response (SPEC §3.6)
        from xbsec.jose.jwe import jwe_decrypt, jwe_header
        from xbsec.payload.envelope import unwrap

        try:
            token = unwrap(body, _header(scope, b"content-type"), policy=self.policy)
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

    async def _forward(self, scope: Scope, body: bytes, send: Send, consumer: Consumer,
                       encrypted: bool, request_id: str) -> int:
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
                   if k.lower() not in (b"content-length", b"x-request-id")]
        payload = b"".join(chunks)
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

        content_type = next((v.decode("latin-1") for k, v in headers
                             if k.lower() == b"content-type"), "application/json")
        certificate = consumer.mastercard_encryption_certificate
        if certificate is None:  # Consumer refuses this combination when it is made
            raise GatewayRefusal(500, "INTERNAL_ERROR", "no key to encrypt the response to")
        return encrypt_payload(payload, certificate, content_type=content_type)

    @staticmethod
    async def _refuse(send: Send, refusal: RefusedError, fmt: Format, request_id: str) -> None:
        body = render_errors([ErrorItem(refusal.source, refusal.reason_code,
                                        refusal.description)], fmt)
        await send({"type": "http.response.start", "status": refusal.status, "headers": [
            (b"content-type", f"application/{fmt}".encode()),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode())]})
        await send({"type": "http.response.body", "body": body})


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


def _client_certificate(scope: Scope) -> bool:
    """Whether the connection presented a client certificate (ASGI TLS extension)."""
    tls = (scope.get("extensions") or {}).get("tls") or {}
    return bool(tls.get("client_cert_chain"))


def _is_balance_path(path: str) -> bool:
    return bool(re.match(r"^/send/partners/[^/]+/crossborder/accounts(?:/[^/]+)?/?$", path))
