"""The envelope's JWE is ordinary JWE: joserfc reads ours, and a joserfc JWE in the envelope
decrypts with ``decrypt_payload``."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.payload import decrypt_payload, encrypt_payload, unwrap, wrap

joserfc = pytest.importorskip("joserfc")

pytestmark = pytest.mark.interop

PLAINTEXT = b'{"paymentrequest":{"amount":"10.00"}}'


@pytest.fixture(scope="module")
def their_key(rsa_key_2048: rsa.RSAPrivateKey) -> Any:
    from joserfc.jwk import RSAKey

    pem = rsa_key_2048.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return RSAKey.import_key(pem)


@pytest.mark.parametrize("content_type", ["application/json", "application/xml"])
def test_joserfc_decrypts_the_token_in_our_envelope(
    certificate: x509.Certificate, their_key: Any, content_type: str
) -> None:
    from joserfc import jwe

    token = unwrap(encrypt_payload(PLAINTEXT, certificate, content_type=content_type))
    result = jwe.decrypt_compact(token, their_key, algorithms=["RSA-OAEP-256", "A256GCM"])
    assert result.plaintext == PLAINTEXT
    assert result.protected["cty"] == content_type


@pytest.mark.parametrize("content_type", ["application/json", "text/xml"])
def test_a_joserfc_token_in_the_envelope_decrypts(
    rsa_key_2048: rsa.RSAPrivateKey, their_key: Any, content_type: str
) -> None:
    from joserfc import jwe

    token = jwe.encrypt_compact(
        {"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": content_type},
        PLAINTEXT,
        their_key,
        algorithms=["RSA-OAEP-256", "A256GCM"],
    )
    body = wrap(token, content_type)
    assert decrypt_payload(body, rsa_key_2048, content_type=content_type) == PLAINTEXT
