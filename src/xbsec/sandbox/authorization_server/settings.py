"""``AuthorizationServerSettings``: every lifetime, limit and path of the authorization server.

Mastercard documents only the three lifetimes (SPEC §6.1): authorization code 15 minutes,
access token 15 minutes, refresh token 90 days. Everything else is our choice (SPEC §6.3,
§6.4 [INF]) and lives here, so that a deployment can change it without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from xbsec.errors import ConfigurationError

__all__ = ["BALANCES_SCOPE", "AuthorizationServerSettings"]

BALANCES_SCOPE: Final = "balances"
"""The one scope: read the partner's accounts and balances (SPEC §6.1 Balance APIs)."""

_MINUTE: Final = 60
_DAY: Final = 24 * 60 * _MINUTE


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorizationServerSettings:
    """How the emulated authorization server behaves; the defaults follow SPEC §6."""

    code_lifetime: int = 15 * _MINUTE
    """Seconds an authorization code can be exchanged (SPEC §6.1: 15 minutes)."""
    access_token_lifetime: int = 15 * _MINUTE
    """Seconds an access token is accepted on the Balance APIs (SPEC §6.1: 15 minutes)."""
    refresh_token_lifetime: int = 90 * _DAY
    """Seconds from the code exchange during which refresh tokens work (SPEC §6.1: 90 days).
    Rotation does not extend it: after 90 days the user consents again in the browser."""
    consent_lifetime: int = 10 * _MINUTE
    """Seconds a consent page can be answered (its CSRF token is single use)."""
    assertion_max_lifetime: int = 5 * _MINUTE
    """How far ahead of now a client assertion's ``exp`` may lie (RFC 7523 §3 item 4)."""
    assertion_skew: int = 60
    """Clock tolerance, in seconds, for a client assertion's ``exp``, ``nbf`` and ``iat``."""
    authorize_path: str = "/oauth2/authorize"
    token_path: str = "/oauth2/token"  # noqa: S105 (a path, not a password)
    external_url: str | None = None
    """``scheme://host[:port]`` clients address the server at, behind a proxy. The token
    endpoint URL, the ``aud`` a client assertion must name, is this plus ``token_path``.
    Without it, the request's own scheme and ``Host`` header are used."""
    extra_audiences: tuple[str, ...] = ()
    """Further ``aud`` values a client assertion may name (another spelling of the URL)."""
    scopes: frozenset[str] = field(default_factory=lambda: frozenset({BALANCES_SCOPE}))
    """Scopes that can be granted; a request without ``scope`` gets all of them."""
    require_state: bool = True
    """Refuse an authorization request without ``state`` (it protects the client's redirect
    endpoint against cross-site request forgery, RFC 6749 §10.12)."""
    loopback_any_port: bool = True
    """A registered ``http://127.0.0.1`` or ``http://[::1]`` redirect URI matches the same URI
    on any port (RFC 8252 §7.3), for native clients listening on an ephemeral port."""
    max_state_length: int = 1024
    max_body_bytes: int = 64 * 1024
    """Largest form body accepted by the authorization and token endpoints."""
    max_assertion_bytes: int = 16 * 1024
    environment: str | None = None
    """Serve only the registry's consumers of this environment (as the gateway does)."""

    def __post_init__(self) -> None:
        for name in ("code_lifetime", "access_token_lifetime", "refresh_token_lifetime",
                     "consent_lifetime", "assertion_max_lifetime", "max_state_length",
                     "max_body_bytes", "max_assertion_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigurationError(f"{name} must be a positive number of seconds or "
                                         f"bytes, not {value!r}")
        if isinstance(self.assertion_skew, bool) or not isinstance(self.assertion_skew, int) \
                or self.assertion_skew < 0:
            raise ConfigurationError("assertion_skew must be a number of seconds >= 0")
        for name in ("authorize_path", "token_path"):
            path = getattr(self, name)
            if not isinstance(path, str) or not path.startswith("/") or "?" in path:
                raise ConfigurationError(f"{name} must be an absolute path, not {path!r}")
        if self.authorize_path == self.token_path:
            raise ConfigurationError("authorize_path and token_path must differ")
        if self.external_url is not None and not self.external_url.startswith(
                ("http://", "https://")):
            raise ConfigurationError("external_url must start with http:// or https://")
        if not self.scopes or any(not s or " " in s for s in self.scopes):
            raise ConfigurationError("scopes must be non-empty names without spaces")

    def token_endpoint_url(self, request_base: str) -> str:
        """The token endpoint's URL as clients see it: the ``aud`` of a client assertion."""
        base = self.external_url or request_base
        return base.rstrip("/") + self.token_path
