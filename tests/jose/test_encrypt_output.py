"""What jwe_encrypt puts on the wire: the SPEC §12 header, the injected CEK and IV, RFC 7516."""

from __future__ import annotations

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xbsec.jose import jwe_encrypt
from xbsec.keys.fingerprints import spki_sha256_hex

from .forge import b64d, oaep


def _pinned(data: bytes):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def random_bytes(n: int) -> bytes:
        calls.append(n)
        return data[:n]

    return random_bytes, calls


def test_the_header_is_exactly_the_one_in_spec_section_12(
    certificate: x509.Certificate,
) -> None:
    token = jwe_encrypt(b"{}", certificate)
    kid = spki_sha256_hex(certificate)
    expected = f'{{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{kid}","cty":"application/json"}}'
    assert b64d(token.split(".")[0]).decode() == expected


def test_xml_content_type_and_a_configured_kid_go_into_the_header(
    certificate: x509.Certificate,
) -> None:
    token = jwe_encrypt(b"<a/>", certificate, kid="configured-fingerprint", cty="application/xml")
    header = json.loads(b64d(token.split(".")[0]))
    assert header == {
        "alg": "RSA-OAEP-256",
        "enc": "A256GCM",
        "kid": "configured-fingerprint",
        "cty": "application/xml",
    }


def test_cty_none_leaves_the_member_out(certificate: x509.Certificate) -> None:
    header = json.loads(b64d(jwe_encrypt(b"x", certificate, cty=None).split(".")[0]))
    assert "cty" not in header


@pytest.mark.parametrize("iv_length", [12, 16])
def test_content_key_and_iv_come_from_random_bytes_and_the_aad_is_the_header_segment(
    rsa_key_2048: rsa.RSAPrivateKey, iv_length: int
) -> None:
    material = bytes(range(48))
    random_bytes, calls = _pinned(material)
    plaintext = b'{"quoterequest":{}}'
    token = jwe_encrypt(
        plaintext, rsa_key_2048.public_key(), iv_length=iv_length, random_bytes=random_bytes
    )
    assert calls == [32 + iv_length]
    header, encrypted_key, iv, ciphertext, tag = token.split(".")
    cek = rsa_key_2048.decrypt(b64d(encrypted_key), oaep())
    assert cek == material[:32]
    assert b64d(iv) == material[32 : 32 + iv_length]
    # Independent AES-GCM over the header segment as AAD (RFC 7516 §5.1 step 14).
    sealed = AESGCM(cek).encrypt(b64d(iv), plaintext, header.encode("ascii"))
    assert b64d(ciphertext) + b64d(tag) == sealed


def test_segments_are_unpadded_base64url(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    for size in range(0, 40):
        token = jwe_encrypt(bytes(size), rsa_key_2048.public_key())
        assert token.count(".") == 4
        assert set(token) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
        )
