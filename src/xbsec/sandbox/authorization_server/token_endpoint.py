"""The token endpoint's logic (RFC 6749 §4.1.3, §6; RFC 7523; RFC 7636), without HTTP.

For one form::

    client authentication (private_key_jwt)   -> 400 invalid_client
    mutual TLS, for a consumer marked mtls:
        its bound client certificate          -> 400 invalid_client
    the assertion's jti, once                 -> 400 invalid_client
    the client is a PSD2 consumer             -> 400 unauthorized_client
    grant_type                                -> 400 invalid_request, unsupported_grant_type
    authorization_code: code, redirect_uri,
        code_verifier                         -> 400 invalid_request, invalid_grant
    refresh_token: refresh_token [, scope]    -> 400 invalid_request, invalid_grant,
                                                     invalid_scope

The client is authenticated before anything else is looked at, so that nobody learns
whether a code exists without holding a client's key. The ``jti`` is recorded only once
the signature holds, so forged assertions cannot burn another client's identifiers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from xbsec.oauth2.registered_credentials import credential_lookup
from xbsec.sandbox.authorization_server import pkce
from xbsec.sandbox.authorization_server.client_assertion import verify_client_assertion
from xbsec.sandbox.authorization_server.forms import Form
from xbsec.sandbox.authorization_server.oauth_errors import (
    InvalidClientError,
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    UnauthorizedClientError,
    UnsupportedGrantTypeError,
)
from xbsec.sandbox.authorization_server.settings import AuthorizationServerSettings
from xbsec.sandbox.authorization_server.store import (
    AuthorizationStore,
    IssuedTokens,
    NewTokens,
)
from xbsec.sandbox.authorization_server.tokens import looks_like_secret, new_secret, secret_hash

if TYPE_CHECKING:
    from cryptography import x509

    from xbsec.server.registry import Consumer

__all__ = ["TokenEndpoint"]

ConsumerLookup = Callable[[str], "Consumer | None"]


class TokenEndpoint:
    """Answers token requests: a JSON-ready dict, or an ``OAuthError`` raised."""

    def __init__(self, store: AuthorizationStore, consumers: ConsumerLookup, *,
                 settings: AuthorizationServerSettings,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.consumers = consumers
        self.settings = settings
        self.clock = clock

        def certificates(consumer_key: str) -> Any:
            consumer = consumers(consumer_key)
            return None if consumer is None else consumer.signing_certificates

        self._credentials = credential_lookup(certificates)

    def answer(self, form: Form, *, client_certificate: x509.Certificate | None = None,
               ) -> tuple[str, dict[str, Any]]:
        """``(consumer key, token response)`` for a token request, or an ``OAuthError``.

        ``client_certificate``: the one the TLS connection presented, if any (mutual TLS).
        """
        settings = self.settings
        now = self.clock()
        if "client_secret" in form:
            raise InvalidClientError("only private_key_jwt client authentication is accepted")
        client = verify_client_assertion(form, credentials=self._credentials,
                                         audiences=settings.audiences, now=now,
                                         settings=settings)
        consumer = self.consumers(client.consumer_key)
        if consumer is None:  # removed from the registry between two lines: unlikely
            raise InvalidClientError("unknown client")
        if consumer.mtls:
            _check_certificate(consumer, client_certificate)
        if not self.store.claim_assertion(client.consumer_key, client.jti,
                                          until=client.remember_until, now=now):
            raise InvalidClientError("this client assertion was already used (jti); sign a "
                                     "new one for every request")
        if not consumer.psd2:
            raise UnauthorizedClientError("this client is not an MTS EU/UK (PSD2) consumer; "
                                          "the Balance APIs' tokens are not for it")
        grant_type = form.get("grant_type")
        if grant_type is None:
            raise InvalidRequestError("the grant_type parameter is missing")
        access_token, refresh_token = new_secret(), new_secret()
        new = NewTokens(secret_hash(access_token), secret_hash(refresh_token),
                        settings.access_token_lifetime)
        if grant_type == "authorization_code":
            issued = self._redeem(form, client.consumer_key, new, now)
        elif grant_type == "refresh_token":
            issued = self._refresh(form, client.consumer_key, new, now)
        else:
            raise UnsupportedGrantTypeError("grant_type must be authorization_code or "
                                            "refresh_token")
        return client.consumer_key, _response(issued, access_token, refresh_token, now)

    def _redeem(self, form: Form, consumer_key: str, new: NewTokens,
                now: float) -> IssuedTokens:
        code = form.require("code")
        redirect_uri = form.require("redirect_uri")
        verifier = form.require("code_verifier")
        if not pkce.is_verifier(verifier):
            raise InvalidRequestError("code_verifier must be 43 to 128 characters of "
                                      "A-Z a-z 0-9 - . _ ~ (RFC 7636 section 4.1)")
        if not looks_like_secret(code):
            raise InvalidGrantError("the authorization code is unknown or was issued to "
                                    "another client")
        outcome = self.store.redeem_code(
            secret_hash(code), consumer_key=consumer_key, redirect_uri=redirect_uri,
            verifier_challenge=pkce.s256(verifier), new=new,
            refresh_lifetime=self.settings.refresh_token_lifetime, now=now)
        if not isinstance(outcome, IssuedTokens):
            raise outcome
        return outcome

    def _refresh(self, form: Form, consumer_key: str, new: NewTokens,
                 now: float) -> IssuedTokens:
        refresh_token = form.require("refresh_token")
        scope: frozenset[str] | None = None
        asked = form.get("scope")
        if asked is not None:
            scope = frozenset(asked.split(" ")) - {""}
            if not scope or not scope <= self.settings.scopes:
                raise InvalidScopeError("scope must be made of: "
                                        f"{', '.join(sorted(self.settings.scopes))}")
        if not looks_like_secret(refresh_token):
            raise InvalidGrantError("the refresh token is unknown or was issued to another "
                                    "client")
        outcome = self.store.refresh(secret_hash(refresh_token), consumer_key=consumer_key,
                                     scope=scope, new=new, now=now,
                                     reuse_window=self.settings.refresh_token_reuse_window)
        if not isinstance(outcome, IssuedTokens):
            raise outcome
        return outcome


def _check_certificate(consumer: Consumer, certificate: x509.Certificate | None) -> None:
    """Mutual TLS for a consumer the registry marks ``mtls``: its own certificate only."""
    if certificate is None:
        raise InvalidClientError("this client must present its client certificate over "
                                 "mutual TLS at the token endpoint")
    if not consumer.client_certificate_bound:
        raise InvalidClientError("no client certificate is registered for this client "
                                 "(client_certificate_sha256 or client_certificate_subject "
                                 "in the registry)")
    if not consumer.binds_client_certificate(certificate):
        raise InvalidClientError("the client certificate presented is not the one "
                                 "registered for this client")


def _response(issued: IssuedTokens, access_token: str, refresh_token: str,
              now: float) -> dict[str, Any]:
    # RFC 6749 §5.1, plus refresh_token_expires_in: the refresh token's remaining life
    # (it ends with the consent, SPEC §6.1), so a client can say when to log in again.
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": max(0, int(issued.access_expires_at - now)),
        "refresh_token": refresh_token,
        "scope": issued.scope,
        "refresh_token_expires_in": max(0, int(issued.refresh_expires_at - now)),
    }
