"""``AuthorizationServerSettings``: every lifetime, limit and path of the authorization server.

Mastercard documents only the three lifetimes (SPEC §6.1): authorization code 15 minutes,
access token 15 minutes, refresh token 90 days. Everything else is our choice (SPEC §6.3,
§6.4 [INF]) and lives here, so that a deployment can change it without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from xbsec.errors import ConfigurationError

__all__ = ["BALANCES_SCOPE", "AuthorizationServerSettings"]

BALANCES_SCOPE: Final = "balances"
"""The one scope: read the partner's accounts and balances (SPEC §6.1 Balance APIs)."""

_MINUTE: Final = 60
_HOUR: Final = 60 * _MINUTE
_DAY: Final = 24 * _HOUR
METADATA_PATH: Final = "/.well-known/oauth-authorization-server"
"""Where the RFC 8414 metadata document is served (the issuer has no path component)."""


def _issuer(value: object) -> str:
    """The issuer without a trailing slash, or ``ConfigurationError``."""
    if not isinstance(value, str):
        raise ConfigurationError(f"issuer must be a URL, not {value!r}")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"issuer {value!r} is not a URL") from None
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.username
            or parts.password or parts.path not in ("", "/") or parts.query
            or parts.fragment or "?" in value or "#" in value or port == 0):
        raise ConfigurationError(
            f"issuer must be scheme://host[:port], the URL clients reach the server at "
            f"(RFC 8414 §2; no path, query or fragment), not {value!r}")
    return value.rstrip("/")


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
    issuer: str
    """The issuer identifier (RFC 8414 §2): ``scheme://host[:port]``, the URL clients reach
    the server at (behind a proxy, the proxy's). The metadata document, the ``iss`` of every
    authorization response (RFC 9207) and the endpoint URLs are made from it, and a client
    assertion's ``aud`` must name it or the token endpoint. Never taken from a request's
    ``Host`` header, which the client chooses."""
    consent_lifetime: int = 10 * _MINUTE
    """Seconds a consent page can be answered (its form is single use)."""
    assertion_max_lifetime: int = _HOUR
    """How far ahead of now a client assertion's ``exp`` may lie (RFC 7523 §3 item 4). An
    hour: authlib's ``PrivateKeyJWT`` signs ``exp = iat + 3600``, and the ``jti`` of each
    assertion is remembered until its ``exp``, so a longer life cannot buy a replay. Lower
    it to test a client against a stricter server."""
    assertion_skew: int = 60
    """Clock tolerance, in seconds, for a client assertion's ``exp``, ``nbf`` and ``iat``."""
    refresh_token_reuse_window: int = 60
    """Seconds after a refresh token was rotated during which its client may present it
    again and get a new pair (two workers that shared it, or a retry after a lost answer;
    FAPI 2.0 Security Profile §5.3.2.1). Later, a reuse revokes every token of the
    authorization (OAuth 2.0 Security BCP, RFC 9700 §4.14.2). 0: no reuse at all."""
    authorize_path: str = "/oauth2/authorize"
    token_path: str = "/oauth2/token"  # noqa: S105 (a path, not a password)
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
        for name in ("assertion_skew", "refresh_token_reuse_window"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigurationError(f"{name} must be a number of seconds >= 0")
        object.__setattr__(self, "issuer", _issuer(self.issuer))
        for name in ("authorize_path", "token_path"):
            path = getattr(self, name)
            if not isinstance(path, str) or not path.startswith("/") or "?" in path:
                raise ConfigurationError(f"{name} must be an absolute path, not {path!r}")
        if len({self.authorize_path, self.token_path, METADATA_PATH}) != 3:
            raise ConfigurationError("authorize_path, token_path and the metadata path "
                                     "must differ")
        if not self.scopes or any(not s or " " in s for s in self.scopes):
            raise ConfigurationError("scopes must be non-empty names without spaces")

    @property
    def authorization_endpoint(self) -> str:
        return self.issuer + self.authorize_path

    @property
    def token_endpoint(self) -> str:
        """The token endpoint's URL as clients see it."""
        return self.issuer + self.token_path

    @property
    def audiences(self) -> frozenset[str]:
        """What a client assertion's ``aud`` may name: the token endpoint, the issuer (RFC
        7523 §3 allows either; some clients put the issuer), and ``extra_audiences``."""
        return frozenset({self.token_endpoint, self.issuer, *self.extra_audiences})
