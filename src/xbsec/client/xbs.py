"""``XBSClient`` and ``AsyncXBSClient``: the XBS API in one object, on httpx.

>>> with XBSClient.from_profile("sandbox") as xbs:                     # doctest: +SKIP
...     quote = xbs.create_quote({"transaction_reference": "0999999034810154901", ...})
...     payment = xbs.create_payment({"transaction_reference": ..., "proposal_id": ...})

Signing, encryption, decryption and error parsing are the pipeline's; this module only
moves bytes. MTS EU/UK customers whose profile has an ``[oauth2]`` table call the Balance
APIs (``balances``, ``balance``) with the access token ``xbsec oauth2 login`` obtained,
refreshed in time over the client's own httpx connection; every other call keeps the
request token (SPEC §1, §6). ``balance_auth=`` gives that auth explicitly.

A GET (idempotent) is retried on a connection error or a 502/503/504, re-signed each time
(a resent nonce would be a replay); a POST is never retried, because a payment must not be
made twice.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from xbsec.client.auth import AsyncRefreshableAuth, RequestAuth
from xbsec.client.endpoints import Call, Endpoints
from xbsec.client.offload import Offloader, default_offloader
from xbsec.client.pipeline import ClientPipeline, OutgoingRequest
from xbsec.errors import ConfigurationError

if TYPE_CHECKING:
    from xbsec.profile import Profile

__all__ = ["AsyncXBSClient", "XBSClient"]

_RETRY_STATUSES = frozenset({502, 503, 504})


class _Base:
    """What both clients share: the pipeline, the base URL, the retry rule, the result."""

    def __init__(self, profile: Profile | None, pipeline: ClientPipeline | None,
                 base_url: str | None, partner_id: str | None, retries: int,
                 backoff: float) -> None:
        if pipeline is None:
            if profile is None:
                raise ConfigurationError("give a profile, or a pipeline with base_url and "
                                         "partner_id")
            pipeline = ClientPipeline.from_profile(profile)
        base_url = base_url or (profile.base_url if profile else None)
        partner_id = partner_id or (profile.partner_id if profile else None)
        if not base_url or not partner_id:
            raise ConfigurationError("base_url and partner_id are needed (or a profile)")
        if retries < 0 or backoff < 0:
            raise ConfigurationError("retries and backoff must not be negative")
        self.pipeline = pipeline
        self.base_url = base_url.rstrip("/")
        self.partner_id = partner_id
        self.retries = retries
        self.backoff = backoff
        self.balance_auth: RequestAuth | None = None
        """The auth of the Balance calls, when it is not the pipeline's (SPEC §6)."""

    def _prepare(self, call: Call) -> OutgoingRequest:
        return self.pipeline.request(call.method, self.base_url + call.target,
                                     document=call.document, headers=call.headers,
                                     format=call.format,
                                     auth=self.balance_auth if call.balance else None)

    def _retry(self, call: Call, attempt: int, status: int | None) -> float | None:
        """Seconds to wait before trying ``call`` again, or ``None`` to stop."""
        if not call.idempotent or attempt >= self.retries:
            return None
        if status is not None and status not in _RETRY_STATUSES:
            return None
        return self.backoff * 2.0**attempt

    def _result(self, call: Call, out: OutgoingRequest, response: httpx.Response) -> Any:
        incoming = self.pipeline.response(out, response.status_code, response.headers,
                                          response.content)
        document = self.pipeline.document(incoming)
        if call.unwrap and isinstance(document, Mapping) and len(document) == 1:
            return next(iter(document.values()))
        return document

    def _flow(self, call: Call) -> Generator[OutgoingRequest | float | None,
                                             httpx.Response | httpx.TransportError | None,
                                             Any]:
        """One call with its retries, for both clients to drive (as httpx's auth flows).

        Yields ``None`` before each attempt (the async client readies its auth there), then
        the request to send, receiving the response or the transport error, then the
        seconds to wait before trying again. Returns the result.
        """
        attempt = 0
        while True:
            yield None
            out = self._prepare(call)  # re-signed each attempt: a resent nonce is a replay
            outcome = yield out
            status = None if isinstance(outcome, httpx.TransportError) else outcome
            wait = self._retry(call, attempt, None if status is None else status.status_code)
            if wait is None:
                if status is None:
                    raise outcome  # type: ignore[misc]
                return self._result(call, out, status)
            yield wait
            attempt += 1


def _http_options(profile: Profile | None, timeout: float | None,
                  cafile: str | os.PathLike[str] | None) -> dict[str, Any]:
    options: dict[str, Any] = {"timeout": timeout or (profile.timeout if profile else 30.0)}
    mtls = profile.mtls if profile is not None else None
    if mtls is not None or cafile is not None:
        from xbsec.client.tls import client_ssl_context

        options["verify"] = client_ssl_context(mtls, cafile=cafile)
    return options


def _only_one(http: object, cafile: object) -> None:
    if http is not None and cafile is not None:
        raise ConfigurationError("an http client given as http= does its own TLS: cafile= "
                                 "cannot be applied to it")


class XBSClient(_Base, Endpoints[Any]):
    """The XBS API, synchronous. Every endpoint method returns the response document.

    The httpx client it makes verifies servers against the system's trust store, or against
    ``cafile`` (PEM: a private or test CA), and presents the profile's ``[mtls]`` client
    certificate. An ``http`` client given instead does its own TLS.
    """

    def __init__(self, profile: Profile | None = None, *, pipeline: ClientPipeline | None = None,
                 base_url: str | None = None, partner_id: str | None = None,
                 http: httpx.Client | None = None, timeout: float | None = None,
                 cafile: str | os.PathLike[str] | None = None,
                 retries: int = 2, backoff: float = 0.25,
                 sleep: Callable[[float], None] = time.sleep,
                 balance_auth: RequestAuth | None = None) -> None:
        super().__init__(profile, pipeline, base_url, partner_id, retries, backoff)
        _only_one(http, cafile)
        self.http = http or httpx.Client(**_http_options(profile, timeout, cafile))
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

    def _call(self, call: Call) -> Any:
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


class AsyncXBSClient(_Base, Endpoints[Any]):
    """The XBS API, asynchronous: every endpoint method returns an awaitable document.

    TLS as ``XBSClient``: ``cafile`` and the profile's ``[mtls]``, unless ``http`` is given.
    """

    def __init__(self, profile: Profile | None = None, *, pipeline: ClientPipeline | None = None,
                 base_url: str | None = None, partner_id: str | None = None,
                 http: httpx.AsyncClient | None = None, timeout: float | None = None,
                 cafile: str | os.PathLike[str] | None = None,
                 retries: int = 2, backoff: float = 0.25,
                 sleep: Callable[[float], Any] = asyncio.sleep,
                 balance_auth: RequestAuth | None = None,
                 offload: Offloader | None = None) -> None:
        super().__init__(profile, pipeline, base_url, partner_id, retries, backoff)
        _only_one(http, cafile)
        self.http = http or httpx.AsyncClient(**_http_options(profile, timeout, cafile))
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

    async def _run(self, call: Call) -> Any:
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

    def _call(self, call: Call) -> Any:
        return self._run(call)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncXBSClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()
