"""The four fingerprint forms: SPKI hex (JWE kid), certificate hex, JWK thumbprint, x5t#S256."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from xbsec.errors import KeyMaterialError
from xbsec.keys import cert_sha256_hex, jwk_thumbprint, public_key_of, spki_sha256_hex, x5t_s256


def test_spki_fingerprint_is_the_same_from_key_public_key_and_certificate(
    rsa_key_2048: Any, cert_2048: Any
) -> None:
    spki = rsa_key_2048.public_key().public_bytes(s.Encoding.DER,
                                                  s.PublicFormat.SubjectPublicKeyInfo)
    expected = hashlib.sha256(spki).hexdigest()
    assert spki_sha256_hex(rsa_key_2048) == expected
    assert spki_sha256_hex(rsa_key_2048.public_key()) == expected
    assert spki_sha256_hex(cert_2048) == expected


def test_certificate_fingerprints_hash_the_der_certificate(cert_2048: Any) -> None:
    digest = hashlib.sha256(cert_2048.public_bytes(s.Encoding.DER)).digest()
    assert cert_sha256_hex(cert_2048) == digest.hex()
    assert x5t_s256(cert_2048) == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert "=" not in x5t_s256(cert_2048)


def test_ec_jwk_coordinates_keep_their_full_width() -> None:
    # A P-521 coordinate is 66 bytes even when its top bytes are zero (RFC 7518 §6.2.1.2).
    from xbsec.keys.fingerprints import jwk_members

    key = ec.generate_private_key(ec.SECP521R1())
    members = jwk_members(key)
    assert members["crv"] == "P-521"
    for coordinate in ("x", "y"):
        assert len(base64.urlsafe_b64decode(members[coordinate] + "==")) == 66


def test_unsupported_key_type_is_a_key_material_error() -> None:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    with pytest.raises(KeyMaterialError, match="unsupported key type"):
        spki_sha256_hex(key)  # type: ignore[arg-type]


def test_certificate_of_unknown_key_type_is_a_key_material_error(
    cert_of_unknown_key_type: Any,
) -> None:
    with pytest.raises(KeyMaterialError, match="public key is of a type xbsec does not read"):
        public_key_of(cert_of_unknown_key_type)
    with pytest.raises(KeyMaterialError):
        jwk_thumbprint(cert_of_unknown_key_type)
