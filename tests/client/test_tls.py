"""The TLS client context: trust, and the mutual-TLS client certificate from a PKCS#12 file."""

from __future__ import annotations

import os
import ssl
import stat
import tempfile
from pathlib import Path
from typing import Any

import pytest

from xbsec import ConfigurationError, KeyPasswordError
from xbsec.client.tls import client_ssl_context
from xbsec.keys import generate_rsa_key, self_signed_certificate, write_pkcs12
from xbsec.profile import MtlsConfig


@pytest.fixture(scope="module")
def client_p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = generate_rsa_key()
    path = tmp_path_factory.mktemp("tls") / "client.p12"
    write_pkcs12(path, key, self_signed_certificate(key), password="tls-secret")
    return path


def test_without_mtls_it_verifies_servers() -> None:
    context = client_ssl_context()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname


def test_the_client_certificate_is_loaded_and_its_files_removed(
        client_p12: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[Path, int, dict[str, int]]] = []
    real_mkdtemp = tempfile.mkdtemp
    real_load = ssl.SSLContext.load_cert_chain

    def mkdtemp(*args: Any, **kwargs: Any) -> str:
        folder = real_mkdtemp(*args, **kwargs)
        made.append((Path(folder), stat.S_IMODE(os.stat(folder).st_mode), {}))
        return folder

    def load_cert_chain(self: ssl.SSLContext, certfile: Any, keyfile: Any = None,
                        password: Any = None) -> None:
        for path in (Path(certfile), Path(keyfile)):
            made[-1][2][path.name] = stat.S_IMODE(path.stat().st_mode)
        assert b"ENCRYPTED PRIVATE KEY" in Path(keyfile).read_bytes()  # never in clear
        real_load(self, certfile, keyfile, password)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", load_cert_chain)
    client_ssl_context(MtlsConfig(client_p12, "tls-secret"))
    [(folder, mode, files)] = made
    assert mode == 0o700
    assert files == {"key.pem": 0o600, "chain.pem": 0o600}
    assert not folder.exists()


def test_a_wrong_password_names_the_problem(client_p12: Path) -> None:
    with pytest.raises(KeyPasswordError) as info:
        client_ssl_context(MtlsConfig(client_p12, "not-the-s3cret"))
    assert "s3cret" not in str(info.value)


def test_a_file_that_is_not_a_keystore_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "client.p12"
    path.write_bytes(b"not a keystore")
    with pytest.raises(ConfigurationError, match=r"client\.p12"):
        client_ssl_context(MtlsConfig(path, "x"))
