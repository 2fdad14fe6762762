"""Build PKCS#12 keystores byte by byte (RFC 7292), for shapes no serializer writes.

``cryptography`` writes one key entry per keystore; Java's keytool writes several. To test
selection among several key entries, the keystore is assembled here from DER pieces: each key
in its own shrouded key bag (encrypted PKCS#8, made by ``cryptography``), each certificate in a
certificate bag, all with friendly names, and no MAC (``cryptography`` accepts a keystore
without one). The encoder is independent of the reader under test.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

_DATA = "2a864886f70d010701"
_SHROUDED_KEY_BAG = "2a864886f70d010c0a0102"
_KEY_BAG = "2a864886f70d010c0a0101"
_CERT_BAG = "2a864886f70d010c0a0103"
_X509_CERTIFICATE = "2a864886f70d01091601"
_FRIENDLY_NAME = "2a864886f70d010914"


def tlv(tag: int, content: bytes) -> bytes:
    if len(content) < 0x80:
        return bytes([tag, len(content)]) + content
    size = len(content).to_bytes((len(content).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + content


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def oid(hex_der: str) -> bytes:
    return tlv(0x06, bytes.fromhex(hex_der))


def explicit0(content: bytes) -> bytes:
    return tlv(0xA0, content)


def data_content_info(payload: bytes) -> bytes:
    return seq(oid(_DATA), explicit0(tlv(0x04, payload)))


def _attributes(name: str | None) -> bytes:
    if name is None:
        return b""
    value = tlv(0x31, tlv(0x1E, name.encode("utf-16-be")))
    return tlv(0x31, seq(oid(_FRIENDLY_NAME), value))


@dataclass
class Entry:
    name: str | None
    key: object | None = None
    cert: x509.Certificate | None = None


def build(entries: list[Entry], password: bytes, *, encrypt_keys: bool = True) -> bytes:
    """A MAC-less PFX: one plain SafeContents with every key bag, then one with the certs."""
    key_bags = []
    cert_bags = []
    for entry in entries:
        if entry.key is not None:
            encryption: serialization.KeySerializationEncryption = (
                serialization.BestAvailableEncryption(password)
                if encrypt_keys else serialization.NoEncryption()
            )
            der = entry.key.private_bytes(  # type: ignore[attr-defined]
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, encryption
            )
            bag_type = _SHROUDED_KEY_BAG if encrypt_keys else _KEY_BAG
            key_bags.append(seq(oid(bag_type), explicit0(der), _attributes(entry.name)))
        if entry.cert is not None:
            cert_der = entry.cert.public_bytes(serialization.Encoding.DER)
            value = seq(oid(_X509_CERTIFICATE), explicit0(tlv(0x04, cert_der)))
            cert_bags.append(seq(oid(_CERT_BAG), explicit0(value), _attributes(entry.name)))
    safes = [data_content_info(seq(*bags)) for bags in (key_bags, cert_bags) if bags]
    return seq(tlv(0x02, b"\x03"), data_content_info(seq(*safes)))
