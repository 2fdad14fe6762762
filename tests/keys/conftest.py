"""Key material for the key tests, made once per session (RSA generation is slow)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = dt.datetime(2030, 6, 1, 12, 0, 0, tzinfo=dt.UTC)

MC_P12_PASSWORD = "Password1"
MC_P12_ALIAS = "mykeyalias"


def certificate_for(
    key: Any, *, common_name: str = "keys test", not_before: dt.datetime = NOW,
    not_after: dt.datetime = NOW + dt.timedelta(days=30),
) -> x509.Certificate:
    """A certificate built directly on cryptography, independent of xbsec's generator."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope="session")
def cert_2048(rsa_key_2048: Any) -> x509.Certificate:
    return certificate_for(rsa_key_2048, common_name="first")


@pytest.fixture(scope="session")
def other_cert_2048(other_rsa_key_2048: Any) -> x509.Certificate:
    return certificate_for(other_rsa_key_2048, common_name="second")


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def ec_cert(ec_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return certificate_for(ec_key, common_name="ec")


@pytest.fixture(scope="session")
def java_keystore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A keystore written by Java's keytool: two key entries and a trusted certificate."""
    keytool = shutil.which("keytool")
    if keytool is None:
        pytest.skip("keytool (Java) is not installed")
    path = tmp_path_factory.mktemp("java") / "multi.p12"
    common = ["-keystore", str(path), "-storetype", "PKCS12", "-storepass", "storepass",
              "-noprompt"]
    subprocess.run(
        [keytool, "-genkeypair", "-alias", "signing", "-keyalg", "RSA", "-keysize", "2048",
         "-dname", "CN=signing", "-validity", "30", "-keypass", "storepass", *common],
        check=True, capture_output=True,
    )
    subprocess.run(
        [keytool, "-genkeypair", "-alias", "encryption", "-keyalg", "EC", "-groupname",
         "secp256r1", "-dname", "CN=encryption", "-validity", "30", "-keypass", "storepass",
         *common],
        check=True, capture_output=True,
    )
    exported = path.with_suffix(".der")
    subprocess.run(
        [keytool, "-exportcert", "-alias", "encryption", "-file", str(exported), *common],
        check=True, capture_output=True,
    )
    subprocess.run(
        [keytool, "-importcert", "-alias", "partner", "-file", str(exported), *common],
        check=True, capture_output=True,
    )
    return path


def same_public_key(a: Any, b: Any) -> bool:
    """Whether two keys (private or public) share their public numbers."""
    pa = a.public_key() if hasattr(a, "private_bytes") else a
    pb = b.public_key() if hasattr(b, "private_bytes") else b
    return bool(pa.public_numbers() == pb.public_numbers())


@pytest.fixture(scope="session")
def cert_of_unknown_key_type(cert_2048: x509.Certificate) -> x509.Certificate:
    """A certificate whose key algorithm cryptography does not know (1.2.840.113549.1.1.99)."""
    from cryptography.hazmat.primitives import serialization

    der = cert_2048.public_bytes(serialization.Encoding.DER)
    rsa_encryption = bytes.fromhex("06092a864886f70d010101")
    unknown = bytes.fromhex("06092a864886f70d010163")
    return x509.load_der_x509_certificate(der.replace(rsa_encryption, unknown, 1))
