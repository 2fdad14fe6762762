"""aiohttp: a client middleware that runs the XBS pipeline, and a session made from a profile.

::

    async with session_from_profile(load_profile("sandbox")) as session:
        url = f"send/v1/partners/{partner_id}/crossborder/quotes"
        async with session.post(url, json={"quoterequest": {...}}) as response:
            quote = exchange_of(response).document()   # or response.json(); ApiError on 4xx/5xx

Per request, the middleware reads the body aiohttp built (``json=``, ``data=`` bytes or
text), hands it with the method, URL and headers to the pipeline (serialise once, encrypt and
wrap, sign, SPEC §1), puts back exactly the bytes the pipeline signed and the headers it set,
and sends. It reads the answer and, when the request was encrypted, decrypts it, so that
``read()``, ``text()`` and ``json()`` give the plaintext (errors come back plaintext, SPEC
§3.5); ``exchange_of(response)`` keeps the bytes that were sent and parses the answer or
raises the typed XBS error.

What this relies on in aiohttp (3.12 or later, the first with client middlewares):

- ``ClientRequest.body`` is a ``Payload`` (or ``b""``) with ``as_bytes()``;
  ``ClientRequest.update_body()`` replaces it and its Content-Length; ``ClientRequest.headers``
  is mutable; ``str(ClientRequest.url)`` is the URL whose ``raw_path_qs`` goes on the wire.
- ``ClientResponse.read()`` returns ``_body`` once it is set, and ``headers`` is ``_headers``.
  The plaintext is put in those two private attributes, because aiohttp has no public way
  to replace a response body; ``tests/integrations/test_aiohttp_*`` pin the behaviour.
  The whole answer is read before the middleware returns (XBS answers are documents), so
  ``response.content`` is already drained.
- The pipeline's auth is called synchronously; an ``AsyncRefreshableAuth`` (the Balance
  access token, ``AsyncAccessTokenAuth``) is awaited (``ready()``) before each request, so
  a refresh runs on the event loop over httpx's asyncio client and never blocks it.
- A request that is sent again (a 307/308 redirect of a plain request, a retry on a dropped
  keep-alive connection, a retrying middleware) comes back through the middleware with the
  body it set; that body remembers its plaintext, so each attempt is encrypted and signed
  afresh (a new nonce each time) instead of encrypting the ciphertext. A redirect answering
  an encrypted request is refused like any plaintext answer to one.
"""

from __future__ import annotations

import os
import weakref
from typing import TYPE_CHECKING, Any

import aiohttp

try:
    from aiohttp import ClientHandlerType, ClientMiddlewareType, ClientRequest, ClientResponse
except ImportError:  # pragma: no cover - only before aiohttp 3.12
    raise ImportError("xbsec.integrations.aiohttp needs aiohttp 3.12 or later (client "
                      f"middlewares); aiohttp {aiohttp.__version__} is installed") from None
from aiohttp.payload import BytesPayload
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from xbsec.client.auth import AsyncRefreshableAuth
from xbsec.client.exchange import Exchange
from xbsec.client.pipeline import ClientPipeline, OutgoingRequest
from xbsec.errors import ConfigurationError, PayloadError, SigningError

if TYPE_CHECKING:
    from xbsec.profile import Profile

__all__ = ["exchange_of", "session_from_profile", "xbsec_middleware"]

# Content-Types aiohttp gives a bytes or text body on its own: not a choice of format.
_AUTOMATIC_CONTENT_TYPES = frozenset({"application/octet-stream", "text/plain; charset=utf-8"})


class _SealedBody(BytesPayload):
    """The bytes the pipeline signed, remembering the plaintext they were made from."""

    def __init__(self, sent: bytes, plaintext: bytes, content_type: str) -> None:
        super().__init__(sent, content_type=content_type)
        self.plaintext = plaintext


# What each response went through, gone with the response: aiohttp has no place on a
# ClientResponse for a library's own data.
_EXCHANGES: weakref.WeakKeyDictionary[ClientResponse, Exchange] = weakref.WeakKeyDictionary()


def exchange_of(response: ClientResponse) -> Exchange:
    """The request as sent and the response as read, for a response the middleware handled."""
    try:
        return _EXCHANGES[response]
    except KeyError:
        raise ConfigurationError("this response did not come through xbsec_middleware; make "
                                 "the session with session_from_profile, or pass "
                                 "middlewares=[xbsec_middleware(pipeline)]") from None


