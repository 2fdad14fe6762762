"""OAuth 2.0 for XBS, the MTS EU / MTS UK customers' schemes (SPEC §5, §6): the protocol.

This package holds what both sides of the wire share, as pure functions and values:

- request tokens (every API but Balance): ``RequestTokenMinter`` mints a fresh signed JWT
  per request, ``RequestTokenVerifier`` applies the checks of SPEC §5.4 (``VerifiedToken``);
- the authorization code flow (Balance APIs): ``Pkce`` (S256), ``AuthorizationRequest``
  (the browser redirect and its state check), ``ClientAssertionMinter`` (RFC 7523
  ``private_key_jwt``), the token endpoint's forms and answers (``token_endpoint``) and
  ``TokenSet``.

What does I/O lives in a wing and is re-exported here, loaded on first use, for callers
who look for OAuth 2.0 names in one place:

- the client's token machinery, ``xbsec.client.oauth2``: ``TokenClient`` /
  ``AsyncTokenClient``, ``LoopbackListener``, ``AccessTokenAuth`` /
  ``AsyncAccessTokenAuth`` (``Bearer`` access tokens refreshed before they expire, one
  refresh however many concurrent callers);
- token stores, ``xbsec.stores``: ``MemoryTokenStore``, ``FileTokenStore``,
  ``RedisTokenStore`` behind ``TokenStore``.

The emulated authorization server is part of the sandbox:
``xbsec.sandbox.authorization_server``.
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
    from xbsec.client.oauth2.access_token import AccessTokenAuth, AsyncAccessTokenAuth
    from xbsec.client.oauth2.login import LoopbackListener
    from xbsec.client.oauth2.token_client import AsyncTokenClient, TokenClient
    from xbsec.oauth2.authorization import AuthorizationRequest
    from xbsec.oauth2.client_assertion import ClientAssertionMinter
    from xbsec.oauth2.pkce import Pkce
    from xbsec.oauth2.token_set import TokenSet
    from xbsec.stores.redis.tokens import RedisTokenStore
    from xbsec.stores.tokens import FileTokenStore, MemoryTokenStore, TokenStore

_LAZY = {
    # protocol, this package
    "AuthorizationRequest": "authorization",
    "ClientAssertionMinter": "client_assertion",
    "Pkce": "pkce",
    "TokenSet": "token_set",
    # re-exported from the client wing and the stores (see the docstring)
    "AccessTokenAuth": "xbsec.client.oauth2.access_token",
    "AsyncAccessTokenAuth": "xbsec.client.oauth2.access_token",
    "AsyncTokenClient": "xbsec.client.oauth2.token_client",
    "LoopbackListener": "xbsec.client.oauth2.login",
    "TokenClient": "xbsec.client.oauth2.token_client",
    "FileTokenStore": "xbsec.stores.tokens",
    "MemoryTokenStore": "xbsec.stores.tokens",
    "TokenStore": "xbsec.stores.tokens",
    "RedisTokenStore": "xbsec.stores.redis.tokens",
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
