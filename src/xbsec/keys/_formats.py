"""Tell what a blob of key material is before handing it to ``cryptography``.

Knowing the kind first lets every loader say what a file *is* when it is not what was
asked for (a certificate where a private key belongs), and pass a password only to an
encrypted key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from xbsec.keys import _der

__all__ = ["Kind", "PemBlock", "der_kind", "describe", "looks_like_pem", "pem_blocks"]

Kind = Literal[
    "pkcs12", "private-key", "encrypted-private-key", "certificate", "public-key", "csr",
    "unknown",
]

_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.DOTALL
)
_PEM_KINDS: dict[str, Kind] = {
    "PRIVATE KEY": "private-key",
    "RSA PRIVATE KEY": "private-key",
    "EC PRIVATE KEY": "private-key",
    "ENCRYPTED PRIVATE KEY": "encrypted-private-key",
    "CERTIFICATE": "certificate",
    "X509 CERTIFICATE": "certificate",
    "PUBLIC KEY": "public-key",
    "RSA PUBLIC KEY": "public-key",
    "CERTIFICATE REQUEST": "csr",
    "NEW CERTIFICATE REQUEST": "csr",
}
_DESCRIPTIONS: dict[Kind, str] = {
    "pkcs12": "a PKCS#12 keystore",
    "private-key": "a private key",
    "encrypted-private-key": "a private key",
    "certificate": "a certificate",
    "public-key": "a public key",
    "csr": "a certificate signing request",
    "unknown": "nothing xbsec reads",
}


@dataclass(frozen=True, slots=True)
class PemBlock:
    """One ``-----BEGIN label-----`` ... ``-----END label-----`` block."""

    label: str
    pem: bytes = field(repr=False)  # may be a private key
    kind: Kind
    encrypted: bool


def describe(kind: Kind) -> str:
    """A noun phrase for error messages: "a certificate", "a public key", ..."""
    return _DESCRIPTIONS[kind]


def looks_like_pem(data: bytes) -> bool:
    # PEM files written by `openssl pkcs12 -nodes` start with "Bag Attributes" text.
    return b"-----BEGIN " in data


def pem_blocks(data: bytes) -> list[PemBlock]:
    """Every complete PEM block in ``data``, in order."""
    blocks = []
    for match in _PEM_BLOCK.finditer(data):
        label = match.group(1).decode("ascii")
        kind = _PEM_KINDS.get(label, "unknown")
        # Traditional OpenSSL encryption marks the block with a Proc-Type header.
        encrypted = kind == "encrypted-private-key" or b"Proc-Type: 4,ENCRYPTED" in match.group(2)
        blocks.append(PemBlock(label, match.group(0), kind, encrypted))
    return blocks


def der_kind(data: bytes) -> Kind:
    """What a DER blob holds, judged by its outer structure only."""
    try:
        top = _der.parse_single(data)
        if top.tag != _der.SEQUENCE:
            return "unknown"
        items = _der.children(top.content)
        return _kind_of(items)
    except _der.DerError:
        # A cut-off keystore is still recognisable by its start: SEQUENCE, INTEGER 3, SEQUENCE.
        return "pkcs12" if _starts_like_pfx(data) else "unknown"


def _starts_like_pfx(data: bytes) -> bool:
    if len(data) < 2 or data[0] != _der.SEQUENCE:
        return False
    header = 2 + (data[1] & 0x7F if data[1] & 0x80 else 0)
    return data[header : header + 4] == b"\x02\x01\x03\x30"


def _kind_of(items: list[_der.Tlv]) -> Kind:
    tags = [item.tag for item in items]
    if len(items) >= 2 and tags[0] == _der.INTEGER:
        version = items[0].content
        if version == b"\x03" and tags[1] == _der.SEQUENCE:
            inner = _der.children(items[1].content)
            if inner and inner[0].tag == _der.OID:
                return "pkcs12"  # PFX: version 3, then the authSafe ContentInfo
        if len(items) >= 3 and tags[1] == _der.SEQUENCE and tags[2] == _der.OCTET_STRING:
            return "private-key"  # PKCS#8 PrivateKeyInfo
        if version == b"\x00" and len(items) >= 9 and all(t == _der.INTEGER for t in tags):
            return "private-key"  # PKCS#1 RSAPrivateKey
        if version == b"\x01" and tags[1] == _der.OCTET_STRING:
            return "private-key"  # SEC 1 ECPrivateKey
        if tags == [_der.INTEGER, _der.INTEGER]:
            return "public-key"  # PKCS#1 RSAPublicKey
    if tags == [_der.SEQUENCE, _der.OCTET_STRING]:
        return "encrypted-private-key"
    if tags == [_der.SEQUENCE, _der.BIT_STRING]:
        return "public-key"  # SubjectPublicKeyInfo
    if tags == [_der.SEQUENCE, _der.SEQUENCE, _der.BIT_STRING]:
        inner = _der.children(items[0].content)
        if len(inner) == 4 and inner[-1].tag == _der.CONTEXT_0:
            return "csr"  # CertificationRequestInfo ends with [0] attributes
        if inner and (inner[0].tag == _der.CONTEXT_0 or len(inner) >= 6):
            return "certificate"
    return "unknown"
