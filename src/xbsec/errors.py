"""The one exception tree of xbsec.

Every error the public API raises is an ``XBSecError``; no ``ValueError``, ``KeyError``
or third-party exception escapes it::

    XBSecError
    ├── ConfigurationError          something the user configured cannot be used
    │   └── KeyMaterialError        a key, certificate or keystore (names the file)
    │       ├── KeyFileError        missing, unreadable, or not a key/certificate format
    │       ├── KeyPasswordError    password missing or wrong
    │       ├── KeyAliasError       alias not in the PKCS#12 (names the aliases present)
    │       └── KeyMismatchError    private key and certificate do not belong together
    ├── SigningError                a request cannot be signed as given (e.g. a bad URL)
    ├── DecryptionError             any decryption failure; opaque on purpose
    ├── PayloadError                an envelope or document has the wrong shape
    ├── PushNotificationError       (receiver) a push notification is refused: its HTTP
    │                               ``status`` and a ``reason`` (xbsec.webhooks)
    ├── ApiError                    (client) XBS answered with an error status
    │   ├── GatewayError            Source "Gateway": refused before reaching XBS
    │   └── BusinessError           XBS itself refused (validation, decline, conflict, ...)
    ├── TransportError              (client) no answer: connection, TLS or timeout
    ├── AuthorizationError          (client) the OAuth 2.0 authorization code flow failed
    │   ├── LoginRequiredError      no usable refresh token: log in again in a browser
    │   └── TokenEndpointError      the token endpoint refused a grant or answered unusably
    ├── OAuthError                  (server) the authorization server refuses (RFC 6749 §5.2)
    │   ├── InvalidRequestError         400 invalid_request
    │   ├── InvalidClientError          400 invalid_client (private_key_jwt failed)
    │   ├── InvalidGrantError           400 invalid_grant (code, refresh token, PKCE)
    │   ├── UnauthorizedClientError     400 unauthorized_client (not a PSD2 consumer)
    │   ├── UnsupportedGrantTypeError   400 unsupported_grant_type
    │   ├── UnsupportedResponseTypeError    (redirect) unsupported_response_type
    │   ├── InvalidScopeError           400 invalid_scope
    │   ├── TemporarilyUnavailableError 503 temporarily_unavailable
    │   └── UntrustedRequestError       400 page, never a redirect (RFC 6749 §4.1.2.1)
    └── RefusedError                (server) the gateway refuses a request
        ├── InvalidAuthHeaderError  400 INVALID_AUTH_HEADER   (SPEC §2.7 step 1)
        │   └── MalformedTokenError 401 INVALID_AUTH_HEADER   (SPEC §5.4 steps 1-2: a JWS)
        ├── AccessDeniedError       401 DECLINED               (step 2; also bad certificate)
        │   └── InsufficientScopeError  403 DECLINED           (an access token not for this)
        ├── TimestampError          401 INVALID_TIMESTAMP      (step 3)
        ├── NonceReplayError        401 NONCE_REPLAYED         (step 4)
        ├── BodyHashError           401 INVALID_BODY_HASH      (step 5)
        ├── SignatureError          403 AUTHENTICATION_FAILED  (step 6)
        ├── InvalidAccessTokenError 401 INVALID_ACCESS_TOKEN   (Balance APIs, SPEC §6.4)
        ├── RateLimitError          429 TOO_MANY_REQUESTS      (a consumer's quota, Retry-After)
        ├── InvalidRequestLineError 400 INVALID_REQUEST        (method, path or headers that
        │                                                       are not in canonical form)
        └── ServiceUnavailableError 503 SERVICE_UNAVAILABLE    (a store cannot answer)

Cryptographic failures say nothing about why (as ``cryptography``'s ``InvalidTag`` and
``InvalidSignature``): a ``DecryptionError`` is always just "decryption failed", and a
``SignatureError`` never says which base-string variant came closest. Configuration errors,
the opposite, say exactly what is wrong and where, because only the owner of the files sees
them. Passwords never appear in any message, nor do tokens, codes or PKCE verifiers.

Each ``RefusedError`` carries what the gateway answers with (SPEC §2.8): ``status``,
``reason_code``, ``source`` and ``description``. The ReasonCodes for steps 3 and 4 are not
documented by Mastercard (SPEC §13 item 3); ours are stable names, and a gateway may map them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from xbsec.error_items import ErrorItem

__all__ = [
    "AccessDeniedError",
    "ApiError",
    "AuthorizationError",
    "BodyHashError",
    "BusinessError",
    "CertificateExpiryWarning",
    "ConfigurationError",
    "DecryptionError",
    "GatewayError",
    "InsufficientScopeError",
    "InvalidAccessTokenError",
    "InvalidAuthHeaderError",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidRequestLineError",
    "InvalidScopeError",
    "KeyAliasError",
    "KeyFileError",
    "KeyMaterialError",
    "KeyMismatchError",
    "KeyPasswordError",
    "LoginRequiredError",
    "MalformedTokenError",
    "NonceReplayError",
    "OAuthError",
    "PayloadError",
    "PushNotificationError",
    "RateLimitError",
    "RefusedError",
    "ServiceUnavailableError",
    "SignatureError",
    "SigningError",
    "TemporarilyUnavailableError",
    "TimestampError",
    "TokenEndpointError",
    "TransportError",
    "UnauthorizedClientError",
    "UnsupportedGrantTypeError",
    "UnsupportedResponseTypeError",
    "UntrustedRequestError",
    "XBSecError",
    "XBSecWarning",
]


class XBSecError(Exception):
    """Base of every error raised by xbsec."""


class ConfigurationError(XBSecError):
    """Something configured by the user (a profile, a registry, an argument) cannot be used.

    ``problem`` says what is wrong and where; ``fix``, when known, what to do about it (the
    message is both).
    """

    def __init__(self, problem: str, *, fix: str = "") -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem}. {fix}" if fix else problem)


class KeyMaterialError(ConfigurationError):
    """A key, certificate or keystore cannot be used. ``source`` names the file (or "<bytes>")."""

    def __init__(self, message: str, *, source: str | None = None, fix: str = "") -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message, fix=fix)


class KeyFileError(KeyMaterialError):
    """The file is missing, unreadable, or not in a key or certificate format we read."""


class KeyPasswordError(KeyMaterialError):
    """The password is missing or wrong for an encrypted key or a PKCS#12 keystore."""


