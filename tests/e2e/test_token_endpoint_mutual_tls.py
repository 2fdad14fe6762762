"""Mutual TLS at the token endpoint, over real TLS: ``xbsec sandbox serve --client-ca``.

The project's PSD2 consumer is marked ``mtls`` in the registry and bound to its client
certificate by SHA-256 thumbprint (RFC 8705 §2 style). The test CA issued that certificate
and another partner's. The authorization code is obtained in the browser's place (the
consent page needs no client certificate); then the token endpoint is asked for tokens
with no certificate, with the other partner's certificate from the same CA, and with the
bound one: only the last gets tokens. The code survives the refusals, since a client that
is not authenticated learns nothing about it.
"""

from __future__ import annotations

import re
import ssl
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509

from tests.e2e.sandbox_process import Project, SandboxServer, Servers, TLSFiles, init_project
from tests.sandbox.authorization_server.flow import (
    ASSERTION_TYPE,
    assertion,
    authorize_params,
    pkce_pair,
    query_of,
    read_consent,
)
from xbsec.keys import cert_sha256_hex

trustme = pytest.importorskip("trustme")

pytestmark = pytest.mark.slow

REDIRECT_URI = "http://127.0.0.1:8765/callback"


@dataclass(frozen=True)
class World:
    project: Project
    server: SandboxServer
    ca: Path
    bound: tuple[Path, Path]
    other: tuple[Path, Path]

    def client(self, certificate: tuple[Path, Path] | None) -> httpx.Client:
        context = ssl.create_default_context(cafile=self.ca)
        if certificate is not None:
            context.load_cert_chain(*certificate)
        return httpx.Client(base_url=self.server.url, verify=context, timeout=20)


def _issue(ca: Any, folder: Path, name: str) -> tuple[Path, Path]:
    issued = ca.issue_cert(name)
    certificate, key = folder / f"{name}.pem", folder / f"{name}-key.pem"
    issued.cert_chain_pems[0].write_to_path(str(certificate))
    issued.private_key_pem.write_to_path(str(key))
    return certificate, key


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("token-mtls")
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    served = ca.issue_cert("127.0.0.1")
    (folder / "server.pem").write_bytes(b"".join(p.bytes() for p in served.cert_chain_pems))
    served.private_key_pem.write_to_path(str(folder / "server-key.pem"))
    bound = _issue(ca, folder, "partner.example")
    other = _issue(ca, folder, "another-partner.example")

    project = init_project(folder / "project", auth="request-token")
    thumbprint = cert_sha256_hex(x509.load_pem_x509_certificate(bound[0].read_bytes()))
    text = project.registry.read_text()
    project.registry.write_text(text.replace(
        "\npsd2 = ", f'\nmtls = true\nclient_certificate_sha256 = ["{thumbprint}"]\npsd2 = ',
        1))
    servers = Servers(folder)
    try:
        server = servers.start(project, tls=TLSFiles(folder / "server.pem",
                                                     folder / "server-key.pem",
                                                     ca=folder / "ca.pem",
                                                     client_ca=folder / "ca.pem"))
        yield World(project, server, folder / "ca.pem", bound, other)
    finally:
        problems = servers.close()
    assert not problems, problems


def _code(world: World) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    with world.client(None) as browser:
        page = browser.get("/oauth2/authorize", params=authorize_params(
            world.project.consumer_key, challenge, redirect_uri=REDIRECT_URI))
        assert page.status_code == 200, page.text
        form = read_consent(page.text)
        answer = browser.post("/oauth2/authorize", data={**form.hidden, "decision": "approve"})
    assert answer.status_code == 302, answer.text
    return query_of(answer.headers["location"])["code"], verifier


def _token(world: World, certificate: tuple[Path, Path] | None, code: str,
           verifier: str) -> httpx.Response:
    key, _ = world.project.signing
    with world.client(certificate) as client:
        return client.post("/oauth2/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier, "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion(key, world.project.consumer_key, now=time.time(),
                                          aud=f"{world.server.url}/oauth2/token",
                                          jti=uuid.uuid4().hex)})


def _refused(answer: httpx.Response) -> str:
    assert answer.status_code in (400, 401), answer.text
    assert answer.json()["error"] == "invalid_client"
    return answer.json()["error_description"]  # type: ignore[no-any-return]


def test_no_certificate_is_invalid_client(world: World) -> None:
    code, verifier = _code(world)
    assert "certificate" in _refused(_token(world, None, code, verifier))
    # Client authentication failed before the code was looked at: it still works.
    assert _token(world, world.bound, code, verifier).status_code == 200


def test_another_partners_certificate_from_the_same_ca_is_invalid_client(world: World) -> None:
    code, verifier = _code(world)
    assert "not the one registered" in _refused(_token(world, world.other, code, verifier))
    assert _token(world, world.bound, code, verifier).status_code == 200


def test_the_bound_certificate_gets_tokens_that_read_the_balances(world: World) -> None:
    code, verifier = _code(world)
    answer = _token(world, world.bound, code, verifier)
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", tokens["access_token"])
    with world.client(world.bound) as client:
        balances = client.get(
            f"/send/partners/{world.project.partner_id}/crossborder/accounts",
            headers={"Authorization": f"Bearer {tokens['access_token']}",
                     "Accept": "application/json"})
    assert balances.status_code == 200, balances.text
