"""Requests built by hand, byte for byte, to reach every refusal over the wire."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from tests.e2e.sandbox_process import SandboxServer
from xbsec.documents import document_format
from xbsec.error_envelope import parse_errors
from xbsec.oauth1 import OAuth1Signer

JSON = {"Content-Type": "application/json"}


def v1(partner_id: str, rest: str = "") -> str:
    return f"/send/v1/partners/{partner_id}/crossborder{rest}"


def refusal(response: httpx.Response) -> tuple[int, str, str]:
    """``(status, ReasonCode, Source)`` of an error answer, read in its own format."""
    assert response.status_code >= 400, response.text
    (first, *_) = parse_errors(response.content,
                               document_format(response.headers["content-type"]))
    return response.status_code, first.reason_code, first.source


class Caller:
    """Sends requests to one server, signed with OAuth 1.0a unless told otherwise."""

    def __init__(self, server: SandboxServer, consumer_key: str, signing_key: Any, *,
                 http: httpx.Client | None = None, **signer_options: Any) -> None:
        self.server = server
        self.signer = OAuth1Signer(consumer_key, signing_key, **signer_options)
        self.http = http or httpx.Client(timeout=20)

    def prepare(self, method: str, path: str, body: bytes = b"",
                headers: Mapping[str, str] | None = None, *,
                signer: OAuth1Signer | None = None,
                sign_url: str | None = None) -> dict[str, str]:
        """The headers of a signed request (over ``sign_url`` if given, else the real URL)."""
        url = sign_url or self.server.url + path
        out = dict(headers or {})
        out["Authorization"] = (signer or self.signer).authorization_header(method, url, body)
        return out

    def send(self, method: str, path: str, body: bytes = b"",
             headers: Mapping[str, str] | None = None, *, signed: bool = True,
             **options: Any) -> httpx.Response:
        sent = self.prepare(method, path, body, headers, **options) if signed else dict(
            headers or {})
        return self.http.request(method, self.server.url + path, content=body, headers=sent)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Caller:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def raw(self, method: str, path: str, body: bytes,
            headers: Mapping[str, str]) -> httpx.Response:
        """Exactly these headers and bytes."""
        return self.http.request(method, self.server.url + path, content=body,
                                 headers=dict(headers))
