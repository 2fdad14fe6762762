"""Keystores written by xbsec are read by Mastercard's libraries, OpenSSL and Java."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.keys.conftest import same_public_key
from xbsec.keys import write_pkcs12

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def keystore(rsa_key_2048: Any, cert_2048: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("p12") / "signing.p12"
    write_pkcs12(path, rsa_key_2048, cert_2048)
    return path


def test_mastercard_oauth1_signer_loads_the_signing_key(keystore: Path, rsa_key_2048: Any) -> None:
    from oauth1.authenticationutils import load_signing_key

    assert same_public_key(load_signing_key(str(keystore), "keystorepassword"), rsa_key_2048)


def test_mastercard_client_encryption_loads_the_decryption_key(
    keystore: Path, rsa_key_2048: Any
) -> None:
    from client_encryption.encryption_utils import load_decryption_key

    key = load_decryption_key(str(keystore), "keystorepassword")
    assert key.n == rsa_key_2048.public_key().public_numbers().n


def test_openssl_reads_it_with_modern_algorithms(keystore: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    info = subprocess.run(
        [openssl, "pkcs12", "-in", str(keystore), "-info", "-noout", "-passin",
         "pass:keystorepassword"],
        capture_output=True, text=True, check=True,
    ).stderr
    assert "MAC: sha256" in info
    assert "PBES2, PBKDF2, AES-256-CBC" in info
    assert "RC2" not in info
    assert "3DES" not in info


def test_java_keytool_lists_one_private_key_entry_named_keyalias(keystore: Path) -> None:
    keytool = shutil.which("keytool")
    if keytool is None:
        pytest.skip("keytool (Java) is not installed")
    listing = subprocess.run(
        [keytool, "-list", "-keystore", str(keystore), "-storetype", "PKCS12", "-storepass",
         "keystorepassword"],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "Your keystore contains 1 entry" in listing
    assert "keyalias," in listing
    assert "PrivateKeyEntry" in listing
