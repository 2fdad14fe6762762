"""``XBSClient`` and ``AsyncXBSClient``: the XBS API in one object, on httpx.

>>> with XBSClient.from_profile("sandbox") as xbs:                     # doctest: +SKIP
...     quote = xbs.create_quote({"transaction_reference": "0999999034810154901", ...})
...     proposal_id = quote["proposals"]["proposal"][0]["id"]
...     payment = xbs.create_payment({"transaction_reference": ..., "proposal_id": proposal_id})

Signing, encryption, decryption and error parsing are the pipeline's; this module only
moves bytes. MTS EU/UK customers whose profile has an ``[oauth2]`` table call the Balance
APIs (``balances``, ``balance``) with the access token ``xbsec oauth2 login`` obtained,
refreshed in time over the client's own httpx connection; every other call keeps the
request token (SPEC §1, §6). ``balance_auth=`` gives that auth explicitly.

Retries, each attempt re-signed (a resent nonce would be a replay):

- a GET (idempotent) on a connection error or a 502/503/504;
- any call refused with 429 (the gateway turned it away unprocessed), after the
  ``Retry-After`` the answer gives (at most ``max_retry_after`` seconds: a longer wait is
  the caller's to decide, and the ``ApiError`` carries ``retry_after``);
- never a POST that may have reached XBS: a payment must not be made twice. When its
  answer is lost (a read timeout, a dropped connection), the ``TransportError`` says so
  (``maybe_executed``): look the payment up by its transaction reference
  (``retrieve_payment_by_reference``) before sending it again.

Every error names the request (method, URL) and carries a request id: the server's when it
gave one, else the ``X-Request-Id`` the client sent with each call (``request_id_header``;
``None`` sends none). Transport failures raise ``TransportError``, never httpx's own exceptions.

``watch_profile=True`` reads the profile file again when it changes (``profile_watch``): a
key rotation is deployed by editing the profile, with no restart.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from xbsec.client.auth import AsyncRefreshableAuth, RequestAuth
from xbsec.client.endpoints import AsyncEndpoints, Call, SyncEndpoints, XBSEndpoints
from xbsec.client.offload import Offloader, default_offloader
from xbsec.client.pipeline import ClientPipeline, OutgoingRequest
from xbsec.errors import ConfigurationError, TransportError

if TYPE_CHECKING:
    from xbsec.client.profile_watch import ProfileWatch
    from xbsec.profile import Profile

__all__ = ["AsyncXBSClient", "XBSClient"]

_RETRY_STATUSES = frozenset({502, 503, 504})
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError,
           httpx.UnsupportedProtocol, httpx.LocalProtocolError)
"""Failures before the request left: it cannot have been executed."""


class _Base:
    """What both clients share: the pipeline, the base URL, the retry rule, the result."""

    def __init__(self, profile: Profile | None, pipeline: ClientPipeline | None,
                 base_url: str | None, partner_id: str | None, retries: int,
                 backoff: float, watch_profile: bool = False,
                 max_retry_after: float = 30.0,
                 request_id_header: str | None = "X-Request-Id") -> None:
        self._watch: ProfileWatch | None = None
        self._base_url_given = base_url is not None
        if watch_profile and (profile is None or pipeline is not None):
            raise ConfigurationError("watch_profile needs a profile (and no pipeline=)")
        if pipeline is None:
            if profile is None:
                raise ConfigurationError("give a profile, or a pipeline with base_url and "
                                         "partner_id")
            pipeline = ClientPipeline.from_profile(profile)
        base_url = base_url or (profile.base_url if profile else None)
        partner_id = partner_id or (profile.partner_id if profile else None)
        if not base_url or not partner_id:
            raise ConfigurationError("base_url and partner_id are needed (or a profile)")
        if retries < 0 or backoff < 0 or max_retry_after < 0:
            raise ConfigurationError("retries, backoff and max_retry_after must not be negative")
        self.pipeline = pipeline
        self.base_url = base_url.rstrip("/")
        self.partner_id = partner_id
        self.retries = retries
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self.request_id_header = request_id_header
        self.balance_auth: RequestAuth | None = None
        """The auth of the Balance calls, when it is not the pipeline's (SPEC §6)."""
        if watch_profile and profile is not None:
            from xbsec.client.profile_watch import ProfileWatch

            self._watch = ProfileWatch(profile, pipeline)

    def _current_pipeline(self) -> ClientPipeline:
        """The pipeline for the next request: the profile's latest, when it is watched."""
        if self._watch is not None:
            profile, self.pipeline = self._watch.current()
            if not self._base_url_given:
                self.base_url = profile.base_url.rstrip("/")
            self.partner_id = profile.partner_id
        return self.pipeline

    def _prepare(self, call: Call[Any], pipeline: ClientPipeline,
                 request_id: str | None) -> OutgoingRequest:
        headers = call.headers
        if request_id is not None and self.request_id_header:
            headers = {**(headers or {}), self.request_id_header: request_id}
        return pipeline.request(call.method, self.base_url + call.target,
                                document=call.document, headers=headers,
                                format=call.format,
                                auth=self.balance_auth if call.balance else None)

    def _retry(self, call: Call[Any], attempt: int,
               outcome: httpx.Response | httpx.TransportError) -> float | None:
        """Seconds to wait before trying ``call`` again, or ``None`` to stop."""
        if attempt >= self.retries:
            return None
        backoff = self.backoff * 2.0**attempt
        if isinstance(outcome, httpx.TransportError):
            return backoff if call.idempotent else None
        status = outcome.status_code
        if status != 429 and not (call.idempotent and status in _RETRY_STATUSES):
            return None
        from xbsec.client.pipeline import retry_after_seconds

        asked = retry_after_seconds(outcome.headers.get("Retry-After"))
        if asked is None:
            return backoff
        return asked if asked <= self.max_retry_after else None

    @staticmethod
    def _transport_error(out: OutgoingRequest, exc: httpx.TransportError,
                         request_id: str | None) -> TransportError:
        unsent = isinstance(exc, _UNSENT)
        if isinstance(exc, httpx.TimeoutException):
            what = f"no answer in time ({type(exc).__name__})"
        elif unsent:
            what = f"cannot connect: {exc}" if str(exc) else "cannot connect"
        else:
            what = f"the connection failed: {type(exc).__name__}" + (f": {exc}" if str(exc)
                                                                     else "")
        maybe = not unsent and out.method not in ("GET", "HEAD")
        if maybe:
            what += ("; the request may have been executed: look it up (a payment: "
                     "retrieve_payment_by_reference) before sending it again")
        return TransportError(what, method=out.method, url=out.url, request_id=request_id,
                              maybe_executed=maybe)

    def _result(self, call: Call[Any], out: OutgoingRequest, response: httpx.Response,
                pipeline: ClientPipeline) -> Any:
        # The pipeline that sent the request decrypts its answer (its keys, even if the
        # profile changed meanwhile).
        incoming = pipeline.response(out, response.status_code, response.headers,
                                     response.content)
        document = pipeline.document(incoming)
        if incoming.format == "xml" and call.operation_id is not None:
            # XML cannot say "a list of one" or "a boolean": the contract's schema can.
            from xbsec.contract import XML, response_validator

            document = response_validator(call.operation_id, incoming.status,
                                          XML).conform(document)
        if isinstance(document, Mapping) and len(document) == 1:
            (root,) = document
            if root in call.unwrap:
                return document[root]
        return document

    def _flow(self, call: Call[Any]) -> Generator[OutgoingRequest | float | None,
                                             httpx.Response | httpx.TransportError | None,
                                             Any]:
        """One call with its retries, for both clients to drive (as httpx's auth flows).

        Yields ``None`` before each attempt (the async client readies its auth there), then
        the request to send, receiving the response or the transport error, then the
        seconds to wait before trying again. Returns the result.
        """
        attempt = 0
        request_id = uuid.uuid4().hex if self.request_id_header else None
        while True:
            yield None
            pipeline = self._current_pipeline()
            out = self._prepare(call, pipeline, request_id)  # re-signed: no resent nonce
            outcome = yield out
            assert outcome is not None
            wait = self._retry(call, attempt, outcome)
            if wait is None:
                if isinstance(outcome, httpx.TransportError):
                    raise self._transport_error(out, outcome, request_id) from outcome
                return self._result(call, out, outcome, pipeline)
            yield wait
            attempt += 1


