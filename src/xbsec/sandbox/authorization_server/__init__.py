"""The emulated OAuth 2.0 authorization server of the Balance APIs (SPEC §6.4 [INF]).

- ``AuthorizationServer``: the ASGI application (``/oauth2/authorize``, ``/oauth2/token``);
- ``AuthorizationServerSettings``: lifetimes (SPEC §6.1 defaults), paths, limits;
- ``AuthorizationStore``: its SQLite state, shared by several processes;
- ``StoredAccessTokenValidator``: the gateway's ``AccessTokenValidator`` for its tokens.

Names load on first use: the validator does not need the ASGI machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face

if TYPE_CHECKING:
    from xbsec.sandbox.authorization_server.app import AccountLister, AuthorizationServer
    from xbsec.sandbox.authorization_server.client_assertion import CLIENT_ASSERTION_TYPE
    from xbsec.sandbox.authorization_server.settings import (
        BALANCES_SCOPE,
        AuthorizationServerSettings,
    )
    from xbsec.sandbox.authorization_server.store import AuthorizationStore
    from xbsec.sandbox.authorization_server.validator import StoredAccessTokenValidator

_WHERE = {
    "AccountLister": "app",
    "AuthorizationServer": "app",
    "AuthorizationServerSettings": "settings",
    "AuthorizationStore": "store",
    "BALANCES_SCOPE": "settings",
    "CLIENT_ASSERTION_TYPE": "client_assertion",
    "StoredAccessTokenValidator": "validator",
}

__all__ = [
    "BALANCES_SCOPE",
    "CLIENT_ASSERTION_TYPE",
    "AccountLister",
    "AuthorizationServer",
    "AuthorizationServerSettings",
    "AuthorizationStore",
    "StoredAccessTokenValidator",
]


__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__, globals())
