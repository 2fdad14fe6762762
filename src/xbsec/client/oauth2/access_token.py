"""Access tokens as a ``RequestAuth``: ``Bearer <token>``, refreshed before they expire.

::

    auth = AccessTokenAuth.from_profile(load_profile("eu"))       # threads
    pipeline.request("GET", balances_url, auth=auth)              # Authorization: Bearer …

    auth = AsyncAccessTokenAuth.from_profile(load_profile("eu"))  # asyncio
    await auth.ready()                                            # refreshes if needed
    pipeline.request("GET", balances_url, auth=auth)

The access token lives 15 minutes (SPEC §6.1). It is refreshed ``refresh_margin`` seconds
(60 by default) before it expires, so that a request signed now still carries a valid token
when it arrives. Refreshing is single-flight: of any number of threads (``AccessTokenAuth``,
a ``threading.Lock``) or tasks (``AsyncAccessTokenAuth``, an ``asyncio.Lock``) that find
the token due at once, one refreshes; the others wait and then use its token (the lock is
taken, then the token looked at again). Across processes the store's ``refresh_lock`` does
the same, and the store is read again under it, so a refresh done elsewhere (another
instance, or a new ``xbsec oauth2 login``) is picked up instead of repeated. This matters:
the authorization server rotates refresh tokens, and using one twice (the sandbox forgives
a second use within a minute) revokes them all.

When no refresh can help (no tokens stored, the refresh token past its expiry, or the
token endpoint answering ``invalid_grant``), ``LoginRequiredError`` says to run
``xbsec oauth2 login`` again; a refresh token the server refused is not sent again.

``AsyncAccessTokenAuth`` never blocks the event loop: it refreshes over
``httpx.AsyncClient`` and reads and writes the store in a worker thread. Its synchronous
``authorization()`` (what the pipeline calls) only hands out the token the last
``await ready()`` made fresh; the asyncio adapters await ``ready()`` before signing.
Use one per event loop.

With each HTTP integration (the Balance calls only: every other XBS call keeps the
profile's request token, so give the Balance calls their own session or client)::

    XBSClient(profile)                       # does it all: balances() and balance() use it
    requests.Session().auth = xbsec.integrations.requests.XBSAuth(AccessTokenAuth(...))
    httpx.Client(auth=xbsec.integrations.httpx.XBSAuth(AccessTokenAuth(...)))
    httpx.AsyncClient(auth=xbsec.integrations.httpx.XBSAuth(AsyncAccessTokenAuth(...)))
    aiohttp.ClientSession(middlewares=[xbsec_middleware(ClientPipeline(AsyncAccessTokenAuth(
        ...), encryption=...))])
    add_signer_layer(balance_api_client, ClientPipeline(AccessTokenAuth(...)))   # OpenAPI

``XBSAuth`` signs only; a ``ClientPipeline`` (``XBSTransport``, the aiohttp middleware, the
OpenAPI layers) encrypts too. Give the asyncio clients the asynchronous auth: the
synchronous one would refresh with a blocking call on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from xbsec.client.oauth2.token_client import AsyncTokenClient, TokenClient
from xbsec.errors import ConfigurationError, LoginRequiredError
from xbsec.oauth2.token_endpoint import TokenEndpoint
from xbsec.oauth2.token_set import TokenSet
from xbsec.stores.tokens import TokenStore

if TYPE_CHECKING:
    import httpx

    from xbsec.profile import Profile

__all__ = ["DEFAULT_REFRESH_MARGIN", "AccessTokenAuth", "AsyncAccessTokenAuth"]

DEFAULT_REFRESH_MARGIN = 60.0


def _fingerprint(secret: str) -> bytes:
    # What is remembered of a refused refresh token: enough to recognise it, not to use it.
    return hashlib.sha256(secret.encode("utf-8")).digest()


class _Tokens:
    """What both classes share: the store, the rules, and the decision what to do."""

    def __init__(self, endpoint: TokenEndpoint, store: TokenStore, refresh_margin: float,
                 clock: Callable[[], float]) -> None:
        if not isinstance(store, TokenStore):
            raise ConfigurationError(f"store must be a TokenStore, not {type(store).__name__}")
        if isinstance(refresh_margin, bool) or not 0 <= refresh_margin < 900:
            raise ConfigurationError("refresh_margin must be 0 to 899 seconds (an access token "
                                     f"lives 900), not {refresh_margin!r}")
        self._endpoint = endpoint
        self.store = store
        self.refresh_margin = float(refresh_margin)
        self._clock = clock
        self._tokens: TokenSet | None = None
        self._refused: bytes | None = None

    @property
    def tokens(self) -> TokenSet | None:
        """The tokens in use now (``None`` before the first request)."""
        return self._tokens

    def _fresh(self, tokens: TokenSet | None) -> bool:
        return tokens is not None and not tokens.access_token_due(self._clock(),
                                                                  self.refresh_margin)

    def _checked(self, stored: TokenSet | None) -> TokenSet | None:
        if stored is not None and not stored.issued_by(self._endpoint.token_url,
                                                       self._endpoint.client_id):
            raise self._endpoint.login_required(
                f"the tokens in {self.store.location} were issued by another token endpoint "
                "or to another consumer key")
        return stored

    def _to_refresh(self, stored: TokenSet | None) -> TokenSet:
        """``stored`` if it must be refreshed and can be; otherwise why not."""
        if stored is None:
            raise self._endpoint.login_required(f"no tokens are stored in "
                                                f"{self.store.location}")
        if (not stored.refresh_token_usable(self._clock())
                or _fingerprint(stored.refresh_token or "") == self._refused):
            raise self._endpoint.login_required("the refresh token has expired or was revoked")
        return stored

    def _adopt(self, tokens: TokenSet) -> TokenSet:
        self._tokens = tokens
        return tokens

    def _remember_refusal(self, tokens: TokenSet) -> None:
        self._refused = _fingerprint(tokens.refresh_token or "")


class AccessTokenAuth(_Tokens):
    """A ``RequestAuth`` giving ``Bearer <access token>``, refreshed in time, for threads.

    ``client`` talks to the token endpoint; ``store`` keeps the tokens (``xbsec oauth2
    login`` put them there). ``clock`` (seconds since the epoch) is injectable.
    """

    def __init__(self, client: TokenClient, store: TokenStore, *,
                 refresh_margin: float = DEFAULT_REFRESH_MARGIN,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(client.endpoint, store, refresh_margin, clock)
        self.client = client
        self._lock = threading.Lock()

    @classmethod
    def from_profile(cls, profile: Profile, *, http: httpx.Client | None = None,
                     **options: Any) -> AccessTokenAuth:
        """From a profile's ``[oauth2]`` table; ``http`` (yours to close) sends the refreshes.

        Without ``http``, a client is made with the profile's timeout and mTLS certificate,
        and ``close()`` closes it.
        """
        from xbsec.client.oauth2.from_profile import oauth2_parts, tls_verify

        endpoint, store, margin = oauth2_parts(profile)
        options.setdefault("refresh_margin", margin)
        client = TokenClient(endpoint, http=http, timeout=profile.timeout,
                             verify=tls_verify(profile) if http is None else True)
        return cls(client, store, **options)

    def authorization(self, method: str, url: str, body: bytes) -> str:
        return "Bearer " + self.access_token()

    def close(self) -> None:
        """Close the token client's connections (an ``http`` client passed in stays open)."""
        self.client.close()

    def access_token(self) -> str:
        """A token good for at least ``refresh_margin`` more seconds, refreshing if need be."""
        tokens = self._tokens
        if tokens is not None and self._fresh(tokens):
            return tokens.access_token
        with self._lock:
            return self._current().access_token

    def _current(self) -> TokenSet:
        if self._fresh(self._tokens):  # refreshed by the thread that held the lock
            return self._tokens  # type: ignore[return-value]
        stored = self._checked(self.store.load())
        if self._fresh(stored):  # first use, or refreshed by another process, or a new login
            return self._adopt(stored)  # type: ignore[arg-type]
        with self.store.refresh_lock():
            stored = self._checked(self.store.load())  # again: the lock's last holder may
            if self._fresh(stored):                      # have just refreshed
                return self._adopt(stored)  # type: ignore[arg-type]
            due = self._to_refresh(stored)
            try:
                renewed = self.client.refresh(due)
            except LoginRequiredError:
                self._remember_refusal(due)
                raise
            self.store.save(renewed)
        return self._adopt(renewed)


