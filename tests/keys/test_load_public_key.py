"""Public keys load from certificates and SubjectPublicKeyInfo; private keys are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.x509.oid import NameOID

from tests.keys.conftest import certificate_for, same_public_key
from xbsec.errors import KeyFileError
from xbsec.keys import load_public_key, make_csr


@pytest.mark.parametrize("encoding", [s.Encoding.PEM, s.Encoding.DER], ids=["pem", "der"])
def test_public_key_loads_from_a_certificate(
    rsa_key_2048: Any, cert_2048: Any, encoding: s.Encoding
) -> None:
    assert same_public_key(load_public_key(cert_2048.public_bytes(encoding)), rsa_key_2048)


@pytest.mark.parametrize(("encoding", "fmt"), [
    (s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo),
    (s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo),
    (s.Encoding.PEM, s.PublicFormat.PKCS1),
    (s.Encoding.DER, s.PublicFormat.PKCS1),
], ids=["pem-spki", "der-spki", "pem-pkcs1", "der-pkcs1"])
def test_rsa_public_key_loads_from_its_encodings(
    rsa_key_2048: Any, encoding: s.Encoding, fmt: s.PublicFormat
) -> None:
    data = rsa_key_2048.public_key().public_bytes(encoding, fmt)
    assert same_public_key(load_public_key(data), rsa_key_2048)


def test_ec_public_key_loads(ec_key: Any) -> None:
    data = ec_key.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
    assert same_public_key(load_public_key(data), ec_key)


@pytest.mark.parametrize("encoding", [s.Encoding.PEM, s.Encoding.DER], ids=["pem", "der"])
def test_private_key_is_refused_where_a_public_key_belongs(
    rsa_key_2048: Any, encoding: s.Encoding
) -> None:
    data = rsa_key_2048.private_bytes(encoding, s.PrivateFormat.PKCS8, s.NoEncryption())
    with pytest.raises(KeyFileError, match="contains a private key, not a public key or cert"):
        load_public_key(data)


def test_x25519_public_key_is_refused_naming_its_type() -> None:
    data = x25519.X25519PrivateKey.generate().public_key().public_bytes(
        s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyFileError, match="holds a X25519 key; xbsec uses RSA or EC keys"):
        load_public_key(data)


def test_certificate_of_an_ed25519_key_is_refused() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ed")])
    now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, None)
    )
    with pytest.raises(KeyFileError, match="holds a Ed25519 key"):
        load_public_key(cert.public_bytes(s.Encoding.PEM))


def test_damaged_public_key_says_damaged() -> None:
    pem = b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    with pytest.raises(KeyFileError, match="the public key is damaged"):
        load_public_key(pem)


def test_csr_is_not_a_public_key(rsa_key_2048: Any) -> None:
    csr = make_csr(rsa_key_2048, common_name="x")
    with pytest.raises(KeyFileError, match="certificate signing request, not a public key"):
        load_public_key(csr.public_bytes(s.Encoding.DER))
    with pytest.raises(KeyFileError, match="certificate signing request, not a public key"):
        load_public_key(csr.public_bytes(s.Encoding.PEM))


def test_helper_certificate_is_usable(ec_key: Any) -> None:
    assert same_public_key(load_public_key(certificate_for(ec_key).public_bytes(s.Encoding.PEM)),
                           ec_key)