def xbsec_middleware(pipeline: ClientPipeline, *,
                     origin: str | None = None) -> ClientMiddlewareType:
    """A client middleware that signs (and encrypts, when configured) every request.

    ``origin`` (``scheme://host[:port]``, or any URL on it) binds the middleware to one
    server: a request elsewhere, a redirect included, raises ``SigningError`` instead of
    carrying a signature or a request token to another host.
    """
    bound = None if origin is None else URL(origin).origin()

    async def middleware(request: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        if bound is not None and request.url.origin() != bound:
            raise SigningError(f"refusing to sign a request to {request.url.origin()}: this "
                               f"session is bound to {bound}")
        if isinstance(pipeline.auth, AsyncRefreshableAuth):
            await pipeline.auth.ready()
        out = await _prepare(pipeline, request)
        response = await handler(request)
        try:
            incoming = pipeline.response(out, response.status, response.headers,
                                         await response.read())
        except BaseException:
            response.release()
            raise
        if incoming.encrypted:
            _replace_body(response, incoming.body)
        _EXCHANGES[response] = Exchange(pipeline, out, incoming)
        return response

    return middleware


async def _prepare(pipeline: ClientPipeline, request: ClientRequest) -> OutgoingRequest:
    if request.compress:
        # aiohttp compresses while writing, after the middleware: the signed bytes would
        # not be the bytes sent (SPEC §2.4).
        raise PayloadError("compress= cannot be used: a signed body is sent as signed")
    body = request.body
    if isinstance(body, _SealedBody):
        plaintext = body.plaintext
    else:
        plaintext = await body.as_bytes() if body else b""
    chosen: dict[str, str] = {}
    content_type = request.headers.get("Content-Type")
    if content_type is not None and content_type not in _AUTOMATIC_CONTENT_TYPES:
        chosen["Content-Type"] = content_type
    accept = request.headers.get("Accept")
    if accept is not None:  # aiohttp's default "*/*" is no choice, and the pipeline knows it
        chosen["Accept"] = accept
    out = pipeline.request(request.method, str(request.url), body=plaintext, headers=chosen)
    # The query percent-encoded as it was signed (SPEC §2.5); only the query changes.
    request.url = URL(out.url, encoded=True)
    for name, value in out.headers.items():
        request.headers[name] = value
    await request.update_body(
        _SealedBody(out.body, plaintext, out.headers["Content-Type"]) if out.body else None)
    return out


def _replace_body(response: ClientResponse, plaintext: bytes) -> None:
    headers = CIMultiDict(response.headers)
    headers["Content-Length"] = str(len(plaintext))
    headers.popall("Content-Encoding", None)  # aiohttp already decoded the ciphertext
    response._headers = CIMultiDictProxy(headers)
    response._body = plaintext


def session_from_profile(profile: Profile, *, cafile: str | os.PathLike[str] | None = None,
                         **kwargs: Any) -> aiohttp.ClientSession:
    """An ``aiohttp.ClientSession`` for one profile; call it inside a running event loop.

    Base URL, timeout and the middleware (bound to the profile's origin) come from the
    profile, and mutual TLS with its client certificate when it has ``[mtls]``. ``cafile``
    replaces the system's trust store (a private CA). Other keyword arguments go to
    ``ClientSession``; ``middlewares`` given there run before this one, so that every
    attempt they make is signed afresh.

    Request paths are relative to the base URL: ``"send/v1/partners/..."``.
    """
    from xbsec.client.tls import client_ssl_context

    pipeline = ClientPipeline.from_profile(profile)
    ours = xbsec_middleware(pipeline, origin=profile.base_url)
    kwargs["middlewares"] = (*kwargs.get("middlewares", ()), ours)
    kwargs.setdefault("base_url", profile.base_url + "/")
    kwargs.setdefault("timeout", aiohttp.ClientTimeout(total=profile.timeout))
    if profile.mtls is not None or cafile is not None:
        if "connector" in kwargs:
            raise ConfigurationError(
                f"profile {profile.name!r}: give no connector when the profile has mtls or a "
                "cafile is given; or build one with ssl=xbsec.client.tls.client_ssl_context()")
        kwargs["connector"] = aiohttp.TCPConnector(
            ssl=client_ssl_context(profile.mtls, cafile=cafile))
    return aiohttp.ClientSession(**kwargs)
