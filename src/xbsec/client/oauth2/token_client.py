"""The token endpoint over httpx: ``TokenClient`` (sync) and ``AsyncTokenClient`` (asyncio).

Both only move bytes: the request comes from ``TokenEndpoint`` and the answer goes back to
it (``token_endpoint.py``). A transport failure (no connection, a timeout) is a
``TokenEndpointError`` with ``status`` ``None``: the callers, ``AccessTokenAuth`` inside a
requests or aiohttp session among them, see one error tree whatever the HTTP library.
Redirects are not followed: a token endpoint answers, it does not redirect, and following
one would post the client assertion and the refresh token somewhere else.

An ``http`` client passed in (to share its mTLS context, proxy and pool with the XBS
calls) is yours to close; one made here (with ``timeout`` and ``verify``: an
``ssl.SSLContext`` carrying the mTLS client certificate of the PSD2 edges) is closed by
``close()``/``aclose()``.
"""

from __future__ import annotations

import ssl
from typing import Final

import httpx

from xbsec.errors import TokenEndpointError
from xbsec.oauth2.token_endpoint import TokenEndpoint, TokenRequest
from xbsec.oauth2.token_set import TokenSet

__all__ = ["AsyncTokenClient", "TokenClient"]

_MAX_ANSWER: Final = 256 * 1024
_DEFAULT_TIMEOUT: Final = 30.0


def _unreachable(request: TokenRequest, exc: Exception) -> TokenEndpointError:
    detail = f"{type(exc).__name__}: {exc}"[:200]
    return TokenEndpointError(f"the token endpoint at {request.url} cannot be reached: "
                              f"{detail}")


def _too_long(request: TokenRequest, status: int) -> TokenEndpointError:
    return TokenEndpointError(f"the token endpoint at {request.url} answered more than "
                              f"{_MAX_ANSWER} bytes", status=status)


class TokenClient:
    """Exchanges codes and refreshes tokens, synchronously."""

    def __init__(self, endpoint: TokenEndpoint, *, http: httpx.Client | None = None,
                 timeout: float = _DEFAULT_TIMEOUT,
                 verify: ssl.SSLContext | bool = True) -> None:
        self.endpoint = endpoint
        self._owns_http = http is None
        self.http = http if http is not None else httpx.Client(timeout=timeout, verify=verify)

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> TokenSet:
        """The tokens for an authorization code (RFC 6749 §4.1.3)."""
        request = self.endpoint.authorization_code_request(
            code, redirect_uri=redirect_uri, code_verifier=code_verifier)
        return self._send(request, None)

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """New tokens for the refresh token of ``tokens`` (RFC 6749 §6)."""
        if not tokens.refresh_token:
            raise self.endpoint.login_required("no refresh token is stored")
        return self._send(self.endpoint.refresh_request(tokens.refresh_token), tokens)

    def _send(self, request: TokenRequest, previous: TokenSet | None) -> TokenSet:
        try:
            with self.http.stream("POST", request.url, content=request.body,
                                  headers=request.headers, follow_redirects=False) as answer:
                body = bytearray()
                for chunk in answer.iter_bytes():
                    body += chunk
                    if len(body) > _MAX_ANSWER:
                        raise _too_long(request, answer.status_code)
        except httpx.HTTPError as exc:
            raise _unreachable(request, exc) from None
        return self.endpoint.read_response(request, answer.status_code,
                                           answer.headers.get("Content-Type"), bytes(body),
                                           previous=previous)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()


class AsyncTokenClient:
    """``TokenClient`` for asyncio, on ``httpx.AsyncClient``: never blocks the event loop."""

    def __init__(self, endpoint: TokenEndpoint, *, http: httpx.AsyncClient | None = None,
                 timeout: float = _DEFAULT_TIMEOUT,
                 verify: ssl.SSLContext | bool = True) -> None:
        self.endpoint = endpoint
        self._owns_http = http is None
        self.http = (http if http is not None
                     else httpx.AsyncClient(timeout=timeout, verify=verify))

    async def exchange_code(self, code: str, *, redirect_uri: str,
                            code_verifier: str) -> TokenSet:
        request = self.endpoint.authorization_code_request(
            code, redirect_uri=redirect_uri, code_verifier=code_verifier)
        return await self._send(request, None)

    async def refresh(self, tokens: TokenSet) -> TokenSet:
        if not tokens.refresh_token:
            raise self.endpoint.login_required("no refresh token is stored")
        return await self._send(self.endpoint.refresh_request(tokens.refresh_token), tokens)

    async def _send(self, request: TokenRequest, previous: TokenSet | None) -> TokenSet:
        try:
            async with self.http.stream("POST", request.url, content=request.body,
                                        headers=request.headers,
                                        follow_redirects=False) as answer:
                body = bytearray()
                async for chunk in answer.aiter_bytes():
                    body += chunk
                    if len(body) > _MAX_ANSWER:
                        raise _too_long(request, answer.status_code)
        except httpx.HTTPError as exc:
            raise _unreachable(request, exc) from None
        return self.endpoint.read_response(request, answer.status_code,
                                           answer.headers.get("Content-Type"), bytes(body),
                                           previous=previous)

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()
