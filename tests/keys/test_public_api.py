"""The public face of ``xbsec.keys``: every exported name resolves, and importing is cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import xbsec.keys

EXPECTED = {
    "DEFAULT_ALIAS", "DEFAULT_PASSWORD", "ENVIRONMENTS", "Environment", "KeyFile", "KeyInfo",
    "PrivateKey", "ProjectKeys", "PublicKey", "RSA_KEY_SIZES", "cert_sha256_hex",
    "certificate_pem", "check_key_matches_certificate", "csr_pem", "days_left",
    "generate_rsa_key", "inspect_key_file", "is_valid_at", "jwk_thumbprint",
    "key_matches_certificate", "load_certificate", "load_key_and_certificate",
    "load_keystore_aliases", "load_private_key", "load_public_key", "make_csr", "pkcs12_bytes",
    "private_key_pem", "public_key_of", "self_signed_certificate", "spki_sha256_hex", "validity",
    "write_certificate_pem", "write_csr_pem", "write_pkcs12", "write_private_key_pem",
    "x5t_s256", "certificate_authority", "issue_certificate", "load_csr",
}


def test_all_lists_exactly_the_public_names() -> None:
    assert set(xbsec.keys.__all__) == EXPECTED
    assert set(xbsec.keys._MODULE_OF) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(xbsec.keys, name) is not None
    assert name in dir(xbsec.keys)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'load_jks'"):
        xbsec.keys.load_jks  # noqa: B018


def test_importing_the_package_does_not_load_x509_or_pkcs12() -> None:
    code = (
        "import sys, xbsec.keys; "
        "print(any(m.startswith(('cryptography.x509', 'cryptography.hazmat.primitives."
        "serialization.pkcs12')) for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
