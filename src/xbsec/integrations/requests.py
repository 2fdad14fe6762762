"""requests integration: ``XBSAuth`` for any session, ``XBSSession`` for a whole profile.

::

    from xbsec.integrations.requests import XBSSession, exchange_of

    with XBSSession(load_profile("sandbox")) as session:
        response = session.post(f"/send/v1/partners/{partner}/crossborder/quotes",
                                data=dumps(document, "json"))
        quote = exchange_of(response).document()    # or response.json(); ApiError on 4xx/5xx

``XBSAuth`` runs the client pipeline on each prepared request: it takes the body requests
built (a ``str`` is encoded UTF-8), encrypts it when the pipeline has encryption, signs
exactly those bytes and puts them back as the body, so what is sent is what was signed.
Given a bare ``RequestAuth`` it only signs. A response hook decrypts an encrypted answer in
place; errors come back plaintext and stay so (SPEC §3.5).

A body given as a file or an iterator is read in full (the signature covers every byte)
and sent with its Content-Length. Through a pipeline, the response is read in full too
(``stream=True`` does not stream): it may have to be decrypted, and its ``Exchange`` keeps it.

Exceptions: protocol problems are xbsec errors (``PayloadError`` for a plaintext answer to
an encrypted request, ``DecryptionError``, ...); transport failures stay requests' own
(``requests.ConnectionError``, ``requests.Timeout``, ...), as users of requests expect.

Redirects: XBS does not redirect. requests would follow one with the signature made for the
first URL (or none, across hosts), which does not verify there; and a redirect answering an
encrypted request is refused like any plaintext answer to one.
"""

from __future__ import annotations

import os
import ssl
import weakref
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from requests.auth import AuthBase

from xbsec.client.auth import RequestAuth
from xbsec.client.exchange import Exchange
from xbsec.client.pipeline import ClientPipeline
from xbsec.errors import ConfigurationError, PayloadError
from xbsec.oauth1.base_string import canonical_query_url
from xbsec.profile import Profile

if TYPE_CHECKING:
    from requests.models import PreparedRequest

    from xbsec.client.pipeline import OutgoingRequest
    from xbsec.profile import MtlsConfig

__all__ = ["XBSAuth", "XBSSession", "exchange_of"]

# Framing headers describe the body requests built; the pipeline's body replaces it.
_FRAMING = frozenset({"content-length", "transfer-encoding"})

# What each response went through, held as weakly as an attribute would be: requests has no
# place on a Response for a library's own data.
_EXCHANGES: weakref.WeakKeyDictionary[requests.Response, Exchange] = (
    weakref.WeakKeyDictionary())


def exchange_of(response: requests.Response) -> Exchange:
    """The request as sent and the response as read, for a response ``XBSAuth`` handled."""
    try:
        return _EXCHANGES[response]
    except KeyError:
        raise ConfigurationError("this response was not received through an XBSAuth with "
                                 "a ClientPipeline") from None


class XBSAuth(AuthBase):
    """Encrypts (when configured) and signs each request; decrypts each response.

    Give a ``ClientPipeline`` for the whole pipeline, or a bare ``RequestAuth`` to sign
    only (no Content-Type or Accept added, no response handling).
    """

    def __init__(self, pipeline_or_auth: ClientPipeline | RequestAuth) -> None:
        if isinstance(pipeline_or_auth, ClientPipeline):
            self.pipeline: ClientPipeline | None = pipeline_or_auth
            self.auth: RequestAuth = pipeline_or_auth.auth
        elif isinstance(pipeline_or_auth, RequestAuth):
            self.pipeline = None
            self.auth = pipeline_or_auth
        else:
            raise ConfigurationError(f"XBSAuth takes a ClientPipeline or a RequestAuth, not "
                                     f"{type(pipeline_or_auth).__name__}")

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        if r.method is None or r.url is None:
            raise ConfigurationError("XBSAuth was given a request that is not prepared")
        body = _body_bytes(r.body)
        if self.pipeline is None:
            r.url = canonical_query_url(r.url)  # sent as signed (SPEC §2.5)
            r.headers["Authorization"] = self.auth.authorization(r.method, r.url, body)
            _replace_body(r, body)
            return r
        given = {name: value if isinstance(value, str) else value.decode("latin-1")
                 for name, value in r.headers.items() if name.lower() not in _FRAMING}
        out = self.pipeline.request(r.method, r.url, body=body, headers=given)
        r.url = out.url  # its query percent-encoded as signed (SPEC §2.5)
        r.headers.update(out.headers)
        _replace_body(r, out.body)
        r.register_hook("response", partial(self._received, self.pipeline, out))
        return r

    @staticmethod
    def _received(pipeline: ClientPipeline, out: OutgoingRequest,
                  response: requests.Response, **kwargs: Any) -> requests.Response:
        incoming = pipeline.response(out, response.status_code, response.headers,
                                     response.content)
        if incoming.encrypted:
            # requests has no public way to replace a body; _content is what .content,
            # .text and .json() read, and .content has just filled it.
            response._content = incoming.body
            response.headers["Content-Length"] = str(len(incoming.body))
            response.headers.pop("Content-Encoding", None)  # already undone by urllib3
        _EXCHANGES[response] = Exchange(pipeline, out, incoming)
        return response


