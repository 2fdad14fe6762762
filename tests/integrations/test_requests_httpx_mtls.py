"""requests and httpx (sync and async) over mutual TLS, against a loopback that demands it.

The gateway's CA issued the partner's certificate through an intermediate and trusts only
its root, so a client passes only if it presents the certificate and the chain from the
profile's PKCS#12 file.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import trustme
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.integrations.mtls_fixture import MtlsWorld, mtls_world
from tests.integrations.wire import QUOTE, quotes_path
from xbsec import ConfigurationError
from xbsec.integrations.httpx import async_client_from_profile, client_from_profile, exchange_of
from xbsec.integrations.requests import XBSSession
from xbsec.integrations.requests import exchange_of as requests_exchange_of
from xbsec.keys import pkcs12_bytes
from xbsec.profile import MtlsConfig

PATH = quotes_path("SANDBOX_1234567")


@pytest.fixture(scope="module")
def world(key_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MtlsWorld]:
    with mtls_world(key_dir, tmp_path_factory.mktemp("mtls")) as made:
        yield made


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> MtlsConfig:
    """A client certificate from a CA the gateway does not trust, in a PKCS#12 file."""
    leaf = trustme.CA().issue_cert("stranger@example.com")
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), None)
    certificate = x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes())
    path = tmp_path_factory.mktemp("stranger") / "client.p12"
    path.write_bytes(pkcs12_bytes(key, certificate, password="tls-secret"))  # type: ignore[arg-type]
    return MtlsConfig(path, "tls-secret")


def served(world: MtlsWorld, echo: dict[str, Any]) -> None:
    assert echo["received"] == QUOTE
    assert echo["auth"] == "request-token"
    assert world.server.seen[-1].tls_client_cert is True


# -- with the client certificate ---------------------------------------------------------


def test_requests_is_served(world: MtlsWorld, tmp_path: Path) -> None:
    with XBSSession(world.profile(tmp_path), cafile=world.ca_file) as session:
        response = session.post(PATH, json=QUOTE)
    served(world, requests_exchange_of(response).document()["echo"])
    assert requests_exchange_of(response).response.encrypted


def test_httpx_sync_is_served(world: MtlsWorld, tmp_path: Path) -> None:
    with client_from_profile(world.profile(tmp_path), cafile=world.ca_file) as client:
        response = client.post(PATH, json=QUOTE)
    served(world, exchange_of(response).document()["echo"])


@pytest.mark.anyio
async def test_httpx_async_is_served(world: MtlsWorld, tmp_path: Path) -> None:
    async with async_client_from_profile(world.profile(tmp_path), cafile=world.ca_file) as client:
        response = await client.post(PATH, json=QUOTE)
    served(world, exchange_of(response).document()["echo"])


def test_requests_without_server_verification_still_presents_it(world: MtlsWorld,
                                                                tmp_path: Path) -> None:
    # The context leaves host names to urllib3, so requests can still switch checks off
    # (per request: $REQUESTS_CA_BUNDLE overrides a session's verify=False).
    with XBSSession(world.profile(tmp_path)) as session, pytest.warns(
            urllib3.exceptions.InsecureRequestWarning):
        response = session.post(PATH, json=QUOTE, verify=False)
    served(world, response.json()["echo"])


# -- without it (or with one the gateway does not trust) ---------------------------------


def test_requests_is_refused(world: MtlsWorld, tmp_path: Path, stranger: MtlsConfig) -> None:
    before = len(world.server.seen)
    bare = world.profile(tmp_path, with_certificate=False)
    for mtls in (None, stranger):
        with XBSSession(bare, cafile=world.ca_file, mtls=mtls) as session, pytest.raises(
                requests.ConnectionError):
            session.post(PATH, json=QUOTE)
    assert len(world.server.seen) == before


def test_httpx_sync_is_refused(world: MtlsWorld, tmp_path: Path) -> None:
    before = len(world.server.seen)
    bare = world.profile(tmp_path, with_certificate=False)
    with client_from_profile(bare, cafile=world.ca_file) as client, pytest.raises(
            httpx.TransportError):
        client.post(PATH, json=QUOTE)
    assert len(world.server.seen) == before


@pytest.mark.anyio
async def test_httpx_async_is_refused(world: MtlsWorld, tmp_path: Path) -> None:
    before = len(world.server.seen)
    bare = world.profile(tmp_path, with_certificate=False)
    async with async_client_from_profile(bare, cafile=world.ca_file) as client:
        # Under TLS 1.3 the server's "certificate required" alert arrives after the
        # handshake, on the first read; httpx's async path then sometimes lets the raw
        # ssl.SSLError through instead of wrapping it. Either way: refused, nothing served.
        with pytest.raises((httpx.TransportError, ssl.SSLError)):
            await client.post(PATH, json=QUOTE)
    assert len(world.server.seen) == before


# -- the server is verified too ------------------------------------------------------------


def test_a_server_outside_the_trusted_cas_is_refused(world: MtlsWorld, tmp_path: Path) -> None:
    profile = world.profile(tmp_path)
    with XBSSession(profile) as session, pytest.raises(requests.exceptions.SSLError):
        session.get(PATH)
    with client_from_profile(profile) as client, pytest.raises(httpx.ConnectError):
        client.get(PATH)


def test_a_server_with_another_name_is_refused(world: MtlsWorld, tmp_path: Path) -> None:
    # The certificate names 127.0.0.1; urllib3 checks the name, since the context does not.
    elsewhere = world.server.url.replace("127.0.0.1", "localhost")
    with XBSSession(world.profile(tmp_path), cafile=world.ca_file,
                    base_url=elsewhere) as session, pytest.raises(
            requests.exceptions.SSLError, match="match"):
        session.get(PATH)


def test_a_transport_of_ones_own_cannot_take_the_profile_certificate(
        world: MtlsWorld, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"\[mtls\]"):
        client_from_profile(world.profile(tmp_path), transport=httpx.HTTPTransport())
