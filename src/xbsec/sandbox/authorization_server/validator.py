"""``StoredAccessTokenValidator``: the gateway's check of a Balance API access token.

It implements ``xbsec.server.gateway.AccessTokenValidator``: ``validate(token, path=...)``
returns the consumer key the token was issued to, or raises (the gateway answers with its
envelope, SPEC §2.8):

=================================================  ====  ====================  ===================
the token is not of our form, unknown, or revoked  401  INVALID_ACCESS_TOKEN  invalid_token
the token has expired                              401  INVALID_ACCESS_TOKEN  invalid_token
the token's scope lacks ``balances``                403  DECLINED              insufficient_scope
the path's partner id is not the token's partner   403  DECLINED              insufficient_scope
the consumer is no longer a registered PSD2 one    401  DECLINED              invalid_token
the token database cannot be read                  503  SERVICE_UNAVAILABLE   -
=================================================  ====  ====================  ===================

The last column is the gateway's ``WWW-Authenticate: Bearer error=...`` (RFC 6750 §3.1).
Expiry has its own description so that a client knows to refresh; revoked and unknown
share one, so that a thief learns nothing from a revoked token. DECLINED is the gateway's
"valid credential, no entitlement" (SPEC §2.8): the token is good, not for this partner,
and a 403 (RFC 6750's ``insufficient_scope``) so that a client does not refresh for it.
The gateway calls ``validate`` on its event loop: it is one indexed read under WAL, which
never waits for a writer.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final
from urllib.parse import unquote

from xbsec.errors import AccessDeniedError, InsufficientScopeError, ServiceUnavailableError
from xbsec.sandbox.authorization_server.oauth_errors import InvalidAccessTokenError, OAuthError
from xbsec.sandbox.authorization_server.settings import BALANCES_SCOPE
from xbsec.sandbox.authorization_server.tokens import looks_like_secret, secret_hash

if TYPE_CHECKING:
    from xbsec.sandbox.authorization_server.store import AuthorizationStore
    from xbsec.server.registry import Registry, WatchedRegistry

__all__ = ["StoredAccessTokenValidator"]

# The Balance APIs (SPEC §6.1): /send/partners/{partner_id}/crossborder/accounts[/{id}]
_BALANCE_PATH: Final = re.compile(r"^/send/partners/([^/]+)/crossborder/accounts(?:/[^/]+)?/?$")


class StoredAccessTokenValidator:
    """Checks access tokens against the authorization server's store."""

    def __init__(self, store: AuthorizationStore, *,
                 registry: Registry | WatchedRegistry | None = None,
                 required_scope: str | None = BALANCES_SCOPE,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.registry = registry
        self.required_scope = required_scope
        self.clock = clock

    def validate(self, token: str, *, path: str) -> str:
        if not looks_like_secret(token):
            raise InvalidAccessTokenError("the access token is unknown or revoked")
        try:
            record = self.store.access_token(secret_hash(token))
        except (OAuthError, sqlite3.Error):  # fail closed, as the replay stores do
            raise ServiceUnavailableError("the token database cannot be read") from None
        if record is None or record.revoked:
            raise InvalidAccessTokenError("the access token is unknown or revoked")
        if self.clock() >= record.expires_at:
            raise InvalidAccessTokenError("the access token has expired; refresh it")
        needed = self.required_scope
        if needed is not None and needed not in record.scope.split():
            raise InsufficientScopeError("Unauthorized - Access Not Granted: the access "
                                         f"token's scope lacks {needed}", scope=needed)
        match = _BALANCE_PATH.match(path)
        if match is None or unquote(match.group(1)) != record.partner_id:
            raise InsufficientScopeError("Unauthorized - Access Not Granted: this access "
                                         "token was issued for another partner id",
                                         scope=needed)
        if self.registry is not None:
            consumer = self.registry.get(record.consumer_key)
            if consumer is None or not consumer.psd2:
                raise AccessDeniedError("Unauthorized - Access Not Granted")
        return record.consumer_key
