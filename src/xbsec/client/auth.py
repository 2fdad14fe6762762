"""How a request is authenticated: one small protocol, one class per scheme (SPEC §1).

``RequestAuth.authorization(method, url, body)`` returns the ``Authorization`` value for
the final bytes of one request. OAuth 1.0a signs the method, the URL and the body hash;
a request token (MTS EU/UK, SPEC §5) covers nothing of the request, so it ignores them.

An ``AsyncRefreshableAuth`` (the access token of the Balance APIs under asyncio,
``xbsec.client.oauth2.access_token.AsyncAccessTokenAuth``) may need network I/O before it can
answer; the asyncio adapters ``await auth.ready()`` first, so that ``authorization`` stays
synchronous and never blocks the event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Callable

    from xbsec.oauth1.signer import OAuth1Signer
    from xbsec.oauth2.request_token import RequestTokenMinter
    from xbsec.profile import Profile

__all__ = ["AsyncRefreshableAuth", "OAuth1Auth", "RequestAuth", "RequestTokenAuth",
           "auth_from_profile"]


@runtime_checkable
class RequestAuth(Protocol):
    """Produces the ``Authorization`` header value for the exact bytes of one request."""

    def authorization(self, method: str, url: str, body: bytes) -> str: ...


@runtime_checkable
class AsyncRefreshableAuth(RequestAuth, Protocol):
    """A ``RequestAuth`` to be made ready by ``await ready()`` before each ``authorization``."""

    async def ready(self) -> None: ...


class OAuth1Auth:
    """OAuth 1.0a RSA-SHA256 with a body hash over exactly ``body`` (SPEC §2)."""

    __slots__ = ("signer",)

    def __init__(self, signer: OAuth1Signer) -> None:
        self.signer = signer

    def authorization(self, method: str, url: str, body: bytes) -> str:
        return self.signer.authorization_header(method, url, body)


class RequestTokenAuth:
    """``Bearer <jwt>``, a fresh request token for every request (SPEC §5.3)."""

    __slots__ = ("minter",)

    def __init__(self, minter: RequestTokenMinter) -> None:
        self.minter = minter

    def authorization(self, method: str, url: str, body: bytes) -> str:
        return self.minter.authorization_header()


def auth_from_profile(profile: Profile, *,
                      clock: Callable[[], float] | None = None) -> RequestAuth:
    """The profile's auth mode over its signing key (``clock``: the signer's time)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from xbsec.errors import ConfigurationError

    keys = profile.keys
    if profile.auth == "request-token":
        from xbsec.oauth2.request_token import RequestTokenMinter

        return RequestTokenAuth(RequestTokenMinter.from_project_keys(
            keys, **({} if clock is None else {"clock": clock})))
    from xbsec.oauth1.signer import OAuth1Signer

    if not isinstance(keys.signing_key, rsa.RSAPrivateKey):
        raise ConfigurationError(f"profile {profile.name!r}: OAuth 1.0a needs an RSA signing key")
    if clock is None:
        return OAuth1Auth(OAuth1Signer(keys.consumer_key, keys.signing_key))
    return OAuth1Auth(OAuth1Signer(keys.consumer_key, keys.signing_key, clock=clock))