def http_client_options(profile: Profile | None, timeout: float | None,
                        cafile: str | os.PathLike[str] | None,
                        proxy: str | None) -> dict[str, Any]:
    """The httpx client options for a profile: timeout, TLS (``cafile``, ``[mtls]``), proxy."""
    options: dict[str, Any] = {"timeout": timeout or (profile.timeout if profile else 30.0)}
    proxy = proxy or (profile.proxy if profile else None)
    if proxy:
        options["proxy"] = proxy
    mtls = profile.mtls if profile is not None else None
    if mtls is not None or cafile is not None:
        from xbsec.client.tls import client_ssl_context

        options["verify"] = client_ssl_context(mtls, cafile=cafile)
    return options


def _only_one(http: object, cafile: object, proxy: object) -> None:
    if http is not None and (cafile is not None or proxy is not None):
        raise ConfigurationError("an http client given as http= does its own TLS and "
                                 "proxying: cafile= and proxy= cannot be applied to it")



class XBSClient(_Base, SyncEndpoints, XBSEndpoints):
    """The XBS API, synchronous. Every endpoint method returns the response document.

    The httpx client it makes verifies servers against the system's trust store, or against
    ``cafile`` (PEM: a private or test CA), and presents the profile's ``[mtls]`` client
    certificate. An ``http`` client given instead does its own TLS.

    Options (keywords):

    - ``profile``: a loaded ``Profile`` (``from_profile`` loads one by name); or
      ``pipeline`` with ``base_url`` and ``partner_id`` for a hand-built one.
    - ``base_url``: overrides the profile's URL (a local sandbox, a proxy in front).
    - ``http``: an httpx client of your own (connection pool, event hooks, transport);
      it then does its own TLS and proxying. Otherwise one is made with:
    - ``timeout``: seconds per request (default: the profile's, else 30);
    - ``cafile``: PEM CA bundle to verify the server with (default: the system's store);
    - ``proxy``: an HTTP(S) proxy URL (default: the profile's ``proxy``, else
      ``$HTTPS_PROXY`` and the usual variables).
    - ``retries`` (2) and ``backoff`` (0.25 s, doubled each time): see the module's
      retry rules; ``max_retry_after`` (30 s): the longest ``Retry-After`` waited for.
    - ``request_id_header`` (``"X-Request-Id"``): a fresh id per call, sent in this header
      and carried by every error; ``None`` sends none.
    - ``watch_profile``: re-read the profile when its file changes (key rotation).
    - ``balance_auth``: the Balance APIs' auth, when not the profile's ``[oauth2]``.
    - ``sleep``: the function that waits between retries (tests pass their own).
    """

    def __init__(self, profile: Profile | None = None, *, pipeline: ClientPipeline | None = None,
                 base_url: str | None = None, partner_id: str | None = None,
                 http: httpx.Client | None = None, timeout: float | None = None,
                 cafile: str | os.PathLike[str] | None = None, proxy: str | None = None,
                 retries: int = 2, backoff: float = 0.25, max_retry_after: float = 30.0,
                 request_id_header: str | None = "X-Request-Id",
                 sleep: Callable[[float], None] = time.sleep,
                 balance_auth: RequestAuth | None = None,
                 watch_profile: bool = False) -> None:
        super().__init__(profile, pipeline, base_url, partner_id, retries, backoff,
                         watch_profile, max_retry_after, request_id_header)
        _only_one(http, cafile, proxy)
        self.http = http or httpx.Client(**http_client_options(profile, timeout, cafile, proxy))
        self._sleep = sleep
        if balance_auth is None and profile is not None and profile.oauth2 is not None:
            # MTS EU/UK customers call the Balance APIs with an access token (SPEC §1); the
            # profile reader accepts [oauth2] only on their profiles.
            from xbsec.client.oauth2.access_token import AccessTokenAuth

            balance_auth = AccessTokenAuth.from_profile(profile, http=self.http)
        self.balance_auth = balance_auth

    @classmethod
    def from_profile(cls, name: str | None = None, path: str | None = None,
                     **options: Any) -> XBSClient:
        """A client for a named profile (see ``xbsec.profile``)."""
        from xbsec.profile import load_profile

        return cls(load_profile(name, path), **options)

    def _call(self, call: Call[Any]) -> Any:
        flow = self._flow(call)
        answer: httpx.Response | httpx.TransportError | None = None
        try:
            while True:
                step = flow.send(answer)
                answer = None
                if isinstance(step, OutgoingRequest):
                    try:
                        answer = self.http.request(step.method, step.url, content=step.body,
                                                   headers=step.headers)
                    except httpx.TransportError as exc:
                        answer = exc
                elif step is not None:
                    self._sleep(step)
        except StopIteration as done:
            return done.value

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> XBSClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class AsyncXBSClient(_Base, AsyncEndpoints, XBSEndpoints):
    """The XBS API, asynchronous: every endpoint method returns an awaitable document.

    Options and TLS as ``XBSClient``'s, with an ``httpx.AsyncClient`` as ``http`` and an
    awaitable ``sleep``.
    """

    def __init__(self, profile: Profile | None = None, *, pipeline: ClientPipeline | None = None,
                 base_url: str | None = None, partner_id: str | None = None,
                 http: httpx.AsyncClient | None = None, timeout: float | None = None,
                 cafile: str | os.PathLike[str] | None = None, proxy: str | None = None,
                 retries: int = 2, backoff: float = 0.25, max_retry_after: float = 30.0,
                 request_id_header: str | None = "X-Request-Id",
                 sleep: Callable[[float], Any] = asyncio.sleep,
                 balance_auth: RequestAuth | None = None,
                 watch_profile: bool = False, offload: Offloader | None = None) -> None:
        super().__init__(profile, pipeline, base_url, partner_id, retries, backoff,
                         watch_profile, max_retry_after, request_id_header)
        _only_one(http, cafile, proxy)
        self.http = http or httpx.AsyncClient(**http_client_options(profile, timeout, cafile,
                                                                    proxy))
        self._sleep = sleep
        # Signing, encryption and decryption (RSA) run in this pool, not on the event loop
        # (offload.py); Offloader(max_workers=0) keeps them on the loop.
        self.offload = default_offloader() if offload is None else offload
        if balance_auth is None and profile is not None and profile.oauth2 is not None:
            # MTS EU/UK customers call the Balance APIs with an access token (SPEC §1); the
            # profile reader accepts [oauth2] only on their profiles.
            from xbsec.client.oauth2.access_token import AsyncAccessTokenAuth

            balance_auth = AsyncAccessTokenAuth.from_profile(profile, http=self.http)
        self.balance_auth = balance_auth

    @classmethod
    def from_profile(cls, name: str | None = None, path: str | None = None,
                     **options: Any) -> AsyncXBSClient:
        from xbsec.profile import load_profile

        return cls(load_profile(name, path), **options)

    async def _run(self, call: Call[Any]) -> Any:
        flow = self._flow(call)
        answer: httpx.Response | httpx.TransportError | None = None
        step: Any = ()
        try:
            while True:
                if step is None or isinstance(answer, httpx.Response):
                    # Next: signing and encrypting, or reading the answer (RSA): off the loop.
                    finished, step = await self.offload.send(flow, answer)
                    if finished:
                        return step
                else:
                    step = flow.send(answer)
                answer = None
                if isinstance(step, OutgoingRequest):
                    try:
                        answer = await self.http.request(step.method, step.url,
                                                         content=step.body, headers=step.headers)
                    except httpx.TransportError as exc:
                        answer = exc
                elif step is not None:
                    await self._sleep(step)
                elif call.balance and isinstance(self.balance_auth, AsyncRefreshableAuth):
                    await self.balance_auth.ready()  # a due refresh, without blocking the loop
        except StopIteration as done:
            return done.value

    def _call(self, call: Call[Any]) -> Any:
        return self._run(call)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncXBSClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()
