"""aiohttp sessions from profiles over mutual TLS, against a loopback gateway that demands it."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

aiohttp = pytest.importorskip("aiohttp")
trustme = pytest.importorskip("trustme")

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: E402

from tests.client.conftest import LOOPBACK_PROFILE  # noqa: E402
from tests.loopback import LoopbackXBS  # noqa: E402
from xbsec.integrations.aiohttp import read_document, session_from_profile  # noqa: E402
from xbsec.keys import load_certificate, load_private_key  # noqa: E402
from xbsec.profile import load_profile  # noqa: E402

pytestmark = pytest.mark.anyio

QUOTE = {"quoterequest": {"transaction_reference": "0999999034810154901"}}
MTLS = """
[profiles.loop.mtls]
p12 = "{p12}"
password = "tls-secret"
"""


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_loopback(ca: Any, key_dir: Path) -> Iterator[LoopbackXBS]:
    """The loopback gateway over TLS, requiring a client certificate issued under ``ca``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    server = LoopbackXBS(
        consumer_key="ck!123",
        signing_certificate=load_certificate(key_dir / "signing.p12",
                                             password="keystorepassword"),
        client_encryption_key=load_private_key(key_dir / "client-encryption-key.pem"),
        mastercard_encryption_certificate=load_certificate(
            key_dir / "mastercard-encryption.p12", password="mc-secret"),
    ).start(context)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def files(ca: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The CA in PEM, and a client PKCS#12 whose certificate comes from an intermediate CA."""
    folder = tmp_path_factory.mktemp("mtls")
    intermediate = ca.create_child_ca()
    leaf = intermediate.issue_cert("partner@example.com")
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), None)
    leaf_cert, *chain = (x509.load_pem_x509_certificate(blob.bytes())
                         for blob in leaf.cert_chain_pems)
    (folder / "client.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"tls", key, leaf_cert, chain,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"tls-secret")))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    return {"p12": folder / "client.p12", "ca": folder / "ca.pem"}


def profile(key_dir: Path, url: str, tmp_path: Path, p12: Path | None) -> Any:
    text = LOOPBACK_PROFILE.format(edge="eu", url=url, auth="request-token", format="json",
                                   encryption="true", dir=key_dir)
    if p12 is not None:
        text += MTLS.format(p12=p12)
    path = tmp_path / "xbsec.toml"
    path.write_text(text)
    return load_profile(path=path, environ={})


async def test_with_the_client_certificate_the_call_is_served(
        key_dir: Path, tls_loopback: LoopbackXBS, files: dict[str, Path],
        tmp_path: Path) -> None:
    partner = profile(key_dir, tls_loopback.url, tmp_path, files["p12"])
    async with (session_from_profile(partner, cafile=files["ca"]) as session,
                session.post("send/v1/partners/P/crossborder/quotes", json=QUOTE) as response):
        answer = await read_document(response)
    assert answer["echo"]["received"] == QUOTE
    assert answer["echo"]["auth"] == "request-token"
    assert tls_loopback.seen[-1].tls_client_cert is True


async def test_without_the_client_certificate_the_server_refuses(
        key_dir: Path, tls_loopback: LoopbackXBS, files: dict[str, Path],
        tmp_path: Path) -> None:
    before = len(tls_loopback.seen)
    partner = profile(key_dir, tls_loopback.url, tmp_path, None)
    async with session_from_profile(partner, cafile=files["ca"]) as session:
        with pytest.raises(aiohttp.ClientError):
            await session.post("send/v1/partners/P/crossborder/quotes", json=QUOTE)
    assert len(tls_loopback.seen) == before


async def test_the_server_is_verified(key_dir: Path, tls_loopback: LoopbackXBS,
                                      files: dict[str, Path], tmp_path: Path) -> None:
    partner = profile(key_dir, tls_loopback.url, tmp_path, files["p12"])
    async with session_from_profile(partner) as session:  # system trust: not our test CA
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await session.get("send/v1/partners/P/crossborder?ref=1")


async def test_a_connector_cannot_be_combined_with_mtls(
        key_dir: Path, tls_loopback: LoopbackXBS, files: dict[str, Path],
        tmp_path: Path) -> None:
    from xbsec import ConfigurationError

    partner = profile(key_dir, tls_loopback.url, tmp_path, files["p12"])
    connector = aiohttp.TCPConnector()
    try:
        with pytest.raises(ConfigurationError, match="connector"):
            session_from_profile(partner, connector=connector)
    finally:
        await connector.close()
