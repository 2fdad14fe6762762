"""Certificates load from PEM, DER and PKCS#12 (SPEC §3.7, §7.1)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s

from xbsec.errors import KeyFileError
from xbsec.keys import load_certificate, pkcs12_bytes


@pytest.mark.parametrize("encoding", [s.Encoding.PEM, s.Encoding.DER], ids=["pem", "der"])
def test_certificate_loads_from_pem_and_der(cert_2048: Any, encoding: s.Encoding) -> None:
    assert load_certificate(cert_2048.public_bytes(encoding)) == cert_2048


def test_certificate_loads_from_a_keystore(rsa_key_2048: Any, cert_2048: Any) -> None:
    data = pkcs12_bytes(rsa_key_2048, cert_2048)
    assert load_certificate(data, password="keystorepassword") == cert_2048
    assert load_certificate(data, password="keystorepassword", alias="KEYALIAS") == cert_2048


def test_first_certificate_of_a_pem_chain_is_the_one(
    cert_2048: Any, other_cert_2048: Any
) -> None:
    chain = cert_2048.public_bytes(s.Encoding.PEM) + other_cert_2048.public_bytes(s.Encoding.PEM)
    assert load_certificate(chain) == cert_2048


def test_certificate_after_a_key_in_one_pem_is_found(rsa_key_2048: Any, cert_2048: Any) -> None:
    pem = rsa_key_2048.private_bytes(
        s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()
    ) + cert_2048.public_bytes(s.Encoding.PEM)
    assert load_certificate(pem) == cert_2048


def test_der_that_looks_like_a_certificate_but_is_not_says_invalid(cert_2048: Any) -> None:
    der = bytearray(cert_2048.public_bytes(s.Encoding.DER))
    # Break the version inside the [0] tag while keeping the outer structure intact.
    index = der.index(b"\xa0\x03\x02\x01\x02")
    der[index + 4] = 0x07
    with pytest.raises(KeyFileError, match=r"is not a valid X\.509 certificate"):
        load_certificate(bytes(der))


def test_public_key_is_not_a_certificate(rsa_key_2048: Any) -> None:
    pem = rsa_key_2048.public_key().public_bytes(
        s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(KeyFileError, match="contains a public key, not a certificate"):
        load_certificate(pem)
