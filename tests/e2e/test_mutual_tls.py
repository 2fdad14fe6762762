"""Mutual TLS: ``xbsec sandbox serve --tls-cert --tls-key --client-ca`` with a test CA.

The project's consumer is marked ``mtls = true`` in the registry; its profile gets an
``[mtls]`` table naming a PKCS#12 client certificate the CA issued. Every client adapter
built from that profile is served; without the certificate the gateway refuses with 422
INVALID_CLIENT_CERT; a certificate from another CA is refused at the TLS layer; and a
consumer the registry does not mark ``mtls`` needs none (the handshake asks, optionally).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.e2e.documents import new_reference, payment_for, proposal_id, quote_for
from tests.e2e.raw_requests import JSON, Caller, v1
from tests.e2e.sandbox_process import Project, SandboxServer, Servers, TLSFiles, init_project
from xbsec.client.xbs import AsyncXBSClient, XBSClient
from xbsec.documents import dumps_json
from xbsec.errors import GatewayError, TransportError
from xbsec.integrations.httpx import client_from_profile
from xbsec.integrations.httpx import exchange_of as httpx_exchange
from xbsec.integrations.requests import XBSSession
from xbsec.integrations.requests import exchange_of as requests_exchange
from xbsec.keys import load_key_and_certificate, pkcs12_bytes
from xbsec.profile import MtlsConfig, Profile, load_profile

trustme = pytest.importorskip("trustme")

pytestmark = pytest.mark.slow

OPEN_KEY = "no-mtls-consumer!" + "4" * 32
OPEN_PARTNER = "OPEN_1000004"
TLS_PASSWORD = "tls-secret"


def _client_p12(ca: Any, path: Path, name: str) -> Path:
    """A client certificate from ``ca``, packed with its key in a PKCS#12 file."""
    issued = ca.issue_cert(name)
    key = serialization.load_pem_private_key(issued.private_key_pem.bytes(), None)
    certificate = x509.load_pem_x509_certificate(issued.cert_chain_pems[0].bytes())
    path.write_bytes(pkcs12_bytes(key, certificate, password=TLS_PASSWORD))  # type: ignore[arg-type]
    return path


def _thumbprint(p12: Path) -> str:
    """The SHA-256 thumbprint a registry binds the certificate in ``p12`` by."""
    _, certificate = load_key_and_certificate(p12, password=TLS_PASSWORD)
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class World:
    project: Project
    server: SandboxServer
    ca: Path
    profile_file: Path
    stranger_p12: Path
    neighbour_p12: Path

    def profile(self, **changes: Any) -> Profile:
        return dataclasses.replace(load_profile(path=self.profile_file, environ={}), **changes)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("mtls")
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    issued = ca.issue_cert("127.0.0.1")
    (folder / "server.pem").write_bytes(b"".join(p.bytes() for p in issued.cert_chain_pems))
    issued.private_key_pem.write_to_path(str(folder / "server-key.pem"))

    project = init_project(folder / "project")
    own = _client_p12(ca, project.folder / "tls-client.p12", "partner@example.com")
    project.set_mtls(_thumbprint(own))
    project.add_consumer(OPEN_KEY, OPEN_PARTNER)
    stranger = _client_p12(trustme.CA(), folder / "stranger.p12", "stranger@example.com")
    # Issued by the same CA to another partner: the handshake accepts it, the gateway not.
    neighbour = _client_p12(ca, folder / "neighbour.p12", "neighbour@example.com")

    servers = Servers(folder)
    try:
        server = servers.start(project, tls=TLSFiles(folder / "server.pem",
                                                     folder / "server-key.pem",
                                                     ca=folder / "ca.pem",
                                                     client_ca=folder / "ca.pem"))
        # The profile as a partner edits it: the HTTPS URL and an [mtls] table.
        profile_file = Path(project.made["profile"])
        text = re.sub(r'base_url = "[^"]*"', f'base_url = "{server.url}"',
                      profile_file.read_text())
        profile_file.write_text(text + f'\n[profiles.sandbox.mtls]\np12 = "tls-client.p12"\n'
                                       f'password = "{TLS_PASSWORD}"\n')
        yield World(project, server, folder / "ca.pem", profile_file, stranger, neighbour)
    finally:
        problems = servers.close()
    assert not problems, problems


def test_the_profile_names_the_client_certificate(world: World) -> None:
    mtls = world.profile().mtls
    assert mtls is not None
    assert mtls.p12 == world.project.folder / "tls-client.p12"
    assert world.profile().base_url.startswith("https://")


def test_xbs_client_with_the_certificate_is_served(world: World) -> None:
    reference = new_reference()
    with XBSClient.from_profile(path=str(world.profile_file), cafile=world.ca) as xbs:
        quote = xbs.create_quote(quote_for(reference))
        payment = xbs.create_payment(payment_for(reference, proposal_id(quote)))
        assert xbs.retrieve_payment_by_reference(reference) == payment


