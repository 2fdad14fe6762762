"""New keys, self-signed certificates, CSRs and PEM encodings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.keys.conftest import NOW, same_public_key
from xbsec.errors import ConfigurationError, KeyPasswordError
from xbsec.keys import (
    certificate_pem,
    csr_pem,
    generate_rsa_key,
    load_private_key,
    make_csr,
    private_key_pem,
    self_signed_certificate,
)


@pytest.fixture(scope="module")
def cert(rsa_key_2048: Any) -> x509.Certificate:
    return self_signed_certificate(rsa_key_2048, common_name="partner", days=90, now=NOW)


def test_default_key_is_rsa_2048_with_exponent_65537() -> None:
    key = generate_rsa_key()
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.key_size == 2048
    assert key.public_key().public_numbers().e == 65537


@pytest.mark.slow
@pytest.mark.parametrize("bits", [3072, 4096])
def test_larger_keys_have_the_size_asked_for(bits: int) -> None:
    assert generate_rsa_key(bits).key_size == bits


@pytest.mark.parametrize("bits", [1024, 2047, 2049, 8192, 0])
def test_other_sizes_are_refused(bits: int) -> None:
    with pytest.raises(ConfigurationError, match=f"one of 2048, 3072, 4096, not {bits}"):
        generate_rsa_key(bits)


def test_self_signed_certificate_is_signed_by_its_own_key(cert: x509.Certificate) -> None:
    cert.verify_directly_issued_by(cert)
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)


def test_self_signed_certificate_carries_the_key_and_the_name(
    rsa_key_2048: Any, cert: x509.Certificate
) -> None:
    assert same_public_key(cert.public_key(), rsa_key_2048)
    assert cert.subject.rfc4514_string() == "CN=partner"
    assert cert.issuer == cert.subject


def test_self_signed_certificate_is_valid_from_now_for_the_days_asked(
    cert: x509.Certificate,
) -> None:
    assert cert.not_valid_before_utc == NOW
    assert cert.not_valid_after_utc == NOW + dt.timedelta(days=90)


def test_self_signed_certificate_is_an_end_entity_for_signing_and_key_transport(
    rsa_key_2048: Any, cert: x509.Certificate
) -> None:
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical
    assert constraints.value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature
    assert usage.value.key_encipherment
    assert not usage.value.key_cert_sign
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(rsa_key_2048.public_key())


def test_ec_certificate_does_not_claim_key_encipherment(ec_key: Any) -> None:
    cert = self_signed_certificate(ec_key, now=NOW)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert not usage.key_encipherment


def test_certificate_starts_now_by_default(ec_key: Any) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cert = self_signed_certificate(ec_key)
    assert before <= cert.not_valid_before_utc <= dt.datetime.now(dt.UTC)


def test_now_in_another_time_zone_is_converted(ec_key: Any) -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    cert = self_signed_certificate(ec_key, now=NOW.astimezone(tokyo))
    assert cert.not_valid_before_utc == NOW


def test_naive_now_is_refused(ec_key: Any) -> None:
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        self_signed_certificate(ec_key, now=dt.datetime(2030, 1, 1))


@pytest.mark.parametrize("days", [0, -5])
def test_days_must_be_positive(ec_key: Any, days: int) -> None:
    with pytest.raises(ConfigurationError, match=f"days must be at least 1, not {days}"):
        self_signed_certificate(ec_key, days=days)


@pytest.mark.parametrize("name", ["", "x" * 65])
def test_common_name_out_of_bounds_names_the_field(ec_key: Any, name: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^common_name: "):
        self_signed_certificate(ec_key, common_name=name)


def test_csr_is_signed_and_names_the_subject(rsa_key_2048: Any) -> None:
    csr = make_csr(rsa_key_2048, common_name="partner.example", organization="Partner Bank",
                   country="GB")
    assert csr.is_signature_valid
    assert isinstance(csr.signature_hash_algorithm, hashes.SHA256)
    assert csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "partner.example"
    assert csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Partner Bank"
    assert csr.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "GB"
    assert same_public_key(csr.public_key(), rsa_key_2048)


def test_csr_pem_is_a_certificate_request(rsa_key_2048: Any) -> None:
    pem = csr_pem(make_csr(rsa_key_2048, common_name="renewal"))
    assert pem.startswith(b"-----BEGIN CERTIFICATE REQUEST-----\n")
    assert x509.load_pem_x509_csr(pem).subject.rfc4514_string() == "CN=renewal"


def test_csr_with_a_bad_country_code_names_the_field(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"^country: "):
        make_csr(rsa_key_2048, common_name="x", country="GBR")


def test_certificate_pem_round_trips(cert: x509.Certificate) -> None:
    pem = certificate_pem(cert)
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----\n")
    assert x509.load_pem_x509_certificate(pem) == cert


def test_private_key_pem_is_pkcs8(rsa_key_2048: Any) -> None:
    pem = private_key_pem(rsa_key_2048)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert same_public_key(s.load_pem_private_key(pem, None), rsa_key_2048)


def test_private_key_pem_with_password_is_encrypted(rsa_key_2048: Any) -> None:
    pem = private_key_pem(rsa_key_2048, password="s3cret")
    assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    with pytest.raises(KeyPasswordError):
        load_private_key(pem)
    assert same_public_key(load_private_key(pem, password="s3cret"), rsa_key_2048)


def test_empty_password_is_refused_rather_than_meaning_no_encryption(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match="password must not be empty"):
        private_key_pem(rsa_key_2048, password="")