class KeyAliasError(KeyMaterialError):
    """The requested alias (friendly name) is not in the PKCS#12 keystore."""

    def __init__(self, message: str, *, source: str | None = None,
                 aliases: tuple[str, ...] = ()) -> None:
        self.aliases = aliases
        super().__init__(message, source=source)


class KeyMismatchError(KeyMaterialError):
    """A private key and a certificate do not belong to the same key pair."""


class SigningError(XBSecError):
    """The request cannot be signed as given (for example a URL without a scheme or host)."""


class DecryptionError(XBSecError):
    """Decryption failed. Deliberately says nothing about why."""

    def __init__(self, message: str = "decryption failed") -> None:
        super().__init__(message)


class PayloadError(XBSecError):
    """An encrypted-payload envelope or a document does not have the expected shape."""


class PushNotificationError(XBSecError):
    """A push notification that a receiver (``xbsec.webhooks``) refuses to hand over.

    ``status`` is the HTTP status it answers (4xx: the push itself is wrong, and sending it
    again will not help; 5xx: it may succeed when sent again), ``reason`` a stable upper-case
    name (``CLIENT_CERTIFICATE_UNTRUSTED``, ``INVALID_NOTIFICATION``, ...), and the message a
    sentence for the log that never quotes the push's content.
    """

    def __init__(self, status: int, reason: str, message: str) -> None:
        self.status = status
        self.reason = reason
        self.description = message
        super().__init__(f"{status} {reason}: {message}")


class ApiError(XBSecError):
    """XBS or the gateway answered with an error status (client side).

    ``errors`` holds every ``Error`` of the ``Errors`` envelope (SPEC §8.3), parsed whatever
    its shape; ``source``, ``reason_code``, ``description``, ``recoverable`` and ``details``
    are those of the first. A body that is not an envelope (an HTML proxy page, say) still
    gives an ``ApiError``, with ``reason_code`` ``UNEXPECTED_RESPONSE``.
    """

    def __init__(self, status: int, errors: tuple[ErrorItem, ...], *, method: str = "",
                 url: str = "", request_id: str | None = None,
                 retry_after: float | None = None) -> None:
        self.status = status
        self.errors = errors
        first = errors[0]
        self.source = first.source
        self.reason_code = first.reason_code
        self.description = first.description
        self.recoverable = first.recoverable
        self.details = first.details
        self.method = method
        """The request's method and URL (``""`` when not known)."""
        self.url = url
        self.request_id = request_id or first.request_id
        """The id to quote to support: the server's (``X-Request-Id``, the envelope's
        ``RequestId``), else the one the client sent."""
        self.retry_after = retry_after
        """Seconds the server asked to wait (``Retry-After``), when it said."""
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"HTTP {status} {first.reason_code} from {first.source or '?'}: "
                         f"{first.description}{more}"
                         f"{_request_context(method, url, self.request_id)}")


