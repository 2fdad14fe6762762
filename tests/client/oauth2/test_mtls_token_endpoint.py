"""On the PSD2 edges the token endpoint demands mutual TLS, as the API does: a token client
made from a profile presents the profile's [mtls] certificate (trustme CA, real TLS)."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.client.oauth2.conftest import CLIENT_ID, write_psd2_profile
from tests.client.oauth2.fake_server import FakeAuthorizationServer
from xbsec.client.oauth2.access_token import AccessTokenAuth, AsyncAccessTokenAuth
from xbsec.errors import TokenEndpointError
from xbsec.oauth2.token_set import TokenSet
from xbsec.profile import Profile, load_profile
from xbsec.stores.tokens import FileTokenStore

trustme = pytest.importorskip("trustme")

MTLS = """
[profiles.eu.mtls]
p12 = "{p12}"
password = "tls-secret"
"""


@pytest.fixture
def tls_server(signing_key: Any, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeAuthorizationServer, Path]]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no handshake
    leaf = ca.issue_cert("partner@example.com")
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), None)
    p12 = tmp_path / "tls-client.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"tls", key, load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes()),  # type: ignore[arg-type]
        None, serialization.BestAvailableEncryption(b"tls-secret")))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    # The client's default trust store is the system's; point it at the test CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    server = FakeAuthorizationServer(CLIENT_ID, signing_key.public_key()).start(context)
    yield server, p12
    server.stop()


def due_profile(server: FakeAuthorizationServer, folder: Path, keys: Path,
                p12: Path | None) -> Profile:
    path = write_psd2_profile(folder, server.url, keys)
    if p12 is not None:
        path.write_text(path.read_text() + MTLS.format(p12=p12))
    answer = server.issue()
    now = time.time()
    FileTokenStore(folder / "tokens" / "eu.json").save(TokenSet(
        access_token=answer["access_token"], refresh_token=answer["refresh_token"],
        expires_at=now + 10, obtained_at=now - 890, token_url=server.token_url,
        client_id=CLIENT_ID))
    return load_profile(path=path, environ={})


def test_the_refresh_presents_the_profiles_client_certificate(
        tls_server: tuple[FakeAuthorizationServer, Path], tmp_path: Path,
        key_files: Path) -> None:
    server, p12 = tls_server
    auth = AccessTokenAuth.from_profile(due_profile(server, tmp_path, key_files, p12))
    try:
        token = auth.access_token()
    finally:
        auth.close()
    assert token in server.access_tokens
    assert server.refreshes == 1


@pytest.mark.anyio
async def test_the_async_refresh_presents_it_too(
        tls_server: tuple[FakeAuthorizationServer, Path], tmp_path: Path,
        key_files: Path) -> None:
    server, p12 = tls_server
    auth = AsyncAccessTokenAuth.from_profile(due_profile(server, tmp_path, key_files, p12))
    try:
        assert await auth.access_token() in server.access_tokens
    finally:
        await auth.aclose()


def test_without_the_certificate_the_handshake_fails(
        tls_server: tuple[FakeAuthorizationServer, Path], tmp_path: Path,
        key_files: Path) -> None:
    server, _ = tls_server
    auth = AccessTokenAuth.from_profile(due_profile(server, tmp_path, key_files, None))
    try:
        with pytest.raises(TokenEndpointError, match="cannot be reached"):
            auth.access_token()
    finally:
        auth.close()
    assert server.refreshes == 0
