"""The authorization request (RFC 6749 §4.1.1) and the check of its answer (§4.1.2).

::

    request = AuthorizationRequest.create(authorize_url, client_id=consumer_key,
                                          redirect_uri="http://127.0.0.1:8765/callback",
                                          scope="balances")
    # send the user's browser to request.url; the answer comes back to redirect_uri
    code = request.code_from(callback_query)     # checks state, raises on error= answers

Every request gets a fresh ``state`` (CSRF protection, RFC 6749 §10.12) and a fresh PKCE
pair (S256, RFC 7636). ``code_from`` compares the state in constant time before it reads
anything else of the answer: an answer that does not carry this request's state did not
come from this login, whatever it says.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from xbsec.errors import AuthorizationError, ConfigurationError
from xbsec.jose import b64
from xbsec.oauth2.error_fields import clean_description, clean_error
from xbsec.oauth2.pkce import Pkce

__all__ = ["AuthorizationRequest", "check_endpoint_url", "check_redirect_uri",
           "parse_callback_query"]

_STATE_BYTES: Final = 32
_MAX_QUERY: Final = 8192


def check_endpoint_url(url: str, name: str) -> str:
    """``url`` if it is an absolute http(s) URL without a fragment (RFC 6749 §3.1, §3.2)."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL, not {url!r}")
    if parts.fragment or url.endswith("#"):
        raise ConfigurationError(f"{name} must not have a fragment (RFC 6749 §3.1)")
    return url


def check_redirect_uri(uri: str) -> str:
    """``uri`` if it can be a redirection endpoint (RFC 6749 §3.1.2)."""
    return check_endpoint_url(uri, "redirect_uri")


def parse_callback_query(query: str) -> dict[str, str]:
    """The parameters of a redirect's query; a repeated one is refused (RFC 6749 §3.1)."""
    if len(query) > _MAX_QUERY:
        raise AuthorizationError("the authorization answer is too long")
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False,
                          max_num_fields=32, errors="strict")
    except ValueError:
        raise AuthorizationError("the authorization answer is not a valid query") from None
    params = dict(pairs)
    if len(params) != len(pairs):
        raise AuthorizationError("the authorization answer repeats a parameter")
    return params


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    """One authorization request: the URL to open, and what checks and redeems its answer."""

    url: str
    """Where to send the browser (carries the state and the PKCE challenge, not secrets)."""
    redirect_uri: str
    """Sent again, identical, with the code (RFC 6749 §4.1.3)."""
    state: str = field(repr=False)
    pkce: Pkce = field(repr=False)

    @classmethod
    def create(cls, authorize_url: str, *, client_id: str, redirect_uri: str,
               scope: str | None = None, partner_id: str | None = None,
               random_bytes: Callable[[int], bytes] = os.urandom) -> AuthorizationRequest:
        """A request with a fresh state and PKCE pair; ``authorize_url`` may have a query."""
        check_endpoint_url(authorize_url, "authorize_url")
        check_redirect_uri(redirect_uri)
        if not isinstance(client_id, str) or not client_id.strip():
            raise ConfigurationError("client_id (the consumer key) must be a non-empty string")
        raw = random_bytes(_STATE_BYTES)
        if len(raw) != _STATE_BYTES:
            raise ConfigurationError(f"random_bytes returned {len(raw)} bytes, not "
                                     f"{_STATE_BYTES}")
        state = b64.encode_str(raw)
        pkce = Pkce.generate(random_bytes)
        params = [("response_type", "code"), ("client_id", client_id),
                  ("redirect_uri", redirect_uri), ("state", state),
                  ("code_challenge", pkce.challenge),
                  ("code_challenge_method", pkce.method)]
        if scope:
            params.append(("scope", scope))
        if partner_id:
            params.append(("partner_id", partner_id))
        # Every reserved character encoded: the consumer key carries a '!' (SPEC §2.2).
        query = urlencode(params, quote_via=quote, safe="")
        existing = urlsplit(authorize_url).query
        base = authorize_url.rstrip("?&") if not existing else authorize_url
        joiner = "&" if existing else "?"
        return cls(base + joiner + query, redirect_uri, state, pkce)

    def state_matches(self, state: str | None) -> bool:
        """Whether ``state`` is this request's, compared in constant time."""
        if not isinstance(state, str):
            return False
        return hmac.compare_digest(state.encode("utf-8", "surrogatepass"),
                                   self.state.encode("ascii"))

    def code_from(self, params: dict[str, str] | str) -> str:
        """The authorization code of an answer (a query string or its parameters).

        Raises ``AuthorizationError``: the state is missing or not this request's; the
        answer is an error (``error`` set: ``access_denied`` when the user said no); or it
        has no code.
        """
        if isinstance(params, str):
            params = parse_callback_query(params)
        if not self.state_matches(params.get("state")):
            raise AuthorizationError("the answer's state does not match this login's: it "
                                     "belongs to another login attempt or was forged")
        if "error" in params:
            error = clean_error(params["error"]) or "?"
            description = clean_description(params.get("error_description"))
            if error == "access_denied":
                message = "the authorization was denied in the browser (access_denied)"
            else:
                message = f"the authorization server answered {error}"
            if description:
                message += f": {description}"
            raise AuthorizationError(message, error=error, error_description=description)
        code = params.get("code")
        if not code:
            raise AuthorizationError("the answer carries neither a code nor an error")
        return code
