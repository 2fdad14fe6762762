"""Fixtures for the OAuth 2.0 protocol tests: keys and certificates once per session, a fixed
clock, builders for request tokens with any header and claims, and a clock that moves for
the token endpoint protocol."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.clocks import Clock
from tests.jose.jws_tokens import forge
from xbsec.errors import RefusedError
from xbsec.keys import jwk_thumbprint
from xbsec.oauth2 import RequestTokenMinter, RequestTokenVerifier

CONSUMER_KEY = "v0Fqwx" + "a" * 42 + "!" + "e2652279" + "0" * 40
CLIENT_ID = "ck-oauth2!0123456789abcdef"
"""The client of the authorization code flow (the token endpoint protocol tests)."""
NOW = 1_800_000_000
DAY = 86_400


def make_certificate(key: Any, *, not_before: int = NOW - DAY, not_after: int = NOW + DAY,
                     common_name: str = "request token test",
                     signed_by: Any = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime.fromtimestamp(not_before, dt.UTC))
        .not_valid_after(dt.datetime.fromtimestamp(not_after, dt.UTC))
        .sign(signed_by or key, hashes.SHA256())
    )


def x5c_of(cert: x509.Certificate) -> list[str]:
    return [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")]


def mastercard_header(cert: x509.Certificate, *, alg: str = "RS256",
                      kid: str = CONSUMER_KEY) -> dict[str, Any]:
    """The header of Mastercard's generator (SPEC §5.2), member for member."""
    return {"alg": alg, "typ": "JWT", "cty": "JWS", "x5t#S256": jwk_thumbprint(cert),
            "x5c": x5c_of(cert), "kid": kid}


def claims(*, at: float = NOW, lifetime: float = 300, **changes: Any) -> dict[str, Any]:
    """Claims issued ``at`` for ``lifetime`` seconds; a change to ``...`` removes the claim."""
    values: dict[str, Any] = {"exp": at + lifetime, "nbf": at, "iat": at,
                              "jti": "0123456789abcdef0123456789abcdef"}
    values.update(changes)
    return {name: value for name, value in values.items() if value is not ...}


def token(header: dict[str, Any] | bytes, body: dict[str, Any] | bytes, key: Any) -> str:
    """A request token with exactly this header and these claims, signed by ``key``."""
    payload = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    return forge(header, payload, key)


def refusal(verifier: RequestTokenVerifier, authorization: Any) -> RefusedError:
    """The refusal ``verifier`` gives ``authorization`` (failing if it is accepted)."""
    with pytest.raises(RefusedError) as info:
        verifier.verify(authorization)
    return info.value


def status(error: RefusedError) -> tuple[int, str, str]:
    return error.status, error.reason_code, error.source


@pytest.fixture(scope="session")
def certificate(rsa_key_2048: Any) -> x509.Certificate:
    return make_certificate(rsa_key_2048)


@pytest.fixture(scope="session")
def other_certificate(other_rsa_key_2048: Any) -> x509.Certificate:
    return make_certificate(other_rsa_key_2048, common_name="someone else")


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def ec_certificate(ec_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return make_certificate(ec_key)


@pytest.fixture
def minter(rsa_key_2048: Any, certificate: x509.Certificate) -> RequestTokenMinter:
    return RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, clock=lambda: NOW)


@pytest.fixture
def verifier(certificate: x509.Certificate) -> RequestTokenVerifier:
    return RequestTokenVerifier({CONSUMER_KEY: certificate}, clock=lambda: NOW)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def signing_key(rsa_key_2048: Any) -> Any:
    """The client's key for ``private_key_jwt`` assertions."""
    return rsa_key_2048
