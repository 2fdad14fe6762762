"""Key types and encryption schemes cryptography cannot read are named, not mistaken."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s

from xbsec.errors import KeyFileError, KeyMismatchError
from xbsec.keys import (
    check_key_matches_certificate,
    key_matches_certificate,
    load_key_and_certificate,
    load_public_key,
)


def test_certificate_of_unknown_key_type_matches_no_key(
    rsa_key_2048: Any, cert_of_unknown_key_type: Any
) -> None:
    assert not key_matches_certificate(rsa_key_2048, cert_of_unknown_key_type)
    with pytest.raises(KeyMismatchError, match="certificate SPKI SHA-256 of an unsupported key"):
        check_key_matches_certificate(rsa_key_2048, cert_of_unknown_key_type)


def test_public_key_of_unknown_type_cannot_be_read(cert_of_unknown_key_type: Any) -> None:
    with pytest.raises(KeyFileError, match="the certificate's public key cannot be read"):
        load_public_key(cert_of_unknown_key_type.public_bytes(s.Encoding.DER))


def test_pem_key_beside_a_certificate_of_unknown_type_is_a_mismatch(
    rsa_key_2048: Any, cert_of_unknown_key_type: Any
) -> None:
    pem = rsa_key_2048.private_bytes(
        s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()
    ) + cert_of_unknown_key_type.public_bytes(s.Encoding.PEM)
    with pytest.raises(KeyMismatchError):
        load_key_and_certificate(pem)


@pytest.mark.interop
def test_key_encrypted_with_camellia_is_not_called_a_wrong_password(
    rsa_key_2048: Any, tmp_path: Path
) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    plain = tmp_path / "plain.pem"
    plain.write_bytes(
        rsa_key_2048.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    )
    encrypted = tmp_path / "camellia.pem"
    subprocess.run(
        [openssl, "pkcs8", "-topk8", "-v2", "camellia256", "-in", str(plain), "-out",
         str(encrypted), "-passout", "pass:pw"],
        check=True, capture_output=True,
    )
    with pytest.raises(KeyFileError, match="encrypted with a scheme this installation cannot"):
        load_key_and_certificate(encrypted, password="pw")


def test_private_key_of_an_unknown_type_says_so() -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    der = ed25519.Ed25519PrivateKey.generate().private_bytes(
        s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption()
    )
    # Re-label the key with an algorithm nobody implements (1.3.101.99).
    unknown = der.replace(bytes.fromhex("06032b6570"), bytes.fromhex("06032b6563"))
    with pytest.raises(KeyFileError, match="uses an algorithm this installation cannot read"):
        load_key_and_certificate(unknown)


def test_project_refuses_a_certificate_whose_key_it_cannot_use(
    rsa_key_2048: Any, cert_of_unknown_key_type: Any
) -> None:
    from xbsec.errors import ConfigurationError
    from xbsec.keys import ProjectKeys

    with pytest.raises(ConfigurationError, match=r"^client_encryption_certificate: the cert"):
        ProjectKeys(environment="sandbox", consumer_key="ck", signing_key=rsa_key_2048,
                    client_encryption_certificate=cert_of_unknown_key_type)