class XBSSession(requests.Session):
    """A ``requests.Session`` that speaks XBS: auth, encryption, base URL, timeout, mTLS.

    From a ``Profile``: its pipeline, ``base_url``, ``timeout`` and ``[mtls]`` client
    certificate. From a ``ClientPipeline`` or a ``RequestAuth``: give ``base_url`` and
    ``mtls`` as needed. A URL starting with ``/`` is joined to ``base_url``.

    ``cafile`` (PEM) is the CA bundle that verifies the server (it sets ``verify``).

    mTLS: the client certificate is loaded from the PKCS#12 into an ``ssl.SSLContext``
    (``xbsec.client.tls``), which an adapter mounted for ``https://`` gives every
    connection; no key or PEM file stays on disk for requests to read later. requests
    cannot take a client certificate from memory any other way: its ``cert=`` wants files
    for the life of the session. That context trusts ``cafile`` (else the system's store)
    and urllib3 adds the bundle of ``session.verify`` when it connects, so trust is their
    union.
    """

    def __init__(self, source: Profile | ClientPipeline | RequestAuth, *,
                 base_url: str | None = None, mtls: MtlsConfig | None = None,
                 cafile: str | os.PathLike[str] | None = None,
                 timeout: float | None = None) -> None:
        super().__init__()
        if isinstance(source, Profile):
            self.auth = XBSAuth(ClientPipeline.from_profile(source))
            base_url = base_url or source.base_url
            mtls = mtls or source.mtls
            timeout = source.timeout if timeout is None else timeout
        else:
            self.auth = XBSAuth(source)
        self.base_url = (base_url or "").rstrip("/")
        self.timeout = timeout
        if cafile is not None:
            self.verify = os.fspath(cafile)
        if mtls is not None:
            from xbsec.client.tls import client_ssl_context

            context = client_ssl_context(mtls, cafile=cafile)
            # urllib3 matches host names itself when this is off; left on, a request with
            # verify=False could not be made on this context.
            context.check_hostname = False
            self.mount("https://", _ClientCertificateAdapter(context))

    def request(self, method: str, url: str | bytes, *args: Any,
                **kwargs: Any) -> requests.Response:
        if isinstance(url, str) and url.startswith("/") and self.base_url:
            url = self.base_url + url
        if self.timeout is not None:
            kwargs.setdefault("timeout", self.timeout)
        if self.verify is not True and kwargs.get("verify") is None:
            # requests lets $REQUESTS_CA_BUNDLE or $CURL_CA_BUNDLE replace a session's own
            # verify (cafile=) on every request; given with the request, it holds.
            kwargs["verify"] = self.verify
        return super().request(method, url, *args, **kwargs)


class _ClientCertificateAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections (direct or through a proxy) use one context."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context  # before super().__init__, which builds the pool manager
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int,
                         block: bool = DEFAULT_POOLBLOCK, **pool_kwargs: Any) -> None:
        pool_kwargs.setdefault("ssl_context", self._context)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs.setdefault("ssl_context", self._context)
        return super().proxy_manager_for(proxy, **proxy_kwargs)


def _body_bytes(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    # A file or an iterator: read in full, since the signature covers every byte.
    read = getattr(body, "read", None)
    parts = [read()] if callable(read) else body
    if not isinstance(parts, Iterable):
        raise PayloadError(f"a request body cannot be a {type(body).__name__}")
    chunks = []
    for part in parts:
        if not isinstance(part, str | bytes | bytearray):
            raise PayloadError(f"a request body cannot hold a {type(part).__name__}")
        chunks.append(part.encode("utf-8") if isinstance(part, str) else bytes(part))
    return b"".join(chunks)


def _replace_body(r: PreparedRequest, body: bytes) -> None:
    # Always the bytes that were signed: a str would go out Latin-1 encoded by http.client
    # with a Content-Length counting characters, and a stream is consumed by now. XBS lists
    # Content-Length among its request headers (SPEC §8.2), so no chunked framing.
    r.body = body or None
    r.headers.pop("Transfer-Encoding", None)
    if body:
        r.headers["Content-Length"] = str(len(body))
