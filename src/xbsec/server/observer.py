"""What the gateway tells an observer about each request it answered.

``XBSGateway(app, registry, ..., observer=observer)`` hands ``observer.observe`` one
``ObservedRequest`` per HTTP request, once the answer has been sent: how far the request got
through the gateway's checks (``stage``), how it ended (status, ReasonCode, the refusal's
text), who was calling, and what the checks used (the Authorization value, the bytes
received, the URL a signature verified for and under which construction). Without an
observer nothing of it is built.

The stages, in the order the gateway runs them (``STAGES``)::

    request      the request line in its one canonical form, the declared length
    credentials  the Authorization value parsed, the consumer known; a request token or an
                 access token verified whole
    mtls         the client certificate the consumer is bound to
    entitlement  the auth mode, the Balance rule, every partner id named (request and
                 access tokens: before the body is read)
    body         the body read, within the limit
    oauth1       OAuth 1.0a over the body: parameters, certificate dates, timestamp, body
                 hash, signature
    entitlement  (OAuth 1.0a: once the signature holds)
    quota        the consumer's quota
    nonce        the nonce (or jti) claimed
    decryption   the JWE unwrapped and decrypted, or encryption required
    application  the application behind the gateway answered

A request refused at a stage has that stage, and the refusal's status and ReasonCode; one
the application answered has ``application`` and its status (and the first ReasonCode of
an error answer).

What an observer is given is not redacted: the Authorization value whole, the bytes
received (the document itself when the request is not encrypted), the consumer with its
keys. It must keep none of it as it stands (``xbsec.server.inspection`` shortens what it
shows). The decrypted request and the application's answer in the clear are handed over
only under ``observe_documents=True``: for a sandbox, whose keys are test keys.

``observe`` runs on the request's task after the answer is sent, and must return at once
(hand the work to a thread); an exception it raises is logged, never sent to the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from xbsec.policy import SecurityPolicy
    from xbsec.server.registry import Consumer

__all__ = ["STAGES", "ObservedRequest", "RequestObserver"]

STAGES: Final = ("request", "credentials", "mtls", "entitlement", "body", "oauth1", "quota",
                 "nonce", "decryption", "application")


@dataclass(slots=True, eq=False)
class ObservedRequest:
    """One request as the gateway saw and answered it (made for each request: a plain
    record, not frozen, which would cost a call per field; an observer reads it only)."""

    request_id: str
    received_at: float
    """The gateway's clock (Unix seconds) when the request arrived: what timestamps are
    checked against."""
    method: str
    path: str
    target: str
    """The raw request target (path and query) as received: what OAuth 1.0a signed."""
    headers: tuple[tuple[str, str], ...]
    """Every request header as received (names lower-case, values read as Latin-1)."""
    body: bytes
    """The bytes received (the JWE envelope when encrypted); empty when the body was not
    read."""
    stage: str
    """The last stage reached (``STAGES``): where a refused request was refused."""
    status: int
    reason_code: str | None
    """The refusal's ReasonCode, or the first one of the application's error answer."""
    description: str | None
    """The refusal's text (gateway refusals only)."""
    auth: str
    """``oauth1``, ``request-token``, ``access-token``, or ``-`` before it is known."""
    consumer: Consumer | None
    partner: str
    encrypted: bool
    latency_ms: float
    external_urls: tuple[str, ...]
    """The URLs the gateway verifies signatures for."""
    policy: SecurityPolicy
    signed_url: str | None = None
    """The configured URL the OAuth 1.0a signature verified for."""
    variant: str | None = None
    """The base-string construction it verified under."""
    client_certificate: str | None = None
    """The TLS client certificate presented (PEM), if any."""
    response_headers: tuple[tuple[str, str], ...] = ()
    """The answer's headers (the application's, before any encryption; none for a refusal
    of the gateway, whose envelope is made of the fields above)."""
    documents: bool = False
    """Whether the gateway hands over documents (``observe_documents``)."""
    document: bytes | None = None
    """The request's document in the clear (decrypted), under ``observe_documents``."""
    response_body: bytes | None = None
    """The application's answer before any encryption, under ``observe_documents``."""

    def __repr__(self) -> str:  # never a credential or a body
        return (f"ObservedRequest({self.request_id!r}, {self.method} {self.path}, "
                f"{self.status} {self.reason_code or '-'})")


class RequestObserver(Protocol):
    """Receives one ``ObservedRequest`` per request the gateway answered."""

    def observe(self, request: ObservedRequest) -> None:
        """Take the record and return at once."""
        ...


class Trace:
    """What the gateway gathers while it serves one request, for its observer only."""

    __slots__ = ("body", "document", "identity", "received_at", "refusal", "response")

    def __init__(self, received_at: float) -> None:
        self.received_at = received_at
        self.identity: Any = None
        self.body = b""
        self.document: bytes | None = None
        self.refusal: Any = None
        self.response: tuple[tuple[tuple[str, str], ...], bytes] | None = None

    def answered(self, headers: list[tuple[bytes, bytes]], payload: bytes) -> None:
        """The application's answer, before any encryption."""
        self.response = (tuple((bytes(k).decode("latin-1").lower(),
                                bytes(v).decode("latin-1")) for k, v in headers), payload)

    def record(self, scope: Any, request_id: str, outcome: dict[str, Any], latency_ms: float,
               *, external_urls: tuple[str, ...], policy: SecurityPolicy,
               documents: bool) -> ObservedRequest:
        identity = self.identity
        refusal = self.refusal
        raw = bytes(scope.get("raw_path") or str(scope.get("path", "/")).encode("utf-8"))
        query = bytes(scope.get("query_string", b""))
        target = raw.decode("latin-1").partition("?")[0] + (
            f"?{query.decode('latin-1')}" if query else "")
        reason = outcome.get("reason")
        response_headers, response_body = self.response or ((), None)
        return ObservedRequest(
            request_id=request_id, received_at=self.received_at,
            method=str(scope.get("method", "-"))[:16], path=str(scope.get("path", "/")),
            target=target,
            headers=tuple((bytes(k).decode("latin-1").lower(), bytes(v).decode("latin-1"))
                          for k, v in scope.get("headers", ())),
            body=self.body, stage=str(outcome.get("stage", "request")),
            status=int(outcome["status"]), reason_code=reason if reason != "-" else None,
            description=getattr(refusal, "description", None), auth=str(outcome["auth"]),
            consumer=getattr(identity, "consumer", None), partner=str(outcome["partner"]),
            encrypted=bool(outcome["encrypted"]), latency_ms=latency_ms,
            external_urls=external_urls, policy=policy,
            signed_url=getattr(identity, "signed_url", None) or None,
            variant=getattr(identity, "variant", None) or None,
            client_certificate=_client_certificate(scope.get("extensions")),
            response_headers=response_headers, documents=documents,
            document=self.document if documents else None,
            response_body=response_body if documents else None)


def _client_certificate(extensions: Any) -> str | None:
    if not extensions:
        return None
    chain = (extensions.get("tls") or {}).get("client_cert_chain")
    return str(chain[0]) if chain else None
