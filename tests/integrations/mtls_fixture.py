"""A loopback gateway that demands mutual TLS, and a partner's files to pass it (trustme CA).

The client certificate comes from an intermediate CA and the server trusts only the root,
so a client passes only if it sends the chain from its PKCS#12 file too.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.client.conftest import LOOPBACK_PROFILE
from tests.loopback import LoopbackXBS
from xbsec.keys import load_certificate, load_private_key
from xbsec.profile import load_profile

_MTLS = """
[profiles.loop.mtls]
p12 = "{p12}"
password = "tls-secret"
"""


@dataclass(frozen=True)
class MtlsWorld:
    server: LoopbackXBS
    ca_file: Path
    client_p12: Path
    key_dir: Path

    def profile(self, folder: Path, *, with_certificate: bool = True) -> Any:
        """A PSD2-edge profile (request token, encryption) on the TLS loopback."""
        text = LOOPBACK_PROFILE.format(edge="eu", url=self.server.url, auth="request-token",
                                       format="json", encryption="true", dir=self.key_dir)
        if with_certificate:
            text += _MTLS.format(p12=self.client_p12)
        path = folder / "xbsec.toml"
        path.write_text(text)
        return load_profile(path=path, environ={})


@contextmanager
def mtls_world(key_dir: Path, folder: Path) -> Iterator[MtlsWorld]:
    trustme = pytest.importorskip("trustme")
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED

    leaf = ca.create_child_ca().issue_cert("partner@example.com")
    key = serialization.load_pem_private_key(leaf.private_key_pem.bytes(), None)
    certificate, *chain = (x509.load_pem_x509_certificate(blob.bytes())
                           for blob in leaf.cert_chain_pems)
    (folder / "client.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"tls", key, certificate, chain,  # type: ignore[arg-type]
        serialization.BestAvailableEncryption(b"tls-secret")))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))

    server = LoopbackXBS(
        consumer_key="ck!123",
        signing_certificate=load_certificate(key_dir / "signing.p12",
                                             password="keystorepassword"),
        client_encryption_key=load_private_key(key_dir / "client-encryption-key.pem"),
        mastercard_encryption_certificate=load_certificate(
            key_dir / "mastercard-encryption.p12", password="mc-secret"),
    ).start(context)
    try:
        yield MtlsWorld(server, folder / "ca.pem", folder / "client.p12", key_dir)
    finally:
        server.stop()
