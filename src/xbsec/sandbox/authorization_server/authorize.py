"""The checks of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3), in two steps.

1. ``trusted_client``: ``client_id`` is a registered PSD2 consumer and ``redirect_uri`` one
   of its registered URIs. Until both hold nothing may be sent to ``redirect_uri``
   (RFC 6749 §4.1.2.1: an open redirector otherwise): failures are
   ``UntrustedRequestError``, shown to the user as a page.
2. ``read_request``: everything else. Failures are ``OAuthError`` subclasses that the
   endpoint sends back to the (now trusted) ``redirect_uri`` with the ``state``.

Decisions where RFC 6749 leaves room (SPEC §6.3 [INF]):

- ``redirect_uri`` is required, even for a client with one registered URI;
- ``state`` is required (``require_state``), of 1 to ``max_state_length`` characters
  ``%x20-7E`` (RFC 6749 Appendix A.5);
- PKCE is required, ``S256`` only, and ``code_challenge_method`` must be sent (RFC 7636
  would read its absence as ``plain``);
- ``scope``, when sent, is a space-separated subset of the settings' scopes; absent, all;
- ``partner_id`` (an extension) picks one of the consumer's partner ids; it may be left
  out when the consumer has exactly one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from xbsec.sandbox.authorization_server import pkce
from xbsec.sandbox.authorization_server.forms import Form
from xbsec.sandbox.authorization_server.oauth_errors import (
    InvalidRequestError,
    InvalidScopeError,
    UnsupportedResponseTypeError,
    UntrustedRequestError,
)
from xbsec.sandbox.authorization_server.redirect_uris import redirect_uri_allowed
from xbsec.sandbox.authorization_server.settings import AuthorizationServerSettings

if TYPE_CHECKING:
    from xbsec.server.registry import Consumer

__all__ = ["AuthorizationRequest", "read_request", "readable_state", "trusted_client"]

ConsumerLookup = Callable[[str], "Consumer | None"]

_STATE: Final = re.compile(r"[\x20-\x7e]+")


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """A checked authorization request: what the consent page shows and the code binds."""

    client_id: str
    redirect_uri: str
    state: str | None
    code_challenge: str
    scope: str
    partner_id: str

    def fields(self) -> dict[str, str]:
        """The request as form fields: the consent form's hidden inputs."""
        fields = {"response_type": "code", "client_id": self.client_id,
                  "redirect_uri": self.redirect_uri, "code_challenge": self.code_challenge,
                  "code_challenge_method": pkce.METHOD, "scope": self.scope,
                  "partner_id": self.partner_id}
        if self.state is not None:
            fields["state"] = self.state
        return fields


def trusted_client(form: Form, consumers: ConsumerLookup,
                   settings: AuthorizationServerSettings) -> tuple[Consumer, str]:
    """The consumer and the redirect URI, once both are known good (step 1)."""
    client_id = form.get("client_id")
    if client_id is None:
        raise UntrustedRequestError("The request names no client (client_id is missing).")
    consumer = consumers(client_id)
    if consumer is None:
        raise UntrustedRequestError("The client (client_id) is not registered.")
    if not consumer.psd2:
        raise UntrustedRequestError("This client is not an MTS EU/UK (PSD2) consumer; the "
                                    "Balance APIs' authorization is not for it.")
    redirect_uri = form.get("redirect_uri")
    if redirect_uri is None:
        raise UntrustedRequestError("The request has no redirect_uri.")
    if not redirect_uri_allowed(redirect_uri, consumer.redirect_uris,
                                loopback_any_port=settings.loopback_any_port):
        raise UntrustedRequestError("The redirect_uri is not registered for this client.")
    return consumer, redirect_uri


def readable_state(form: Form, settings: AuthorizationServerSettings) -> str | None:
    """``state`` if it may be echoed back (well-formed), else None."""
    state = form.get("state")
    if state is None or len(state) > settings.max_state_length or not _STATE.fullmatch(state):
        return None
    return state


def _scope(form: Form, settings: AuthorizationServerSettings) -> str:
    asked = form.get("scope")
    if asked is None:
        return " ".join(sorted(settings.scopes))
    names = frozenset(asked.split(" ")) - {""}
    if not names or not names <= settings.scopes:
        raise InvalidScopeError(f"scope must be made of: {', '.join(sorted(settings.scopes))}")
    return " ".join(sorted(names))


def _partner(form: Form, consumer: Consumer) -> str:
    partner_id = form.get("partner_id")
    if partner_id is None:
        if len(consumer.partner_ids) == 1:
            return next(iter(consumer.partner_ids))
        raise InvalidRequestError("this client has several partner ids; name one with "
                                  "partner_id")
    if partner_id not in consumer.partner_ids:
        raise InvalidRequestError("partner_id is not a partner id of this client")
    return partner_id


def read_request(form: Form, consumer: Consumer, redirect_uri: str,
                 settings: AuthorizationServerSettings) -> AuthorizationRequest:
    """The checked request (step 2), or an ``OAuthError`` to redirect to the client."""
    response_type = form.get("response_type")
    if response_type is None:
        raise InvalidRequestError("the response_type parameter is missing")
    if response_type != "code":
        raise UnsupportedResponseTypeError("only response_type=code is supported")
    state = form.get("state")
    if state is None:
        if settings.require_state:
            raise InvalidRequestError("the state parameter is required")
    elif readable_state(form, settings) is None:
        raise InvalidRequestError(f"state must be 1 to {settings.max_state_length} printable "
                                  "ASCII characters")
    challenge = form.get("code_challenge")
    if challenge is None:
        raise InvalidRequestError("PKCE is required: send code_challenge and "
                                  "code_challenge_method=S256")
    if form.get("code_challenge_method") != pkce.METHOD:
        raise InvalidRequestError("code_challenge_method must be S256")
    if not pkce.is_challenge(challenge):
        raise InvalidRequestError("code_challenge must be 43 to 128 base64url characters")
    return AuthorizationRequest(consumer.consumer_key, redirect_uri, state, challenge,
                                _scope(form, settings), _partner(form, consumer))
