"""What a blob is, told from its outer structure before cryptography parses it."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s

from tests.keys.pkcs12_builder import oid, seq, tlv
from xbsec.keys import _der, make_csr, pkcs12_bytes
from xbsec.keys._formats import der_kind, pem_blocks

INTEGER_0 = tlv(0x02, b"\x00")


def test_each_der_structure_is_recognised(rsa_key_2048: Any, cert_2048: Any, ec_key: Any) -> None:
    rsa_public = rsa_key_2048.public_key()
    none = s.NoEncryption()
    cases = {
        "pkcs12": pkcs12_bytes(rsa_key_2048, cert_2048),
        "certificate": cert_2048.public_bytes(s.Encoding.DER),
        "csr": make_csr(rsa_key_2048, common_name="x").public_bytes(s.Encoding.DER),
        "public-key": rsa_public.public_bytes(s.Encoding.DER, s.PublicFormat.PKCS1),
        "encrypted-private-key": rsa_key_2048.private_bytes(
            s.Encoding.DER, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"pw")
        ),
    }
    for kind, data in cases.items():
        assert der_kind(data) == kind
    assert der_kind(rsa_public.public_bytes(s.Encoding.DER,
                                            s.PublicFormat.SubjectPublicKeyInfo)) == "public-key"
    for key, fmt in ((rsa_key_2048, s.PrivateFormat.PKCS8),
                     (rsa_key_2048, s.PrivateFormat.TraditionalOpenSSL),
                     (ec_key, s.PrivateFormat.TraditionalOpenSSL)):
        assert der_kind(key.private_bytes(s.Encoding.DER, fmt, none)) == "private-key"


@pytest.mark.parametrize("data", [
    tlv(0x02, b"\x01"),                                       # not a SEQUENCE
    seq(tlv(0x02, b"\x03"), seq(tlv(0x02, b"\x01"))),         # version 3, no content type
    seq(tlv(0x02, b"\x05"), tlv(0x05, b"")),                  # INTEGER then NULL
    seq(seq(), seq(), tlv(0x03, b"\x00")),                    # empty "to-be-signed" part
    seq(seq(INTEGER_0, INTEGER_0), seq(), tlv(0x03, b"\x00")),  # two-element "to-be-signed"
    seq(oid("2a03")),                                         # a lone OID
], ids=["integer", "pfx-without-oid", "integer-null", "empty-tbs", "short-tbs", "oid"])
def test_look_alike_structures_are_unknown(data: bytes) -> None:
    assert der_kind(data) == "unknown"


@pytest.mark.parametrize(("data", "reason"), [
    (b"\x30", "truncated element header"),
    (b"\x30\x80\x00\x00", "indefinite or oversized length"),
    (b"\x30\x85\x01\x02\x03\x04\x05", "indefinite or oversized length"),
    (b"\x30\x82\x01", "truncated length"),
    (b"\x30\x05\x00", "truncated content"),
    (b"\x1f\x01\x00", "multi-byte tags"),
    (b"\x30\x00\x00", "trailing bytes"),
])
def test_malformed_der_is_refused_with_its_reason(data: bytes, reason: str) -> None:
    with pytest.raises(_der.DerError, match=reason):
        _der.parse_single(data)
    assert der_kind(data) == "unknown"


def test_long_form_lengths_are_read() -> None:
    content = b"\x04\x81\x80" + b"x" * 0x80
    tlv_ = _der.parse_single(b"\x30\x81\x83" + content)
    assert _der.children(tlv_.content)[0].content == b"x" * 0x80


def test_pem_blocks_are_found_with_their_labels_and_encryption(rsa_key_2048: Any) -> None:
    traditional = rsa_key_2048.private_bytes(
        s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, s.BestAvailableEncryption(b"pw")
    )
    plain = rsa_key_2048.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    blocks = pem_blocks(b"text before\n" + traditional + b"between\n" + plain)
    assert [(b.label, b.kind, b.encrypted) for b in blocks] == [
        ("RSA PRIVATE KEY", "private-key", True),
        ("PRIVATE KEY", "private-key", False),
    ]
