from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.conftest import load_peer, peer_path


@pytest.fixture(scope="session")
def peer_oauth1() -> dict[str, Any]:
    return load_peer("oauth1_vectors.json")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def peer_p12() -> tuple[Any, Any]:
    """Mastercard's test_key_container.p12 (mc_test_key.p12): key and certificate."""
    key, cert, _ = pkcs12.load_key_and_certificates(
        peer_path("mc_test_key.p12").read_bytes(), b"Password1"
    )
    return key, cert


CONSUMER_KEY = "a" * 48 + "!" + "b" * 48
NOW = 1_800_000_000


def make_certificate(key: Any, *, not_before: int, not_after: int) -> Any:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "oauth1 test")])
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.fromtimestamp(not_before, dt.UTC))
        .not_valid_after(dt.datetime.fromtimestamp(not_after, dt.UTC))
        .sign(key, hashes.SHA256())
    )


@pytest.fixture(scope="session")
def certificate(rsa_key_2048: Any) -> Any:
    return make_certificate(rsa_key_2048, not_before=NOW - 86400, not_after=NOW + 86400)
