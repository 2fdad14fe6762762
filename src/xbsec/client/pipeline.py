"""The client pipeline, sans I/O: every HTTP integration is a thin adapter over it.

Out (SPEC §1, "order of operations")::

    document -> serialise once (JSON or XML) -> [JWE-encrypt -> wrap, x-encrypted: true]
             -> Content-Type, Accept -> Authorization over exactly those bytes -> send

Back::

    status, headers, body -> [unwrap -> decrypt, tag always verified] -> parse
             -> the document, or an ApiError (GatewayError / BusinessError) for 4xx/5xx

An adapter hands the pipeline what its HTTP library has (method, URL, headers, body bytes)
and sends what comes back; it never re-serialises a body between signing and sending.

The ``xbsec.client`` logger says at DEBUG level what each request was (method, URL, size,
format, encrypted or not), what was signed (the OAuth 1.0a parameters, never the
signature; of a token, its length) and how it was answered (status, size, request id):
never a key, a password, a token or a body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xbsec import _redact
from xbsec.documents import Format, document_format, dumps, loads
from xbsec.errors import ApiError, BusinessError, ConfigurationError, GatewayError, PayloadError
from xbsec.policy import SecurityPolicy

if TYPE_CHECKING:
    from xbsec.client.auth import RequestAuth
    from xbsec.jose.jwe import Recipient
    from xbsec.jose.keyring import DecryptionKeys
    from xbsec.profile import Profile

__all__ = ["ClientPipeline", "Encryption", "IncomingResponse", "OutgoingRequest"]

_log = logging.getLogger("xbsec.client")

_MEDIA: dict[Format, str] = {"json": "application/json", "xml": "application/xml"}
_HEADER = {"content-type": "Content-Type", "accept": "Accept", "authorization": "Authorization",
           "x-encrypted": "x-encrypted"}


def _response_policy() -> SecurityPolicy:
    # SPEC §3.5: accept RSA-OAEP as well as RSA-OAEP-256, 16-byte IVs, and any kid.
    return SecurityPolicy.mastercard_compatible().replace(jwe_require_known_kid=False)


@dataclass(frozen=True, slots=True)
class Encryption:
    """Payload encryption for one partner: requests to Mastercard, responses to us (SPEC §3)."""

    recipient: Recipient
    """Mastercard's Client Encryption certificate (or its public key)."""
    decryption_keys: DecryptionKeys
    """Our Mastercard Encryption private key(s); several during a rotation."""
    kid: str | None = None
    """The ``kid`` to send; default: the recipient's SPKI SHA-256 hex (SPEC §3.4)."""
    policy: SecurityPolicy = field(default_factory=_response_policy)
    """How strictly responses are decrypted."""
    require_encrypted_response: bool = True
    """Refuse a plaintext 2xx answer to an encrypted request (no silent downgrade)."""


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """A request ready for the wire: send exactly these headers and these bytes."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    encrypted: bool
    format: Format

    def __repr__(self) -> str:
        # The Authorization value is a credential: its scheme only; the body by its size.
        return (f"OutgoingRequest(method={self.method!r}, url={self.url!r}, "
                f"headers={_redact.headers(self.headers)!r}, body={_redact.size(self.body)}, "
                f"encrypted={self.encrypted!r}, format={self.format!r})")


@dataclass(frozen=True, slots=True)
class IncomingResponse:
    """A response with its body decrypted (when it was encrypted)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    format: Format | None
    encrypted: bool
    method: str = ""
    """The request's method and URL, which errors name."""
    url: str = ""
    request_id: str | None = None
    """The server's ``X-Request-Id``, else the one the request carried."""

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait that ``Retry-After`` asks for (a number or an HTTP date)."""
        return retry_after_seconds(_get(self.headers, "Retry-After"))

    def __repr__(self) -> str:
        # The body is plaintext, decrypted: its size only.
        return (f"IncomingResponse(status={self.status!r}, "
                f"headers={_redact.headers(self.headers)!r}, body={_redact.size(self.body)}, "
                f"format={self.format!r}, encrypted={self.encrypted!r})")


def retry_after_seconds(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delay-seconds, or an HTTP date from now (RFC 9110
    §10.2.3); ``None`` when absent or unreadable, never negative."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(int(value[:9]))
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    import time

    return max(0.0, when - (time.time() if now is None else now))


def _get(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


class ClientPipeline:
    """Serialise, encrypt, authenticate; then decrypt, parse, raise typed errors.

    >>> pipeline = ClientPipeline.from_profile(load_profile("sandbox"))   # doctest: +SKIP
    >>> out = pipeline.request("POST", url, document={"quoterequest": {...}})
    >>> # send out.method, out.url, out.headers, out.body with any HTTP library, then
    >>> document = pipeline.document(pipeline.response(out, status, headers, body))
    """

    def __init__(self, auth: RequestAuth, *, encryption: Encryption | None = None,
                 format: Format = "json") -> None:
        self.auth = auth
        self.encryption = encryption
        self.format: Format = format

    @classmethod
    def from_profile(cls, profile: Profile, *,
                     clock: Callable[[], float] | None = None) -> ClientPipeline:
        """Auth mode, encryption keys and format of a profile (``clock``: the signer's)."""
        from xbsec.client.auth import auth_from_profile

        encryption = None
        keys = profile.keys
        if profile.encryption:
            if keys.client_encryption_certificate is None:
                raise ConfigurationError(f"profile {profile.name!r}: encryption needs the "
                                         "client encryption certificate")
            decryption = keys.decryption_keys_by_kid() or keys.mastercard_encryption_keys
            encryption = Encryption(keys.client_encryption_certificate, decryption,
                                    kid=keys.encryption_kid)
        return cls(auth_from_profile(profile, clock=clock), encryption=encryption,
                   format=profile.format)

    # -- out ------------------------------------------------------------------------------

    def request(self, method: str, url: str, *, document: Any = None,
                body: bytes | None = None, headers: Mapping[str, str] | None = None,
                format: Format | None = None, encrypt: bool | None = None,
                auth: RequestAuth | None = None) -> OutgoingRequest:
        """Prepare one request.

        Give ``document`` (serialised here, once) or ``body`` (bytes already serialised), not
        both. The format comes from ``format``, else a Content-Type in ``headers``, else the
        pipeline's default. ``Accept`` is that format unless ``headers`` name a specific one
        (a bare ``*/*`` names none). ``encrypt`` defaults to whether encryption is
        configured; GETs are marked ``x-encrypted`` too, so that the response comes back
        encrypted. ``auth`` replaces the pipeline's auth for this request alone: the Balance
        calls of MTS EU/UK customers carry an access token, every other call a request
        token (SPEC §1).

        The query of ``url`` is sent as SPEC §2.5 wants it, every name and value
        percent-encoded (``canonical_query_url``): send ``OutgoingRequest.url``, which is
        the URL that was signed.
        """
        from xbsec.oauth1.base_string import canonical_query_url

        url = canonical_query_url(url)
        if document is not None and body is not None:
            raise PayloadError("give a document or a body, not both")
        out: dict[str, str] = {}
        for key, value in (headers or {}).items():
            out[_HEADER.get(key.lower(), key)] = value
        if format is None:
            format = document_format(out.get("Content-Type"), default=self.format)
        payload = dumps(document, format) if document is not None else bytes(body or b"")
        out.setdefault("Content-Type", _MEDIA[format])
        if out.get("Accept", "*/*").strip() == "*/*":
            # requests and httpx send "*/*" unless told otherwise: that is no preference, so
            # ask for the request's own format, as an XBS client does (SPEC §8.2).
            out["Accept"] = _MEDIA[format]
        encrypted = self.encryption is not None if encrypt is None else encrypt
        if encrypted:
            if self.encryption is None:
                raise PayloadError("encryption was asked for but none is configured")
            if payload:
                from xbsec.payload.encrypted_body import encrypt_payload

                payload = encrypt_payload(payload, self.encryption.recipient,
                                          content_type=out["Content-Type"],
                                          kid=self.encryption.kid)
            out["x-encrypted"] = "true"
        out["Authorization"] = (auth or self.auth).authorization(method, url, payload)
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s %s: %s, %s%s, signed %s", method.upper(), url,
                       _redact.size(payload), format, " encrypted" if encrypted else "",
                       _redact.signed_parameters(out["Authorization"]))
        return OutgoingRequest(method.upper(), url, out, payload, encrypted, format)

    # -- back -----------------------------------------------------------------------------

    def response(self, request: OutgoingRequest, status: int, headers: Mapping[str, str],
                 body: bytes) -> IncomingResponse:
        """Decrypt the body when it came back in an envelope (errors stay plaintext, §3.5)."""
        content_type = _get(headers, "Content-Type")
        try:
            fmt: Format | None = document_format(content_type, default=request.format)
        except PayloadError:
            fmt = None
        encrypted = False
        if request.encrypted and self.encryption is not None and body:
            from xbsec.jose.jwe import jwe_decrypt
            from xbsec.payload.envelope import unwrap

            try:
                token = unwrap(body, policy=self.encryption.policy)
            except PayloadError:
                # Errors come back in plaintext (SPEC §3.5); a 2xx must not (no downgrade).
                if status < 400 and self.encryption.require_encrypted_response:
                    raise PayloadError(f"HTTP {status}: the request was encrypted but the "
                                       "response is not an encrypted_payload envelope") from None
            else:
                body = jwe_decrypt(token, self.encryption.decryption_keys,
                                   policy=self.encryption.policy)
                encrypted = True
        request_id = _get(headers, "X-Request-Id") or _get(request.headers, "X-Request-Id")
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s %s: HTTP %d, %s%s, request id %s", request.method, request.url,
                       status, _redact.size(body), " decrypted" if encrypted else "",
                       request_id or "-")
        return IncomingResponse(status, headers, body, fmt, encrypted, request.method,
                                request.url, request_id)

    def document(self, response: IncomingResponse) -> Any:
        """The parsed document of a 2xx/3xx response; ``ApiError`` for 4xx and 5xx."""
        if not response.ok:
            raise self.error(response)
        if not response.body:
            return None
        if response.format is None:
            raise PayloadError(f"HTTP {response.status}: a response body of an unsupported "
                               "Content-Type")
        return loads(response.body, response.format)

    @staticmethod
    def error(response: IncomingResponse) -> ApiError:
        """The typed error for a 4xx/5xx response, whatever its body holds."""
        from xbsec.error_envelope import ErrorItem, parse_errors

        context: dict[str, Any] = {"method": response.method, "url": response.url,
                                   "request_id": response.request_id,
                                   "retry_after": response.retry_after}
        try:
            if response.format is None:
                raise PayloadError("unsupported Content-Type")
            items = parse_errors(response.body, response.format)
        except PayloadError:
            # A proxy's HTML page, an empty 502: still a typed error, with a readable excerpt.
            text = response.body[:200].decode("utf-8", "replace")
            printable = "".join(c if c.isprintable() else " " for c in text).strip()
            return ApiError(response.status, (ErrorItem(
                "HTTP", "UNEXPECTED_RESPONSE", "the error body is not an XBS Errors envelope"
                + (f": {printable}" if printable else "")),), **context)
        kind = GatewayError if items[0].from_gateway else BusinessError
        # The server's id first (its header, then the envelope's RequestId), else ours.
        context["request_id"] = (_get(response.headers, "X-Request-Id") or items[0].request_id
                                 or response.request_id)
        return kind(response.status, items, **context)
