"""The refusals of the authorization server, each carrying what goes on the wire.

They are defined in ``xbsec.errors`` with every other error of xbsec (one tree) and named
here for the server's modules. Below ``xbsec.errors.XBSecError``::

    OAuthError                      RFC 6749 error code + description + HTTP status
    ├── InvalidRequestError         400 invalid_request
    ├── InvalidClientError          400 invalid_client       (client authentication failed)
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

``invalid_client`` is a 400: RFC 6749 §5.2 makes the 401 optional unless the client tried
HTTP authentication, and a 401 must carry a ``WWW-Authenticate`` challenge (RFC 9110
§15.5.2), which no HTTP scheme fits for ``private_key_jwt``. A client that did send an
``Authorization`` header gets the 401 with a challenge for its scheme (the token endpoint
answers that case itself).
"""

from __future__ import annotations

from xbsec.errors import (
    InvalidAccessTokenError,
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuthError,
    TemporarilyUnavailableError,
    UnauthorizedClientError,
    UnsupportedGrantTypeError,
    UnsupportedResponseTypeError,
    UntrustedRequestError,
)

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
