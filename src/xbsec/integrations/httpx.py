"""httpx integration, sync and async: an ``Auth`` that signs, transports that do it all.

::

    from xbsec.integrations.httpx import client_from_profile, exchange_of

    with client_from_profile(load_profile("sandbox")) as client:
        response = client.post(f"/send/v1/partners/{partner}/crossborder/quotes",
                               content=dumps(document, "json"))
        quote = exchange_of(response).document()    # or response.json(); ApiError on 4xx/5xx

- ``XBSAuth``: signing only (any ``RequestAuth``), for ``Client`` and ``AsyncClient``
  alike through one ``auth_flow``. Under ``AsyncClient`` an ``AsyncRefreshableAuth`` is
  awaited (``ready()``) first: ``XBSAuth(AsyncAccessTokenAuth(...))`` refreshes the
  Balance access token without blocking the event loop; ``XBSAuth(AccessTokenAuth(...))``
  is the ``Client`` form.
- ``XBSTransport`` / ``AsyncXBSTransport``: the whole pipeline around another transport.
  The request is rebuilt with the encrypted, signed body; the response is rebuilt with the
  plaintext body (Content-Length of the plaintext, no Content-Encoding: the bytes are
  decoded). The response is therefore read in full before it is returned. Both share
  ``_outgoing`` and ``_incoming``: only the reading and sending differ.
- ``client_from_profile`` / ``async_client_from_profile``: base URL, timeout, the transport,
  and mTLS from the profile's PKCS#12 (an ``ssl.SSLContext``, see ``xbsec.client.tls``).

Exceptions: protocol problems are xbsec errors (``PayloadError``, ``DecryptionError``, ...);
transport failures stay httpx's own (``httpx.ConnectError``, ``httpx.TimeoutException``,
...), as users of httpx expect.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncGenerator, Generator, Mapping
from typing import Any

import httpx

from xbsec.client.auth import AsyncRefreshableAuth, RequestAuth
from xbsec.client.exchange import Exchange
from xbsec.client.pipeline import ClientPipeline, OutgoingRequest
from xbsec.errors import ConfigurationError
from xbsec.oauth1.base_string import canonical_query_url
from xbsec.profile import Profile

__all__ = [
    "AsyncXBSTransport",
    "XBSAuth",
    "XBSTransport",
    "async_client_from_profile",
    "client_from_profile",
    "exchange_of",
]

# httpx's own place for what a transport tells about a response.
_EXCHANGE = "xbsec.exchange"

# Framing describes the body httpx built (request) or received (response); each is replaced.
_REQUEST_FRAMING = ("content-length", "transfer-encoding")
_RESPONSE_FRAMING = ("content-length", "transfer-encoding", "content-encoding")


def exchange_of(response: httpx.Response) -> Exchange:
    """The request as sent and the response as read, for a response from an XBS transport."""
    found = response.extensions.get(_EXCHANGE)
    if not isinstance(found, Exchange):
        raise ConfigurationError("this response did not come through an XBSTransport")
    return found


class XBSAuth(httpx.Auth):
    """Signs each request over its exact body bytes (no encryption: see ``XBSTransport``)."""

    requires_request_body = True

    def __init__(self, auth: RequestAuth) -> None:
        if not isinstance(auth, RequestAuth):
            raise ConfigurationError(
                f"XBSAuth signs with a RequestAuth, not {type(auth).__name__}; for the whole "
                "pipeline (encryption included) use XBSTransport or client_from_profile")
        self.auth = auth

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        body = request.content  # read in full by httpx (requires_request_body)
        if "Transfer-Encoding" in request.headers:
            # A streamed body is in memory now: send it with the Content-Length XBS lists
            # among its request headers (SPEC §8.2), as the transports do.
            del request.headers["Transfer-Encoding"]
            request.headers["Content-Length"] = str(len(body))
        request.url = httpx.URL(canonical_query_url(str(request.url)))  # as signed, §2.5
        request.headers["Authorization"] = self.auth.authorization(
            request.method, str(request.url), body)
        yield request

    async def async_auth_flow(
            self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        if isinstance(self.auth, AsyncRefreshableAuth):
            await self.auth.ready()  # any refresh happens here, on the event loop
        for sent in self.auth_flow(request):  # one request; the answer needs nothing more
            yield sent


def _outgoing(pipeline: ClientPipeline, request: httpx.Request,
              body: bytes) -> tuple[OutgoingRequest, httpx.Request]:
    given = {name: value for name, value in request.headers.items()
             if name not in _REQUEST_FRAMING}
    out = pipeline.request(request.method, str(request.url), body=body, headers=given)
    headers = request.headers.copy()
    for name in _REQUEST_FRAMING:
        headers.pop(name, None)
    for name, value in out.headers.items():
        # Only what the pipeline set or changed: a repeated header stays as it was.
        if headers.get(name) != value:
            headers[name] = value
    sent = httpx.Request(out.method, out.url, headers=headers, content=out.body,
                         extensions=request.extensions)
    return out, sent


def _incoming(pipeline: ClientPipeline, out: OutgoingRequest, sent: httpx.Request,
              response: httpx.Response, body: bytes) -> httpx.Response:
    received = pipeline.response(out, response.status_code, response.headers, body)
    headers = response.headers.copy()
    for name in _RESPONSE_FRAMING:
        headers.pop(name, None)
    extensions = {**response.extensions, _EXCHANGE: Exchange(pipeline, out, received)}
    return httpx.Response(response.status_code, headers=headers, content=received.body,
                          extensions=extensions, request=sent)


class XBSTransport(httpx.BaseTransport):
    """Encrypts and signs each request, decrypts each response, around ``transport``."""

    def __init__(self, pipeline: ClientPipeline,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.pipeline = pipeline
        self.transport = httpx.HTTPTransport() if transport is None else transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        out, sent = _outgoing(self.pipeline, request, request.read())
        response = self.transport.handle_request(sent)
        try:
            body = response.read()
        finally:
            response.close()
        return _incoming(self.pipeline, out, sent, response, body)

    def close(self) -> None:
        self.transport.close()


class AsyncXBSTransport(httpx.AsyncBaseTransport):
    """``XBSTransport`` for ``httpx.AsyncClient``."""

    def __init__(self, pipeline: ClientPipeline,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.pipeline = pipeline
        self.transport = httpx.AsyncHTTPTransport() if transport is None else transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        out, sent = _outgoing(self.pipeline, request, await request.aread())
        response = await self.transport.handle_async_request(sent)
        try:
            body = await response.aread()
        finally:
            await response.aclose()
        return _incoming(self.pipeline, out, sent, response, body)

    async def aclose(self) -> None:
        await self.transport.aclose()


def client_from_profile(profile: Profile, *, cafile: str | os.PathLike[str] | None = None,
                        proxy: str | httpx.Proxy | None = None,
                        transport: httpx.BaseTransport | None = None,
                        **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` for ``profile``: every request goes through ``XBSTransport``.

    The inner ``httpx.HTTPTransport`` verifies servers as httpx does, or against ``cafile``
    (PEM) when given, and presents the profile's ``[mtls]`` client certificate; ``proxy``
    goes to it too. ``transport`` replaces that inner transport (which then does its own
    TLS). Transports in ``mounts`` are wrapped as well, so that no request bypasses the
    pipeline. Other arguments go to ``httpx.Client``.
    """
    pipeline = ClientPipeline.from_profile(profile)
    if transport is None:
        transport = httpx.HTTPTransport(verify=_verify(profile, cafile), proxy=proxy)
    else:
        _only_one(profile, cafile, proxy)
    mounts: Mapping[str, httpx.BaseTransport | None] = kwargs.pop("mounts", None) or {}
    return httpx.Client(**{"base_url": profile.base_url, "timeout": profile.timeout, **kwargs},
                        transport=XBSTransport(pipeline, transport),
                        mounts={pattern: None if inner is None else XBSTransport(pipeline, inner)
                                for pattern, inner in mounts.items()})