@contextlib.asynccontextmanager
async def _held_in_thread(lock: AbstractContextManager[None]) -> AsyncIterator[None]:
    """Hold a blocking lock (a file lock, a Redis lock) without blocking the event loop."""
    entering = asyncio.ensure_future(asyncio.to_thread(lock.__enter__))
    try:
        await asyncio.shield(entering)
    except asyncio.CancelledError:
        # The thread still takes the lock: give it back as soon as it has it.
        def give_back(done: asyncio.Future[None]) -> None:
            if not done.cancelled() and done.exception() is None:
                done.get_loop().run_in_executor(None, lock.__exit__, None, None, None)

        entering.add_done_callback(give_back)
        raise
    try:
        yield
    finally:
        # Shielded: a cancellation here must not leave the lock held.
        await asyncio.shield(asyncio.to_thread(lock.__exit__, None, None, None))


class AsyncAccessTokenAuth(_Tokens):
    """``AccessTokenAuth`` for asyncio: ``await ready()`` (or ``access_token()``) refreshes.

    ``authorization()`` is synchronous, as the pipeline wants: it gives the token the last
    ``ready()`` left, as long as it has not expired, and raises ``ConfigurationError``
    otherwise (``ready()`` was not awaited first).
    """

    def __init__(self, client: AsyncTokenClient, store: TokenStore, *,
                 refresh_margin: float = DEFAULT_REFRESH_MARGIN,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(client.endpoint, store, refresh_margin, clock)
        self.client = client
        self._lock = asyncio.Lock()

    @classmethod
    def from_profile(cls, profile: Profile, *, http: httpx.AsyncClient | None = None,
                     **options: Any) -> AsyncAccessTokenAuth:
        """From a profile's ``[oauth2]`` table; ``http`` (yours to close) sends the refreshes.

        Without ``http``, a client is made with the profile's timeout and mTLS certificate,
        and ``aclose()`` closes it.
        """
        from xbsec.client.oauth2.from_profile import oauth2_parts, tls_verify

        endpoint, store, margin = oauth2_parts(profile)
        options.setdefault("refresh_margin", margin)
        client = AsyncTokenClient(endpoint, http=http, timeout=profile.timeout,
                                  verify=tls_verify(profile) if http is None else True)
        return cls(client, store, **options)

    async def access_token(self) -> str:
        """A token good for at least ``refresh_margin`` more seconds, refreshing if need be."""
        tokens = self._tokens
        if tokens is not None and self._fresh(tokens):
            return tokens.access_token
        async with self._lock:
            return (await self._current()).access_token

    async def ready(self) -> None:
        """Make ``authorization()`` good for the next ``refresh_margin`` seconds."""
        await self.access_token()

    async def aclose(self) -> None:
        """Close the token client's connections (an ``http`` client passed in stays open)."""
        await self.client.aclose()

    def authorization(self, method: str, url: str, body: bytes) -> str:
        tokens = self._tokens
        if tokens is None or tokens.access_token_expired(self._clock()):
            raise ConfigurationError("AsyncAccessTokenAuth has no valid access token: await "
                                     "auth.ready() before signing a request")
        return "Bearer " + tokens.access_token

    async def _load(self) -> TokenSet | None:
        return self._checked(await asyncio.to_thread(self.store.load))

    async def _current(self) -> TokenSet:
        if self._fresh(self._tokens):
            return self._tokens  # type: ignore[return-value]
        stored = await self._load()
        if self._fresh(stored):
            return self._adopt(stored)  # type: ignore[arg-type]
        async with _held_in_thread(self.store.refresh_lock()):
            stored = await self._load()
            if self._fresh(stored):
                return self._adopt(stored)  # type: ignore[arg-type]
            due = self._to_refresh(stored)
            try:
                renewed = await self.client.refresh(due)
            except LoginRequiredError:
                self._remember_refusal(due)
                raise
            await asyncio.to_thread(self.store.save, renewed)
        return self._adopt(renewed)
