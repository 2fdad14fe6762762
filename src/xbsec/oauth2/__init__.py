"""OAuth 2.0 for XBS: the request token of MTS EU / MTS UK customers (SPEC §5).

- ``RequestTokenMinter`` (client): a fresh signed JWT per request, ``Bearer <jwt>``;
- ``RequestTokenVerifier`` (gateway): the checks of SPEC §5.4, giving a ``VerifiedToken``.
"""

from xbsec.oauth2.registered_credentials import TokenCredential, TokenCredentialSource
from xbsec.oauth2.request_token import (
    MAX_LIFETIME,
    RECOMMENDED_LIFETIME,
    RequestTokenMinter,
    X5tForm,
)
from xbsec.oauth2.request_token_verifier import RequestTokenVerifier, VerifiedToken

__all__ = [
    "MAX_LIFETIME",
    "RECOMMENDED_LIFETIME",
    "RequestTokenMinter",
    "RequestTokenVerifier",
    "TokenCredential",
    "TokenCredentialSource",
    "VerifiedToken",
    "X5tForm",
]