def async_client_from_profile(profile: Profile, *,
                              cafile: str | os.PathLike[str] | None = None,
                              proxy: str | httpx.Proxy | None = None,
                              transport: httpx.AsyncBaseTransport | None = None,
                              **kwargs: Any) -> httpx.AsyncClient:
    """``client_from_profile`` for ``httpx.AsyncClient``."""
    pipeline = ClientPipeline.from_profile(profile)
    if transport is None:
        transport = httpx.AsyncHTTPTransport(verify=_verify(profile, cafile), proxy=proxy)
    else:
        _only_one(profile, cafile, proxy)
    mounts: Mapping[str, httpx.AsyncBaseTransport | None] = kwargs.pop("mounts", None) or {}
    return httpx.AsyncClient(
        **{"base_url": profile.base_url, "timeout": profile.timeout, **kwargs},
        transport=AsyncXBSTransport(pipeline, transport),
        mounts={pattern: None if inner is None else AsyncXBSTransport(pipeline, inner)
                for pattern, inner in mounts.items()})


def _verify(profile: Profile, cafile: str | os.PathLike[str] | None) -> ssl.SSLContext | bool:
    if profile.mtls is None and cafile is None:
        return True
    from xbsec.client.tls import client_ssl_context

    return client_ssl_context(profile.mtls, cafile=cafile)


def _only_one(profile: Profile, cafile: object, proxy: object) -> None:
    if profile.mtls is not None or cafile is not None or proxy is not None:
        raise ConfigurationError("a transport given to client_from_profile does its own TLS "
                                 "and proxying: the profile's [mtls], cafile= and proxy= "
                                 "cannot be applied to it")
