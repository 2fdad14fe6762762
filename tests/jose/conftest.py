"""Fixtures for the JWE tests: keys made once per session, Mastercard's peer key, policies."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import certificate_for as shared_certificate_for
from tests.conftest import peer_path
from xbsec.policy import SecurityPolicy


def certificate_for(key: rsa.RSAPrivateKey, common_name: str = "jwe test") -> x509.Certificate:
    """A self-signed certificate for ``key`` (the suite's one builder)."""
    return shared_certificate_for(key, common_name)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def certificate(rsa_key_2048: rsa.RSAPrivateKey) -> x509.Certificate:
    return certificate_for(rsa_key_2048)


@pytest.fixture(scope="session")
def third_rsa_key_2048() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def compatible() -> SecurityPolicy:
    return SecurityPolicy.mastercard_compatible()


@pytest.fixture(scope="session")
def mc_key() -> Any:
    """The RSA key of Mastercard's client-encryption tests (peer-vectors/README.md)."""
    return serialization.load_pem_private_key(
        peer_path("mc_test_key_pkcs8-2048.pem").read_bytes(), password=None
    )


@pytest.fixture(scope="session")
def mc_certificate() -> x509.Certificate:
    return x509.load_pem_x509_certificate(peer_path("mc_test_certificate-2048.pem").read_bytes())
