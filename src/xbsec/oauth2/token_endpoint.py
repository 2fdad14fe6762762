"""The token endpoint protocol, sans I/O: build the form, read the answer (RFC 6749 §4.1.3, §6).

``TokenEndpoint`` knows the endpoint URL, the client and how it authenticates
(``private_key_jwt``, RFC 7523); it builds each ``TokenRequest`` (URL, headers, form bytes)
and turns the status and body that came back into a ``TokenSet`` or an error. It sends
nothing: ``token_client.TokenClient`` and ``AsyncTokenClient`` do, over httpx.

Answers (RFC 6749 §5.1, §5.2):

- 200 with a JSON object holding ``access_token`` (RFC 6750 token characters),
  ``token_type`` ``Bearer`` (any case), a positive ``expires_in``, and for the
  authorization code grant a ``refresh_token``: a ``TokenSet``. ``refresh_token_expires_in``
  and ``scope`` are optional; a refresh answer without a ``refresh_token`` keeps the old one.
- ``invalid_grant`` in answer to a refresh: ``LoginRequiredError`` (the refresh token has
  expired, was revoked, or its family was revoked after a reuse).
- any other error: ``TokenEndpointError`` with ``status``, ``error`` and
  ``error_description`` (cleaned, see ``error_fields``); a body that is not an RFC 6749
  error is described by its type and size, never quoted (it may echo what was sent).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import urlencode

from xbsec.errors import LoginRequiredError, TokenEndpointError
from xbsec.jose.strict_json import read_object
from xbsec.oauth2.authorization import check_endpoint_url, check_redirect_uri
from xbsec.oauth2.client_assertion import CLIENT_ASSERTION_TYPE, ClientAssertionMinter
from xbsec.oauth2.error_fields import clean_description, clean_error
from xbsec.oauth2.token_set import TokenSet

__all__ = ["DEFAULT_LOGIN_COMMAND", "GrantType", "TokenEndpoint", "TokenRequest"]

GrantType = Literal["authorization_code", "refresh_token"]
DEFAULT_LOGIN_COMMAND: Final = "xbsec oauth2 login"

# RFC 6750 §2.1 b64token: what can follow "Bearer " in a header, and nothing else (no CR/LF).
_B64TOKEN: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
# RFC 6749 Appendix A.17: a refresh token is VSCHARs.
_VSCHARS: Final = re.compile(r"[\x20-\x7e]+")
_MAX_TOKEN: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """One request for the token endpoint: POST ``body`` to ``url`` with ``headers``."""

    url: str
    headers: dict[str, str]
    body: bytes = field(repr=False)
    """The form: holds the code or refresh token and the client assertion."""
    grant_type: GrantType
    sent_at: float
    """When it was built: lifetimes are counted from here, on the safe side."""
    scope: str | None = None


class TokenEndpoint:
    """One client of one token endpoint, authenticating with ``private_key_jwt``.

    ``login_command`` is the command a person runs to authorize again; it ends the message
    of every ``LoginRequiredError``.
    """

    def __init__(self, token_url: str, assertion: ClientAssertionMinter, *,
                 login_command: str = DEFAULT_LOGIN_COMMAND,
                 clock: Callable[[], float] = time.time) -> None:
        self.token_url = check_endpoint_url(token_url, "token_url")
        self.assertion = assertion
        self.login_command = login_command
        self._clock = clock

    @property
    def client_id(self) -> str:
        return self.assertion.client_id

    def login_required(self, reason: str) -> LoginRequiredError:
        """The error that sends a person back to the browser, saying why."""
        return LoginRequiredError(f"{reason}: run `{self.login_command}` again")

    # -- requests -------------------------------------------------------------------------

    def _request(self, grant_type: GrantType, fields: list[tuple[str, str]],
                 scope: str | None = None) -> TokenRequest:
        sent_at = self._clock()
        form = [("grant_type", grant_type), *fields, ("client_id", self.client_id),
                ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                ("client_assertion", self.assertion.mint(self.token_url))]
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/json"}
        return TokenRequest(self.token_url, headers, urlencode(form).encode("ascii"),
                            grant_type, sent_at, scope)

    def authorization_code_request(self, code: str, *, redirect_uri: str,
                                   code_verifier: str) -> TokenRequest:
        """Redeem an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5)."""
        check_redirect_uri(redirect_uri)
        return self._request("authorization_code", [
            ("code", code), ("redirect_uri", redirect_uri), ("code_verifier", code_verifier)])

    def refresh_request(self, refresh_token: str, *, scope: str | None = None) -> TokenRequest:
        """Trade a refresh token for new tokens (RFC 6749 §6)."""
        fields = [("refresh_token", refresh_token)]
        if scope:
            fields.append(("scope", scope))
        return self._request("refresh_token", fields, scope)

    # -- answers --------------------------------------------------------------------------

    def read_response(self, request: TokenRequest, status: int, content_type: str | None,
                      body: bytes, *, previous: TokenSet | None = None) -> TokenSet:
        """The tokens in a token endpoint answer, or the error it means (module docstring).

        ``previous``: the token set being refreshed, whose refresh token is kept when the
        answer brings none.
        """
        members = read_object(body) if body else None
        if status != 200:
            raise self._refusal(request, status, content_type, body, members)
        if members is None:
            raise TokenEndpointError(f"the token endpoint answered HTTP 200 with "
                                     f"{_describe(content_type, body)}, not a JSON object",
                                     status=status)
        return self._tokens(request, members, previous)

    def _refusal(self, request: TokenRequest, status: int, content_type: str | None,
                 body: bytes, members: Mapping[str, Any] | None) -> Exception:
        error = clean_error(members.get("error")) if members is not None else None
        if members is None or error is None:
            return TokenEndpointError(
                f"the token endpoint answered HTTP {status} with "
                f"{_describe(content_type, body)}, not an RFC 6749 error", status=status)
        description = clean_description(members.get("error_description"))
        if request.grant_type == "refresh_token" and error == "invalid_grant":
            refused = self.login_required("the refresh token has expired or was revoked "
                                          "(the token endpoint answered invalid_grant)")
            refused.error, refused.error_description = error, description
            return refused
        detail = f": {description}" if description else ""
        return TokenEndpointError(
            f"the token endpoint refused the {request.grant_type} grant: HTTP {status} "
            f"{error}{detail}", status=status, error=error, error_description=description)

    def _tokens(self, request: TokenRequest, members: Mapping[str, Any],
                previous: TokenSet | None) -> TokenSet:
        def bad(name: str, problem: str) -> TokenEndpointError:
            return TokenEndpointError(f"the token response's {name} {problem}", status=200)

        token_type = members.get("token_type")
        if not isinstance(token_type, str):
            raise bad("token_type", "is missing")
        if token_type.lower() != "bearer":  # case-insensitive (RFC 6749 §7.1)
            raise bad("token_type", f"is {clean_error(token_type)!r}, not Bearer")
        access_token = members.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise bad("access_token", "is missing")
        if len(access_token) > _MAX_TOKEN or not _B64TOKEN.fullmatch(access_token):
            raise bad("access_token", "has characters a Bearer header cannot carry "
                      "(RFC 6750 §2.1)")
        expires_in = _seconds(members.get("expires_in"))
        if expires_in is None:
            raise bad("expires_in", "is missing or not a positive number of seconds")

        refresh_token = members.get("refresh_token")
        refresh_expires_at: float | None = None
        if refresh_token is None:
            if request.grant_type == "authorization_code" or previous is None:
                raise bad("refresh_token", "is missing")
            refresh_token, refresh_expires_at = (previous.refresh_token,
                                                 previous.refresh_expires_at)
        elif (not isinstance(refresh_token, str) or len(refresh_token) > _MAX_TOKEN
              or not _VSCHARS.fullmatch(refresh_token)):
            raise bad("refresh_token", "is not a string of printable ASCII (RFC 6749 A.17)")
        else:
            lifetime = members.get("refresh_token_expires_in")
            if lifetime is not None:
                seconds = _seconds(lifetime)
                if seconds is None:
                    raise bad("refresh_token_expires_in", "is not a positive number of seconds")
                refresh_expires_at = request.sent_at + seconds

        scope = members.get("scope")
        if scope is not None and not isinstance(scope, str):
            raise bad("scope", "is not a string")
        if scope is None:  # the scope asked for, or the one granted before (RFC 6749 §5.1)
            scope = request.scope or (previous.scope if previous is not None else None)
        return TokenSet(access_token=access_token, expires_at=request.sent_at + expires_in,
                        obtained_at=request.sent_at, refresh_token=refresh_token,
                        refresh_expires_at=refresh_expires_at, scope=scope or None,
                        token_url=self.token_url, client_id=self.client_id)


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


def _describe(content_type: str | None, body: bytes) -> str:
    kind = (content_type or "no Content-Type").split(";", 1)[0].strip()[:64]
    kind = "".join(c if c.isprintable() else "?" for c in kind)
    return f"a {len(body)}-byte body ({kind})" if body else f"an empty body ({kind})"