class TransportError(XBSecError):
    """(client) No answer came: the connection, TLS or a timeout failed.

    ``method``, ``url`` and ``request_id`` say which request; ``maybe_executed`` is true when
    the request may have reached XBS (it was sent, the answer did not come): a payment must
    then be looked up (by its transaction reference) before it is sent again, never resent
    blindly. ``__cause__`` is the HTTP library's exception.
    """

    def __init__(self, message: str, *, method: str, url: str, request_id: str | None = None,
                 maybe_executed: bool = False) -> None:
        self.method = method
        self.url = url
        self.request_id = request_id
        self.maybe_executed = maybe_executed
        super().__init__(f"{message}{_request_context(method, url, request_id)}")


def _request_context(method: str, url: str, request_id: str | None) -> str:
    if not method:
        return f" (request id {request_id})" if request_id else ""
    return f" ({method} {url}" + (f", request id {request_id})" if request_id else ")")


class GatewayError(ApiError):
    """Refused by Mastercard's API gateway (Source ``Gateway``): authentication, keys, quota."""


class BusinessError(ApiError):
    """Refused by XBS after authentication: validation (400), decline (402), not found (404),
    conflict on the transaction reference (409), ... (SPEC §8.3)."""


class AuthorizationError(XBSecError):
    """The OAuth 2.0 authorization code flow of the Balance APIs failed (client, SPEC §6).

    ``error`` and ``error_description`` are the RFC 6749 error code and text when the
    authorization server sent them (``access_denied``, ``invalid_grant``, ...), else ``None``.
    A separate branch, not a ``ConfigurationError``: nothing configured is wrong when a
    refresh token has expired or a user said no in the browser.
    """

    def __init__(self, message: str, *, error: str | None = None,
                 error_description: str | None = None) -> None:
        self.error = error
        self.error_description = error_description
        super().__init__(message)


class LoginRequiredError(AuthorizationError):
    """No usable refresh token: none stored, expired, or refused (``invalid_grant``).

    Only a new authorization in a browser (``xbsec oauth2 login``) gets a new one.
    """


class TokenEndpointError(AuthorizationError):
    """The token endpoint refused a grant, could not be reached, or answered unusably.

    ``status`` is the HTTP status, or ``None`` when no answer came.
    """

    def __init__(self, message: str, *, status: int | None = None, error: str | None = None,
                 error_description: str | None = None) -> None:
        self.status = status
        super().__init__(message, error=error, error_description=error_description)


class RefusedError(XBSecError):
    """The gateway refuses the request.

    ``status`` and ``reason_code`` are what goes on the wire in the gateway error envelope
    (SPEC §2.8); ``description`` is the human sentence that goes with them; ``recoverable``
    is the envelope's ``Recoverable`` (true when the same request may succeed later);
    ``headers`` are HTTP headers the answer carries (``Retry-After``, ``WWW-Authenticate``).
    Subclasses set defaults; a caller may override ``reason_code`` where the SPEC calls it
    configurable.
    """

    status: ClassVar[int] = 401
    default_reason_code: ClassVar[str] = "DECLINED"
    default_source: ClassVar[str] = "Gateway"
    recoverable: ClassVar[bool] = False

    def __init__(self, description: str, *, reason_code: str | None = None,
                 source: str | None = None,
                 headers: tuple[tuple[str, str], ...] = ()) -> None:
        self.description = description
        self.reason_code = reason_code or self.default_reason_code
        self.source = source or self.default_source
        self.headers = headers
        super().__init__(f"{self.reason_code}: {description}")


class InvalidAuthHeaderError(RefusedError):
    """The Authorization header is missing, malformed, or lacks a required parameter."""

    status = 400
    default_reason_code = "INVALID_AUTH_HEADER"


class MalformedTokenError(InvalidAuthHeaderError):
    """A bearer token (a JWS) is missing, malformed, or uses what the profile refuses.

    401, not the 400 of OAuth 1.0a: SPEC §5.4 step 1 answers a request token that is not
    three base64url segments with 401 and an ``INVALID_AUTH_HEADER``-style body.
    """

    status = 401


class AccessDeniedError(RefusedError):
    """The consumer key is unknown, revoked, not entitled, or its certificate is not valid."""

    status = 401
    default_reason_code = "DECLINED"


class InsufficientScopeError(AccessDeniedError):
    """A valid access token that does not cover the request: another partner's, or one
    whose scope lacks what the API needs (RFC 6750 §3.1 ``insufficient_scope``). ``scope``
    is the scope the request needs, for the ``Bearer`` challenge."""

    status = 403

    def __init__(self, description: str, *, scope: str | None = None,
                 reason_code: str | None = None, source: str | None = None) -> None:
        super().__init__(description, reason_code=reason_code, source=source)
        self.scope = scope


