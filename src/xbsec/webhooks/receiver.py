"""Receiving push notifications, framework-free: bytes, headers and a certificate in, an
HTTP answer out, each event handed to the handler once.

For one delivery (SPEC §9)::

    the client certificate    chains to the client CA, and is the pinned one   else 403
    the body                  at most max_body_bytes                           else 413
                              JSON (Content-Type, when given)                  else 415
                              x-encrypted: true -> decrypted with the partner's
                              Mastercard-encryption key(s)                     else 400
                              one of the four pushes, with the members read    else 400
    the event claim           begin(eventRef): "done"         -> 200, a duplicate, not handed
                                               "in_progress"  -> 503, Retry-After (another
                                                                 delivery is being handled)
                                               "new"          -> the handler
    the handler               returns -> finish(eventRef) -> 200
                              raises  -> release(eventRef) -> 500: Mastercard sends it again

The handler runs before the answer, so that a handler that fails makes Mastercard retry;
Mastercard expects its 200 promptly, so keep the handler short (store the event, or queue
the work, and return). Nothing is handed over twice while the store remembers the event
(``keep``, seven days by default: far longer than Mastercard's three retries), and across
every process that shares the store (``xbsec.stores``: memory for one process, SQLite for
one host, Redis for several). A store that cannot answer gives a 503: the push comes again.

An encrypted body whose envelope is sent without ``x-encrypted`` is decrypted too, so that
a proxy that drops the header loses nothing.

``WebhookReceiver`` takes a plain handler and an ``EventStore``; ``AsyncWebhookReceiver`` a
handler that may be a coroutine function and either kind of store (``AsyncEventStore``, or
a synchronous one, called in the event loop: the memory store is fast enough for that).
``observer``, when given, is called with every ``Delivery`` (refused ones too): for logs
and metrics, never for handling, and an observer that raises is logged and ignored.
Nothing here logs a push's content; refusals are logged with their reason only.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from xbsec.errors import (
    ConfigurationError,
    DecryptionError,
    PayloadError,
    PushNotificationError,
    ServiceUnavailableError,
)
from xbsec.jose.keyring import DecryptionKeys
from xbsec.policy import SecurityPolicy
from xbsec.stores.events import (
    AsyncEventStore,
    EventClaim,
    EventStore,
    MemoryEventStore,
    check_seconds,
)
from xbsec.webhooks.certificates import CASource, CertificateInput, ClientCertificateTrust
from xbsec.webhooks.events import WebhookEvent, parse_event

__all__ = ["DEFAULT_KEEP", "DEFAULT_LEASE", "DEFAULT_MAX_BODY_BYTES", "AsyncWebhookReceiver",
           "Delivery", "WebhookReceiver"]

DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
"""A push is a few kilobytes; a carded-rate push of every pair is still far below this."""
DEFAULT_LEASE: Final = 60.0
"""Seconds a delivery holds its event while the handler runs; a receiver that dies holding
it lets the next delivery take it after this long."""
DEFAULT_KEEP: Final = 7 * 86400.0
"""Seconds a handled event is remembered (its later deliveries are duplicates)."""
_JSON_TYPES: Final = ("application/json",)

_log = logging.getLogger("xbsec.webhooks")

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
"""Request headers: a mapping (any case; Flask's and Django's work) or name/value pairs."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one delivery: the HTTP answer to give, and the event if it was read."""

    status: int
    event: WebhookEvent | None = None
    duplicate: bool = False
    """The event was handled by an earlier delivery; this one was not handed over."""
    reason: str | None = None
    """Why it was not accepted (``CLIENT_CERTIFICATE_UNTRUSTED``, ``HANDLER_FAILED``, ...)."""
    message: str | None = None

    @property
    def handled(self) -> bool:
        """This delivery handed the event to the handler, which returned."""
        return self.status == 200 and not self.duplicate

    @property
    def body(self) -> bytes:
        """The JSON answer: ``{"status": "received" | "duplicate"}`` or an ``error``."""
        if self.status == 200:
            return b'{"status":"duplicate"}' if self.duplicate else b'{"status":"received"}'
        return json.dumps({"error": {"reason": self.reason, "message": self.message}},
                          separators=(",", ":")).encode()

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """Content-Type, Content-Length, and Retry-After on a 503."""
        found = [("content-type", "application/json"),
                 ("content-length", str(len(self.body)))]
        if self.status == 503:
            found.append(("retry-after", "1"))
        return tuple(found)