@pytest.mark.anyio
async def test_async_xbs_client_with_the_certificate_is_served(world: World) -> None:
    async with AsyncXBSClient(world.profile(), cafile=world.ca) as xbs:
        quote = await xbs.create_quote(quote_for(new_reference()))
    assert quote["proposals"]


def test_xbs_client_without_the_certificate_is_refused(world: World) -> None:
    with XBSClient(world.profile(mtls=None), cafile=world.ca) as xbs, \
            pytest.raises(GatewayError) as refused:
        xbs.create_quote(quote_for(new_reference()))
    assert (refused.value.status, refused.value.reason_code) == (422, "INVALID_CLIENT_CERT")
    assert refused.value.source == "Gateway"


def test_another_partners_certificate_from_the_same_ca_is_refused(world: World) -> None:
    # The CA vouches for it, so the handshake succeeds; the registry binds this consumer to
    # its own certificate only.
    neighbour = MtlsConfig(p12=world.neighbour_p12, password=TLS_PASSWORD)
    with XBSClient(world.profile(mtls=neighbour), cafile=world.ca) as xbs, \
            pytest.raises(GatewayError) as refused:
        xbs.create_quote(quote_for(new_reference()))
    assert (refused.value.status, refused.value.reason_code) == (422, "INVALID_CLIENT_CERT")
    assert "not one registered" in refused.value.description


def test_xbs_client_without_cafile_does_not_trust_the_test_ca(world: World) -> None:
    with XBSClient(world.profile()) as xbs, pytest.raises(TransportError) as failed:
        xbs.create_quote(quote_for(new_reference()))
    assert "CERTIFICATE_VERIFY_FAILED" in str(failed.value)
    assert isinstance(failed.value.__cause__, httpx.ConnectError)
    assert not failed.value.maybe_executed  # the handshake failed: nothing was sent


def test_requests_session_from_the_profile(world: World,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # A bundle in the environment (common in containers and CI) must not replace cafile=.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    path = v1(world.project.partner_id, "/quotes")
    with XBSSession(world.profile(), cafile=world.ca) as session:
        response = session.post(path, data=dumps_json(quote_for(new_reference())))
    assert response.status_code == 200
    assert requests_exchange(response).response.encrypted
    assert requests_exchange(response).document()["quote"]["proposals"]
    with XBSSession(world.profile(mtls=None), cafile=world.ca) as session:
        refused = session.post(path, data=dumps_json(quote_for(new_reference())))
    assert refused.status_code == 422
    assert refused.json()["Errors"]["Error"][0]["ReasonCode"] == "INVALID_CLIENT_CERT"


def test_httpx_client_from_the_profile(world: World) -> None:
    path = v1(world.project.partner_id, "/quotes")
    with client_from_profile(world.profile(), cafile=world.ca) as client:
        response = client.post(path, content=dumps_json(quote_for(new_reference())),
                               headers=JSON)
    assert response.status_code == 200
    assert httpx_exchange(response).document()["quote"]["proposals"]
    with client_from_profile(world.profile(mtls=None), cafile=world.ca) as client:
        refused = client.post(path, content=dumps_json(quote_for(new_reference())),
                              headers=JSON)
    assert refused.status_code == 422
    assert refused.json()["Errors"]["Error"][0]["ReasonCode"] == "INVALID_CLIENT_CERT"


def test_a_certificate_from_another_ca_fails_the_handshake(world: World) -> None:
    stranger = world.profile(mtls=MtlsConfig(world.stranger_p12, TLS_PASSWORD))
    with XBSClient(stranger, cafile=world.ca) as xbs, pytest.raises(TransportError):
        xbs.create_quote(quote_for(new_reference()))
    with XBSSession(stranger, cafile=world.ca) as session, \
            pytest.raises(requests.exceptions.ConnectionError):
        session.post(v1(world.project.partner_id, "/quotes"),
                     data=dumps_json(quote_for(new_reference())))


def test_a_consumer_without_mtls_needs_no_certificate(world: World) -> None:
    verify = ssl.create_default_context(cafile=world.ca)
    with Caller(world.server, OPEN_KEY, world.project.signing[0],
                http=httpx.Client(verify=verify, timeout=20)) as caller:
        response = caller.send("POST", v1(OPEN_PARTNER, "/quotes"),
                               dumps_json(quote_for(new_reference())), JSON)
        assert response.status_code == 200
        # The mTLS consumer over the same kind of connection: refused by the gateway.
        mtls_consumer = Caller(world.server, world.project.consumer_key,
                               world.project.signing[0], http=caller.http)
        refused = mtls_consumer.send("POST", v1(world.project.partner_id, "/quotes"),
                                     dumps_json(quote_for(new_reference())), JSON)
    assert refused.status_code == 422
    assert refused.json()["Errors"]["Error"][0]["Source"] == "Gateway"