class TimestampError(RefusedError):
    """``oauth_timestamp`` is not an integer or lies outside the allowed clock window."""

    status = 401
    default_reason_code = "INVALID_TIMESTAMP"

    @classmethod
    def clock_off(cls, what: str, offset: float, window: int) -> TimestampError:
        """``what`` lies ``offset`` seconds from the receiver's clock (positive: ahead),
        outside ``±window``: the message says by how much, and which way."""
        way = "ahead of" if offset > 0 else "behind"
        return cls(f"{what} is {abs(round(offset))} s {way} the server's clock (accepted: "
                   f"±{window} s); set the sending machine's clock (NTP)")


class NonceReplayError(RefusedError):
    """The (consumer key, nonce) pair was already used within the retention window."""

    status = 401
    default_reason_code = "NONCE_REPLAYED"


class BodyHashError(RefusedError):
    """``oauth_body_hash`` does not match the received body bytes (SPEC §2.7 step 5)."""

    status = 401
    default_reason_code = "INVALID_BODY_HASH"
    default_source = "OAuth.BodyHash"


class SignatureError(RefusedError):
    """The signature does not verify. Says nothing about why."""

    status = 403
    default_reason_code = "AUTHENTICATION_FAILED"


class ServiceUnavailableError(RefusedError):
    """A store the gateway depends on (replay store) cannot be reached: fail closed.

    The description names the store and the cause, for the log; the gateway answers with
    a generic sentence (an API client has no use for the address of a Redis server).
    """

    status = 503
    default_reason_code = "SERVICE_UNAVAILABLE"
    recoverable = True


class OAuthError(XBSecError):
    """A refusal of the authorization server: RFC 6749 ``error`` and ``error_description``."""

    error: ClassVar[str] = "invalid_request"
    status: ClassVar[int] = 400

    def __init__(self, description: str) -> None:
        self.description = description
        super().__init__(f"{self.error}: {description}")


class InvalidRequestError(OAuthError):
    """A parameter is missing, repeated, malformed or unsupported."""


class InvalidClientError(OAuthError):
    """Client authentication (``private_key_jwt``, RFC 7523) failed.

    400: RFC 6749 §5.2 keeps 401 for a client that tried HTTP authentication (the token
    endpoint answers that one itself, with a ``WWW-Authenticate`` challenge), and a 401
    must always carry one (RFC 9110 §15.5.2), which no HTTP scheme fits here."""

    error = "invalid_client"


class InvalidGrantError(OAuthError):
    """The code or refresh token is unknown, expired, used, revoked, or was issued for
    another client or redirect URI; or the PKCE verifier does not match."""

    error = "invalid_grant"


class UnauthorizedClientError(OAuthError):
    """The client authenticated but may not use this flow (it is not a PSD2 consumer)."""

    error = "unauthorized_client"


class UnsupportedGrantTypeError(OAuthError):
    error = "unsupported_grant_type"


class UnsupportedResponseTypeError(OAuthError):
    error = "unsupported_response_type"


class InvalidScopeError(OAuthError):
    error = "invalid_scope"


class TemporarilyUnavailableError(OAuthError):
    """The token database is busy beyond its timeout; the client may try again."""

    error = "temporarily_unavailable"
    status = 503


class UntrustedRequestError(OAuthError):
    """The authorization request cannot be answered by a redirect: its client is unknown or
    not a PSD2 consumer, its redirect URI is not registered, or its consent form was not
    one this server rendered. The user sees an error page instead."""


class RateLimitError(RefusedError):
    """The consumer's quota is used up for now; ``Retry-After`` says when to come back."""

    status = 429
    default_reason_code = "TOO_MANY_REQUESTS"
    recoverable = True


class InvalidRequestLineError(RefusedError):
    """The method, the path or a security header is not in the one form the gateway reads.

    A gateway and the application behind it must read a request the same way, or a check
    can be made on one reading and the work done on another (``/SEND/...``, ``//send``,
    two ``Partner-Ref-Id`` headers, a method sent as ``get``): such requests are refused.
    """

    status = 400
    default_reason_code = "INVALID_REQUEST"


class InvalidAccessTokenError(RefusedError):
    """The access token is unknown, expired or revoked (Balance APIs, SPEC §6.4)."""

    status = 401
    default_reason_code = "INVALID_ACCESS_TOKEN"


class XBSecWarning(UserWarning):
    """Base of the warnings xbsec gives: something works now but is about to stop, or works
    only in part."""


class CertificateExpiryWarning(XBSecWarning):
    """A certificate a profile loads has expired or is not valid yet: what depends on it
    is refused (a signing certificate: every request, ``DECLINED``)."""