def _lower(headers: Headers) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return {str(name).lower(): str(value) for name, value in pairs}


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class _Admission:
    """Everything before the event store: the certificate, the body, the event."""

    def __init__(self, trust: ClientCertificateTrust, keys: DecryptionKeys | None,
                 policy: SecurityPolicy | None, max_body_bytes: int) -> None:
        if max_body_bytes < 1:
            raise ConfigurationError("max_body_bytes must be positive")
        self.trust = trust
        self.keys = keys
        self.policy = policy
        self.max_body_bytes = max_body_bytes

    def admit(self, body: bytes, headers: Headers,
              certificate: CertificateInput | None) -> WebhookEvent:
        from xbsec.documents import loads_json
        from xbsec.payload import decrypt_payload, is_encrypted_envelope

        self.trust.check(certificate)
        if len(body) > self.max_body_bytes:
            raise PushNotificationError(413, "BODY_TOO_LARGE", "the body is larger than "
                                        f"{self.max_body_bytes} bytes")
        lowered = _lower(headers)
        content_type = lowered.get("content-type")
        if content_type is not None and _media_type(content_type) not in _JSON_TYPES:
            raise PushNotificationError(415, "UNSUPPORTED_MEDIA_TYPE",
                                        "push notifications are JSON (application/json)")
        encrypted = lowered.get("x-encrypted", "").strip().lower() == "true"
        if not encrypted and b'"encrypted_payload"' in body[:64]:
            encrypted = is_encrypted_envelope(body, "application/json")
        if encrypted:
            if self.keys is None:
                _log.error("an encrypted push arrived, and this receiver has no "
                           "Mastercard-encryption key to decrypt it with")
                raise PushNotificationError(500, "DECRYPTION_NOT_CONFIGURED",
                                            "this receiver cannot decrypt pushes")
            try:
                body = decrypt_payload(body, self.keys, content_type="application/json",
                                       policy=self.policy)
            except PayloadError:
                raise PushNotificationError(400, "INVALID_ENVELOPE", "x-encrypted is true but "
                                            "the body is not an encrypted_payload envelope") \
                    from None
            except DecryptionError:
                raise PushNotificationError(400, "DECRYPTION_FAILED",
                                            "the body does not decrypt") from None
        try:
            document = loads_json(body)
        except PayloadError:
            raise PushNotificationError(400, "INVALID_JSON", "the body is not a JSON "
                                        "document") from None
        return parse_event(document, encrypted=encrypted)


def _trust(client_ca: CASource | ClientCertificateTrust, subject: str | None,
           sha256: str | Iterable[str]) -> ClientCertificateTrust:
    if isinstance(client_ca, ClientCertificateTrust):
        if subject is not None or sha256:
            raise ConfigurationError("give the pins to the ClientCertificateTrust itself")
        return client_ca
    return ClientCertificateTrust(client_ca, subject=subject, sha256=sha256)


def _observe(observer: Callable[[Delivery], object] | None, delivery: Delivery) -> Delivery:
    if observer is not None:
        try:
            observer(delivery)
        except Exception as exc:
            _log.error("the webhook observer raised %s", type(exc).__name__)
    return delivery


def _refused(error: PushNotificationError, event: WebhookEvent | None = None) -> Delivery:
    if error.status >= 500:
        _log.warning("push %s answered %d: %s", _ref(event), error.status, error.reason)
    else:
        _log.info("push refused, %d %s: %s", error.status, error.reason, error.description)
    return Delivery(error.status, event, reason=error.reason, message=error.description)


def _ref(event: WebhookEvent | None) -> str:
    return "-" if event is None else repr(event.event_ref[:64])


def _store_failure(event: WebhookEvent, exc: ServiceUnavailableError) -> Delivery:
    _log.error("push %s: the event store cannot answer: %s", _ref(event), exc)
    return Delivery(503, event, reason="STORE_UNAVAILABLE",
                    message="the receiver cannot record events now; send it again later")


def _not_ours(event: WebhookEvent, claim: EventClaim) -> Delivery:
    """The answer when the claim is not this delivery's to handle."""
    if claim.state == "done":
        return Delivery(200, event, duplicate=True)
    return Delivery(503, event, reason="IN_PROGRESS", message="another delivery of this "
                    "event is being handled; send it again later")


def _handler_failed(event: WebhookEvent, exc: Exception) -> Delivery:
    _log.error("push %s: the handler raised %s; the sender will retry", _ref(event),
               type(exc).__name__)
    return Delivery(500, event, reason="HANDLER_FAILED", message="the event could not be "
                    "handled; send it again later")


def _not_finished(event: WebhookEvent, exc: ServiceUnavailableError) -> None:
    # The handler did its work: answering an error would have it done twice.
    _log.error("push %s was handled but cannot be marked done (%s); a later delivery may "
               "be handed over again", _ref(event), exc)


class _Settings:
    def __init__(self, client_ca: CASource | ClientCertificateTrust,
                 decryption_keys: DecryptionKeys | None, client_subject: str | None,
                 client_sha256: str | Iterable[str], lease: float, keep: float,
                 max_body_bytes: int, policy: SecurityPolicy | None,
                 observer: Callable[[Delivery], object] | None) -> None:
        self.admission = _Admission(_trust(client_ca, client_subject, client_sha256),
                                    decryption_keys, policy, max_body_bytes)
        self.lease = check_seconds(lease, "lease")
        self.keep = check_seconds(keep, "keep")
        self.observer = observer

    @property
    def max_body_bytes(self) -> int:
        return self.admission.max_body_bytes


