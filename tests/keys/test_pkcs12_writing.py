"""Keystores are written the way Mastercard delivers them, atomically and private."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.keys.conftest import same_public_key
from xbsec.errors import ConfigurationError, KeyFileError, KeyMismatchError
from xbsec.keys import (
    DEFAULT_ALIAS,
    DEFAULT_PASSWORD,
    load_certificate,
    load_private_key,
    make_csr,
    pkcs12_bytes,
    write_certificate_pem,
    write_csr_pem,
    write_pkcs12,
    write_private_key_pem,
)


def test_defaults_are_mastercards_sandbox_alias_and_password() -> None:
    # SPEC §2.2: alias keyalias, password keystorepassword.
    assert (DEFAULT_ALIAS, DEFAULT_PASSWORD) == ("keyalias", "keystorepassword")


def test_keystore_holds_one_key_entry_under_the_alias(rsa_key_2048: Any, cert_2048: Any) -> None:
    loaded = pkcs12.load_pkcs12(pkcs12_bytes(rsa_key_2048, cert_2048), b"keystorepassword")
    assert loaded.cert is not None
    assert loaded.cert.friendly_name == b"keyalias"
    assert loaded.cert.certificate == cert_2048
    assert same_public_key(loaded.key, rsa_key_2048)
    assert loaded.additional_certs == []


def test_alias_and_password_can_be_chosen(rsa_key_2048: Any, cert_2048: Any) -> None:
    data = pkcs12_bytes(rsa_key_2048, cert_2048, alias="signing-2026", password="pässwort")
    loaded = pkcs12.load_pkcs12(data, "pässwort".encode())
    assert loaded.cert is not None
    assert loaded.cert.friendly_name == b"signing-2026"


def test_key_and_foreign_certificate_are_refused(rsa_key_2048: Any, other_cert_2048: Any) -> None:
    with pytest.raises(KeyMismatchError):
        pkcs12_bytes(rsa_key_2048, other_cert_2048)


@pytest.mark.parametrize(("alias", "password", "field"), [
    ("", "pw", "alias"), ("a", "", "password"),
])
def test_empty_alias_or_password_is_refused(
    rsa_key_2048: Any, cert_2048: Any, alias: str, password: str, field: str
) -> None:
    with pytest.raises(ConfigurationError, match=f"the {field} must not be empty"):
        pkcs12_bytes(rsa_key_2048, cert_2048, alias=alias, password=password)


def test_written_keystore_is_private_and_loads(
    rsa_key_2048: Any, cert_2048: Any, tmp_path: Path
) -> None:
    path = tmp_path / "signing.p12"
    write_pkcs12(path, rsa_key_2048, cert_2048)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = load_private_key(path, password="keystorepassword", alias="keyalias")
    assert same_public_key(key, rsa_key_2048)
    assert os.listdir(tmp_path) == ["signing.p12"]


def test_writing_replaces_an_existing_file(
    rsa_key_2048: Any, cert_2048: Any, tmp_path: Path
) -> None:
    path = tmp_path / "signing.p12"
    path.write_bytes(b"old")
    path.chmod(0o644)
    write_pkcs12(path, rsa_key_2048, cert_2048, password="new-password")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert same_public_key(load_private_key(path, password="new-password"), rsa_key_2048)


def test_public_files_are_world_readable(
    rsa_key_2048: Any, cert_2048: Any, tmp_path: Path
) -> None:
    cert_path = tmp_path / "cert.pem"
    csr_path = tmp_path / "renew.csr"
    write_certificate_pem(cert_path, cert_2048)
    write_csr_pem(csr_path, make_csr(rsa_key_2048, common_name="renew"))
    assert stat.S_IMODE(cert_path.stat().st_mode) == 0o644
    assert stat.S_IMODE(csr_path.stat().st_mode) == 0o644
    assert load_certificate(cert_path) == cert_2048
    assert csr_path.read_bytes().startswith(b"-----BEGIN CERTIFICATE REQUEST-----")


def test_private_key_pem_file_is_private(rsa_key_2048: Any, tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    write_private_key_pem(path, rsa_key_2048, password="pw")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert same_public_key(load_private_key(path, password="pw"), rsa_key_2048)


def test_missing_directory_is_a_file_error_naming_the_path(
    cert_2048: Any, tmp_path: Path
) -> None:
    path = tmp_path / "absent" / "cert.pem"
    with pytest.raises(KeyFileError, match="cannot be written") as caught:
        write_certificate_pem(path, cert_2048)
    assert caught.value.source == str(path)


def test_failed_rename_leaves_no_temporary_file(
    cert_2048: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyFileError, match=r"cannot be written \(No space left on device\)"):
        write_certificate_pem(tmp_path / "cert.pem", cert_2048)
    assert os.listdir(tmp_path) == []
