"""Mutual TLS at the token endpoint, at the ASGI level: the certificate the TLS extension
reports must be the one the registry binds to an ``mtls`` consumer (RFC 8705 §2 style).

Over real TLS the same is checked end to end in ``tests/e2e/test_token_endpoint_mutual_tls``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from tests.sandbox.authorization_server.token_flow import (
    assert_oauth_error,
    code_and_verifier,
    exchange,
)
from xbsec.keys import cert_sha256_hex, generate_rsa_key, self_signed_certificate
from xbsec.sandbox.authorization_server import AuthorizationServer
from xbsec.server.registry import Registry

pytestmark = pytest.mark.anyio

BOUND = self_signed_certificate(generate_rsa_key(), common_name="partner.example")
OTHER = self_signed_certificate(generate_rsa_key(), common_name="another.example")


class PresentsCertificate:
    """Puts the ASGI TLS extension in front of an app, as uvicorn_tls does for a handshake."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.chain: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        scope.setdefault("extensions", {})["tls"] = {"client_cert_chain": list(self.chain)}
        await self.app(scope, receive, send)

    def present(self, certificate: Any) -> None:
        self.chain = [] if certificate is None else [
            certificate.public_bytes(Encoding.PEM).decode("ascii")]


def _with(keys: Any, **binding: Any) -> Registry:
    return Registry([dataclasses.replace(c, mtls=True, **binding)
                     if c.consumer_key == keys.psd2.consumer_key else c for c in keys.registry])


@pytest.fixture
def tls(server: AuthorizationServer) -> PresentsCertificate:
    return PresentsCertificate(server)


@pytest.fixture
async def mtls_http(tls: PresentsCertificate) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=tls),
                                 base_url="http://testserver") as client:
        yield client


@pytest.mark.parametrize(("presented", "binding", "message"), [
    (None, {"client_certificate_sha256": frozenset({cert_sha256_hex(BOUND)})},
     "must present its client certificate"),
    (OTHER, {"client_certificate_sha256": frozenset({cert_sha256_hex(BOUND)})},
     "not the one registered"),
    (OTHER, {"client_certificate_subject": BOUND.subject.rfc4514_string()},
     "not the one registered"),
])
async def test_an_mtls_client_without_its_bound_certificate_is_refused(
        mtls_http, tls, server, keys, clock, presented, binding, message) -> None:
    server.registry = _with(keys, **binding)
    code, verifier = await code_and_verifier(mtls_http, keys.psd2)
    tls.present(presented)
    answer = await exchange(mtls_http, keys.psd2, clock.now, code, verifier)
    assert message in assert_oauth_error(answer, "invalid_client")
    tls.present(BOUND if binding else None)
    if binding:  # the code was not touched by the refusal
        assert (await exchange(mtls_http, keys.psd2, clock.now, code,
                               verifier)).status_code == 200


@pytest.mark.parametrize("binding", [
    {"client_certificate_sha256": frozenset({cert_sha256_hex(BOUND), cert_sha256_hex(OTHER)})},
    {"client_certificate_subject": BOUND.subject.rfc4514_string()},
])
async def test_the_bound_certificate_gets_tokens(mtls_http, tls, server, keys, clock,
                                                 binding) -> None:
    server.registry = _with(keys, **binding)
    code, verifier = await code_and_verifier(mtls_http, keys.psd2)
    tls.present(BOUND)
    answer = await exchange(mtls_http, keys.psd2, clock.now, code, verifier)
    assert answer.status_code == 200, answer.text


async def test_a_client_not_marked_mtls_needs_no_certificate(mtls_http, tls, keys,
                                                             clock) -> None:
    code, verifier = await code_and_verifier(mtls_http, keys.psd2)
    tls.present(OTHER)  # presented but not asked for: ignored
    assert (await exchange(mtls_http, keys.psd2, clock.now, code, verifier)).status_code == 200


async def test_a_refused_certificate_does_not_burn_the_assertion(mtls_http, tls, server,
                                                                 keys, clock) -> None:
    from tests.sandbox.authorization_server.flow import ASSERTION_TYPE, REDIRECT_URI

    server.registry = _with(keys, client_certificate_sha256=frozenset({cert_sha256_hex(BOUND)}))
    code, verifier = await code_and_verifier(mtls_http, keys.psd2)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier, "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": keys.psd2.assertion(clock.now)}
    tls.present(OTHER)
    assert (await mtls_http.post("/oauth2/token", data=form)).status_code == 400
    tls.present(BOUND)
    assert (await mtls_http.post("/oauth2/token", data=form)).status_code == 200


def test_an_mtls_consumer_without_a_binding_is_a_configuration_error(keys) -> None:
    # mtls alone would let any certificate of the client CA stand for the consumer.
    from xbsec.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="client_certificate_sha256"):
        _with(keys)
