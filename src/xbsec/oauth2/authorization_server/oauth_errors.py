"""The refusals of the authorization server, each carrying what goes on the wire.

Below ``xbsec.errors.XBSecError``::

    OAuthError                      RFC 6749 error code + description + HTTP status
    ├── InvalidRequestError         400 invalid_request
    ├── InvalidClientError          401 invalid_client       (client authentication failed)
    ├── InvalidGrantError           400 invalid_grant        (code / refresh token / PKCE)
    ├── UnauthorizedClientError     400 unauthorized_client  (not a PSD2 consumer)
    ├── UnsupportedGrantTypeError   400 unsupported_grant_type
    ├── UnsupportedResponseTypeError   (redirect) unsupported_response_type
    ├── InvalidScopeError           400 invalid_scope
    ├── TemporarilyUnavailableError 503 temporarily_unavailable (the database is busy)
    └── UntrustedRequestError       400 HTML page, never a redirect: the client or the
                                    redirect URI cannot be trusted, or the consent form
                                    is forged (RFC 6749 §4.1.2.1)
    RefusedError (xbsec.errors)
    └── InvalidAccessTokenError     401 INVALID_ACCESS_TOKEN, in the gateway envelope

The token endpoint answers an ``OAuthError`` as RFC 6749 §5.2 JSON; the authorization
endpoint redirects it to the client (RFC 6749 §4.1.2.1). Descriptions never quote a code,
token, verifier or assertion.

``invalid_client`` is a 401 without ``WWW-Authenticate``: RFC 6749 §5.2 makes the 401
optional and ties the header to HTTP authentication schemes, and ``private_key_jwt`` is
not one; naming a scheme the server does not accept would mislead a client.
"""

from __future__ import annotations

from typing import ClassVar

from xbsec.errors import RefusedError, XBSecError

__all__ = [
    "InvalidAccessTokenError",
    "InvalidClientError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "OAuthError",
    "TemporarilyUnavailableError",
    "UnauthorizedClientError",
    "UnsupportedGrantTypeError",
    "UnsupportedResponseTypeError",
    "UntrustedRequestError",
]


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
    """Client authentication (``private_key_jwt``, RFC 7523) failed."""

    error = "invalid_client"
    status = 401


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


class InvalidAccessTokenError(RefusedError):
    """The access token is unknown, expired or revoked (Balance APIs, SPEC §6.4)."""

    status = 401
    default_reason_code = "INVALID_ACCESS_TOKEN"
