"""Every private key format Mastercard hands out loads to the same key (SPEC §7.1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.keys.conftest import same_public_key
from xbsec.keys import load_key_and_certificate, load_private_key

PASSWORD = b"keystorepassword"


def _encoded(key: Any, encoding: s.Encoding, fmt: s.PrivateFormat, encrypted: bool) -> bytes:
    encryption = s.BestAvailableEncryption(PASSWORD) if encrypted else s.NoEncryption()
    return key.private_bytes(encoding, fmt, encryption)  # type: ignore[no-any-return]


RSA_FORMATS = [
    pytest.param(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, False, id="pem-pkcs1"),
    pytest.param(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, True,
                 id="pem-pkcs1-openssl-encrypted"),
    pytest.param(s.Encoding.PEM, s.PrivateFormat.PKCS8, False, id="pem-pkcs8"),
    pytest.param(s.Encoding.PEM, s.PrivateFormat.PKCS8, True, id="pem-pkcs8-encrypted"),
    pytest.param(s.Encoding.DER, s.PrivateFormat.TraditionalOpenSSL, False, id="der-pkcs1"),
    pytest.param(s.Encoding.DER, s.PrivateFormat.PKCS8, False, id="der-pkcs8"),
    pytest.param(s.Encoding.DER, s.PrivateFormat.PKCS8, True, id="der-pkcs8-encrypted"),
]


@pytest.mark.parametrize(("encoding", "fmt", "encrypted"), RSA_FORMATS)
def test_rsa_key_loads_from_every_format(
    rsa_key_2048: Any, encoding: s.Encoding, fmt: s.PrivateFormat, encrypted: bool
) -> None:
    data = _encoded(rsa_key_2048, encoding, fmt, encrypted)
    loaded = load_private_key(data, password=PASSWORD if encrypted else None)
    assert same_public_key(loaded, rsa_key_2048)


@pytest.mark.parametrize(("encoding", "fmt", "encrypted"), [
    pytest.param(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, False, id="pem-sec1"),
    pytest.param(s.Encoding.PEM, s.PrivateFormat.PKCS8, True, id="pem-pkcs8-encrypted"),
    pytest.param(s.Encoding.DER, s.PrivateFormat.TraditionalOpenSSL, False, id="der-sec1"),
    pytest.param(s.Encoding.DER, s.PrivateFormat.PKCS8, False, id="der-pkcs8"),
])
def test_ec_key_loads_from_every_format(
    ec_key: Any, encoding: s.Encoding, fmt: s.PrivateFormat, encrypted: bool
) -> None:
    data = _encoded(ec_key, encoding, fmt, encrypted)
    loaded = load_private_key(data, password=PASSWORD if encrypted else None)
    assert same_public_key(loaded, ec_key)


def test_pkcs12_written_by_cryptography_loads(rsa_key_2048: Any, cert_2048: Any) -> None:
    data = pkcs12.serialize_key_and_certificates(
        b"keyalias", rsa_key_2048, cert_2048, None, s.BestAvailableEncryption(PASSWORD)
    )
    key, cert = load_key_and_certificate(data, password=PASSWORD, alias="keyalias")
    assert same_public_key(key, rsa_key_2048)
    assert cert == cert_2048


def test_path_str_pathlike_and_bytes_give_the_same_key(rsa_key_2048: Any, tmp_path: Path) -> None:
    data = _encoded(rsa_key_2048, s.Encoding.PEM, s.PrivateFormat.PKCS8, False)
    path = tmp_path / "key.pem"
    path.write_bytes(data)
    for source in (path, str(path), data, bytearray(data), memoryview(data)):
        assert same_public_key(load_private_key(source), rsa_key_2048)  # type: ignore[arg-type]


def test_pem_written_by_openssl_pkcs12_nodes_loads_key_and_certificate(
    rsa_key_2048: Any, cert_2048: Any
) -> None:
    # `openssl pkcs12 -nodes` writes "Bag Attributes" text around each block.
    data = (
        b"Bag Attributes\n    friendlyName: keyalias\nsubject=CN = first\n"
        + cert_2048.public_bytes(s.Encoding.PEM)
        + b"Bag Attributes\n    friendlyName: keyalias\nKey Attributes: <No Attributes>\n"
        + _encoded(rsa_key_2048, s.Encoding.PEM, s.PrivateFormat.PKCS8, False)
    )
    key, cert = load_key_and_certificate(data)
    assert same_public_key(key, rsa_key_2048)
    assert cert == cert_2048


def test_pem_key_without_certificate_gives_none(rsa_key_2048: Any) -> None:
    data = _encoded(rsa_key_2048, s.Encoding.PEM, s.PrivateFormat.PKCS8, False)
    assert load_key_and_certificate(data)[1] is None


def test_der_key_gives_no_certificate(rsa_key_2048: Any) -> None:
    data = _encoded(rsa_key_2048, s.Encoding.DER, s.PrivateFormat.PKCS8, False)
    key, cert = load_key_and_certificate(data)
    assert same_public_key(key, rsa_key_2048)
    assert cert is None


def test_alias_is_ignored_for_pem(rsa_key_2048: Any) -> None:
    data = _encoded(rsa_key_2048, s.Encoding.PEM, s.PrivateFormat.PKCS8, False)
    assert same_public_key(load_private_key(data, alias="keyalias"), rsa_key_2048)
