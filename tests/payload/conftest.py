"""Fixtures for the payload tests: keys made once per session, Mastercard's test key pair,
and Mastercard-format configurations pointing at it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import certificate_for as shared_certificate_for
from tests.conftest import peer_path

PEER_KEY = "mc_test_key_pkcs8-2048.pem"
PEER_CERTIFICATE = "mc_test_certificate-2048.pem"


def certificate_for(key: rsa.RSAPrivateKey, common_name: str = "payload test") -> x509.Certificate:
    """A self-signed certificate for ``key`` (the suite's one builder)."""
    return shared_certificate_for(key, common_name)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def certificate(rsa_key_2048: rsa.RSAPrivateKey) -> x509.Certificate:
    return certificate_for(rsa_key_2048)


@pytest.fixture(scope="session")
def other_certificate(other_rsa_key_2048: rsa.RSAPrivateKey) -> x509.Certificate:
    return certificate_for(other_rsa_key_2048, "other")


@pytest.fixture(scope="session")
def peer_key() -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(peer_path(PEER_KEY).read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@pytest.fixture(scope="session")
def peer_certificate() -> x509.Certificate:
    return x509.load_pem_x509_certificate(peer_path(PEER_CERTIFICATE).read_bytes())


def mastercard_config(
    to_encrypt: dict[str, str] | None = None,
    to_decrypt: dict[str, str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A ``mastercard-client-encryption`` field-level configuration with Mastercard's test
    key pair (the format both libraries read)."""
    config: dict[str, Any] = {
        "paths": {"$": {"toEncrypt": to_encrypt or {}, "toDecrypt": to_decrypt or {}}},
        "ivFieldName": "iv",
        "encryptedKeyFieldName": "encryptedKey",
        "encryptedValueFieldName": "encryptedValue",
        "dataEncoding": "hex",
        "oaepPaddingDigestAlgorithm": "SHA-256",
        "encryptionCertificate": str(peer_path(PEER_CERTIFICATE)),
        "decryptionKey": str(peer_path(PEER_KEY)),
    }
    config.update(overrides)
    return config


def jwe_config(
    to_encrypt: dict[str, str] | None = None, to_decrypt: dict[str, str] | None = None
) -> dict[str, Any]:
    """A ``mastercard-client-encryption`` JWE configuration with Mastercard's test keys."""
    return {
        "paths": {"$": {"toEncrypt": to_encrypt or {}, "toDecrypt": to_decrypt or {}}},
        "encryptedValueFieldName": "encryptedValue",
        "encryptionCertificate": str(peer_path(PEER_CERTIFICATE)),
        "decryptionKey": str(peer_path(PEER_KEY)),
    }


def sequence_bytes(seed: int = 0) -> Callable[[int], bytes]:
    """A deterministic stand-in for ``os.urandom`` (every call gives new bytes)."""
    counter = [seed]

    def draw(size: int) -> bytes:
        counter[0] += 1
        return (counter[0].to_bytes(4, "big") * (size // 4 + 1))[:size]

    return draw