class WebhookReceiver(_Settings):
    """Receives pushes for a synchronous handler (Flask, Django, any WSGI framework).

    ``handler(event)`` is called once per event; ``client_ca`` is Mastercard's client CA
    (a file, PEM/DER bytes, certificates, or a ``ClientCertificateTrust``), pinned further
    by ``client_subject`` / ``client_sha256``; ``decryption_keys`` are the partner's
    Mastercard-encryption private key(s), as for responses (``None``: encrypted pushes are
    answered 500). ``store`` defaults to a ``MemoryEventStore`` (one process).
    """

    def __init__(self, handler: Callable[[WebhookEvent], object], *,
                 client_ca: CASource | ClientCertificateTrust,
                 decryption_keys: DecryptionKeys | None = None,
                 store: EventStore | None = None, client_subject: str | None = None,
                 client_sha256: str | Iterable[str] = (), lease: float = DEFAULT_LEASE,
                 keep: float = DEFAULT_KEEP, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 policy: SecurityPolicy | None = None,
                 observer: Callable[[Delivery], object] | None = None) -> None:
        super().__init__(client_ca, decryption_keys, client_subject, client_sha256, lease,
                         keep, max_body_bytes, policy, observer)
        self.handler = handler
        self.store: EventStore = MemoryEventStore() if store is None else store

    def receive(self, body: bytes, headers: Headers,
                client_certificate: CertificateInput | None) -> Delivery:
        """Handle one delivery; answer with the returned ``Delivery``'s status, headers and
        body. ``client_certificate`` is the one the TLS connection presented (``None``: no
        certificate, which is refused)."""
        return _observe(self.observer, self._receive(body, headers, client_certificate))

    def _receive(self, body: bytes, headers: Headers,
                 certificate: CertificateInput | None) -> Delivery:
        try:
            event = self.admission.admit(body, headers, certificate)
        except PushNotificationError as error:
            return _refused(error)
        try:
            claim = self.store.begin(event.event_ref, lease=self.lease)
        except ServiceUnavailableError as exc:
            return _store_failure(event, exc)
        if claim.state != "new" or claim.token is None:
            return _not_ours(event, claim)
        try:
            self.handler(event)
        except Exception as exc:
            try:
                self.store.release(event.event_ref, claim.token)
            except ServiceUnavailableError as store_exc:
                _log.error("push %s: cannot release its claim: %s", _ref(event), store_exc)
            return _handler_failed(event, exc)
        try:
            self.store.finish(event.event_ref, claim.token, keep=self.keep)
        except ServiceUnavailableError as exc:
            _not_finished(event, exc)
        return Delivery(200, event)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class AsyncWebhookReceiver(_Settings):
    """``WebhookReceiver`` for event loops (``xbsec.webhooks.WebhookApp``, FastAPI,
    Starlette): ``handler`` may be a coroutine function, ``store`` an ``AsyncEventStore``
    (``AsyncRedisEventStore``) or a synchronous one."""

    def __init__(self, handler: Callable[[WebhookEvent], Awaitable[object] | object], *,
                 client_ca: CASource | ClientCertificateTrust,
                 decryption_keys: DecryptionKeys | None = None,
                 store: AsyncEventStore | EventStore | None = None,
                 client_subject: str | None = None, client_sha256: str | Iterable[str] = (),
                 lease: float = DEFAULT_LEASE, keep: float = DEFAULT_KEEP,
                 max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 policy: SecurityPolicy | None = None,
                 observer: Callable[[Delivery], object] | None = None) -> None:
        super().__init__(client_ca, decryption_keys, client_subject, client_sha256, lease,
                         keep, max_body_bytes, policy, observer)
        self.handler = handler
        self.store: AsyncEventStore | EventStore = (MemoryEventStore() if store is None
                                                    else store)

    async def receive(self, body: bytes, headers: Headers,
                      client_certificate: CertificateInput | None) -> Delivery:
        """As ``WebhookReceiver.receive``."""
        return _observe(self.observer, await self._receive(body, headers, client_certificate))

    async def _receive(self, body: bytes, headers: Headers,
                       certificate: CertificateInput | None) -> Delivery:
        try:
            event = self.admission.admit(body, headers, certificate)
        except PushNotificationError as error:
            return _refused(error)
        try:
            claim: EventClaim = await _maybe_await(
                self.store.begin(event.event_ref, lease=self.lease))
        except ServiceUnavailableError as exc:
            return _store_failure(event, exc)
        if claim.state != "new" or claim.token is None:
            return _not_ours(event, claim)
        try:
            await _maybe_await(self.handler(event))
        except Exception as exc:
            try:
                await _maybe_await(self.store.release(event.event_ref, claim.token))
            except ServiceUnavailableError as store_exc:
                _log.error("push %s: cannot release its claim: %s", _ref(event), store_exc)
            return _handler_failed(event, exc)
        try:
            await _maybe_await(self.store.finish(event.event_ref, claim.token, keep=self.keep))
        except ServiceUnavailableError as exc:
            _not_finished(event, exc)
        return Delivery(200, event)
