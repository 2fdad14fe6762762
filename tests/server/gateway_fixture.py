"""Keys, a registry and an echo application behind an XBSGateway, for the gateway tests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest

from xbsec.keys import generate_rsa_key, self_signed_certificate, spki_sha256_hex
from xbsec.server.registry import Consumer, Registry

PARTNER = "SANDBOX_1"


@dataclass
class Party:
    consumer_key: str
    signing_key: Any
    signing_certificate: Any


@dataclass
class World:
    plain: Party          # OAuth 1.0a, encryption optional, partner SANDBOX_1
    psd2: Party           # request tokens, partner PSD2_1
    strict: Party         # OAuth 1.0a, encryption required, partner STRICT_1
    mtls: Party           # OAuth 1.0a, mutual TLS required, partner MTLS_1
    noenc: Party          # OAuth 1.0a, encryption off, partner NOENC_1
    client_encryption_key: Any        # the gateway's private half
    client_encryption_certificate: Any
    mastercard_encryption_key: Any    # the partner's private half
    mastercard_encryption_certificate: Any
    registry: Registry
    tls_client_certificate: Any = None   # the one the mtls consumer is bound to
    other_tls_certificate: Any = None    # from the same CA, bound to nobody


def _party(name: str) -> Party:
    key = generate_rsa_key()
    return Party(name + "!" + "0" * 8, key, self_signed_certificate(key, common_name=name))


@pytest.fixture(scope="session")
def world() -> World:
    client_key = generate_rsa_key()
    client_cert = self_signed_certificate(client_key, common_name="client encryption")
    mc_key = generate_rsa_key()
    mc_cert = self_signed_certificate(mc_key, common_name="mastercard encryption")
    parties = {name: _party(name) for name in ("plain", "psd2", "strict", "mtls", "noenc")}
    tls_certificate = self_signed_certificate(generate_rsa_key(), common_name="mtls client")
    other_tls = self_signed_certificate(generate_rsa_key(), common_name="another client")
    encryption = {"client_encryption_keys": {spki_sha256_hex(client_key): client_key},
                  "mastercard_encryption_certificate": mc_cert}
    consumers = [
        Consumer(consumer_key=parties["plain"].consumer_key, environment="sandbox",
                 partner_ids=frozenset({PARTNER}),
                 signing_certificates=(parties["plain"].signing_certificate,), **encryption),
        Consumer(consumer_key=parties["psd2"].consumer_key, environment="sandbox",
                 partner_ids=frozenset({"PSD2_1"}), psd2=True,
                 signing_certificates=(parties["psd2"].signing_certificate,), **encryption),
        Consumer(consumer_key=parties["strict"].consumer_key, environment="sandbox",
                 partner_ids=frozenset({"STRICT_1"}), encryption="required",
                 signing_certificates=(parties["strict"].signing_certificate,), **encryption),
        Consumer(consumer_key=parties["mtls"].consumer_key, environment="sandbox",
                 partner_ids=frozenset({"MTLS_1"}), mtls=True,
                 client_certificate_sha256=frozenset({certificate_sha256(tls_certificate)}),
                 signing_certificates=(parties["mtls"].signing_certificate,), **encryption),
        Consumer(consumer_key=parties["noenc"].consumer_key, environment="production",
                 partner_ids=frozenset({"NOENC_1"}), encryption="off",
                 signing_certificates=(parties["noenc"].signing_certificate,)),
    ]
    return World(**parties, client_encryption_key=client_key,
                 client_encryption_certificate=client_cert, mastercard_encryption_key=mc_key,
                 mastercard_encryption_certificate=mc_cert, registry=Registry(consumers),
                 tls_client_certificate=tls_certificate, other_tls_certificate=other_tls)


def certificate_sha256(certificate: Any) -> str:
    """The thumbprint a registry binds a TLS client certificate by."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def certificate_pem(certificate: Any) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.PEM).decode("ascii")


async def echo_app(scope: Any, receive: Any, send: Any) -> None:
    """Answers what it was given: the caller, the plaintext body, in JSON."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["path"].endswith("/boom"):
        raise RuntimeError("secret internals")
    if scope["path"].endswith("/missing"):
        answer = b'{"Errors":{"Error":{"Source":"Endpoint","ReasonCode":"RESOURCE_UNKNOWN"}}}'
        status = 404
    else:
        answer = json.dumps({"echo": {"xbsec": scope.get("xbsec"), "body": body.decode(
            "utf-8", "replace"), "path": scope["path"]}}).encode()
        status = 200
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(answer)).encode())]})
    await send({"type": "http.response.body", "body": answer})


class ASGIClient:
    """A small synchronous client for an ASGI app, in process (httpx's ASGITransport)."""

    def __init__(self, app: Any, base_url: str = "http://testserver") -> None:
        self.app = app
        self.base_url = base_url

    def __enter__(self) -> ASGIClient:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        import asyncio

        import httpx

        async def run() -> Any:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=self.base_url) as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(run())

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.request("POST", url, **kwargs)
