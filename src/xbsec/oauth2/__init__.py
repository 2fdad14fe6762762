"""OAuth 2.0 for XBS, the MTS EU / MTS UK customers' schemes (SPEC §5, §6).

Request tokens (every API but Balance):

- ``RequestTokenMinter`` (client): a fresh signed JWT per request, ``Bearer <jwt>``;
- ``RequestTokenVerifier`` (gateway): the checks of SPEC §5.4, giving a ``VerifiedToken``.

The authorization code flow (Balance APIs), client side; these load on first use, since
they need httpx:

- ``AuthorizationRequest`` (PKCE S256 and state), ``LoopbackListener`` (the redirect);
- ``TokenClient`` / ``AsyncTokenClient`` with ``ClientAssertionMinter`` (RFC 7523);
- ``TokenStore``: ``MemoryTokenStore``, ``FileTokenStore``, ``RedisTokenStore``;
- ``AccessTokenAuth`` / ``AsyncAccessTokenAuth``: ``Bearer`` access tokens, refreshed
  before they expire, one refresh however many concurrent callers.

The emulated authorization server is ``xbsec.oauth2.authorization_server``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face
from xbsec.oauth2.registered_credentials import TokenCredential, TokenCredentialSource
from xbsec.oauth2.request_token import (
    MAX_LIFETIME,
    RECOMMENDED_LIFETIME,
    RequestTokenMinter,
    X5tForm,
)
from xbsec.oauth2.request_token_verifier import RequestTokenVerifier, VerifiedToken

if TYPE_CHECKING:
    from xbsec.oauth2.access_token import AccessTokenAuth, AsyncAccessTokenAuth
    from xbsec.oauth2.authorization import AuthorizationRequest
    from xbsec.oauth2.client_assertion import ClientAssertionMinter
    from xbsec.oauth2.login import LoopbackListener
    from xbsec.oauth2.pkce import Pkce
    from xbsec.oauth2.redis_token_store import RedisTokenStore
    from xbsec.oauth2.token_client import AsyncTokenClient, TokenClient
    from xbsec.oauth2.token_set import TokenSet
    from xbsec.oauth2.token_store import FileTokenStore, MemoryTokenStore, TokenStore

_LAZY = {
    "AccessTokenAuth": "access_token",
    "AsyncAccessTokenAuth": "access_token",
    "AsyncTokenClient": "token_client",
    "AuthorizationRequest": "authorization",
    "ClientAssertionMinter": "client_assertion",
    "FileTokenStore": "token_store",
    "LoopbackListener": "login",
    "MemoryTokenStore": "token_store",
    "Pkce": "pkce",
    "RedisTokenStore": "redis_token_store",
    "TokenClient": "token_client",
    "TokenSet": "token_set",
    "TokenStore": "token_store",
}

__all__ = [
    "MAX_LIFETIME",
    "RECOMMENDED_LIFETIME",
    "AccessTokenAuth",
    "AsyncAccessTokenAuth",
    "AsyncTokenClient",
    "AuthorizationRequest",
    "ClientAssertionMinter",
    "FileTokenStore",
    "LoopbackListener",
    "MemoryTokenStore",
    "Pkce",
    "RedisTokenStore",
    "RequestTokenMinter",
    "RequestTokenVerifier",
    "TokenClient",
    "TokenCredential",
    "TokenCredentialSource",
    "TokenSet",
    "TokenStore",
    "VerifiedToken",
    "X5tForm",
]


__getattr__, __dir__ = lazy_face(__name__, _LAZY, __all__, globals())
