"""A minimal DER reader: enough to tell key formats apart and to list PKCS#12 bags.

``cryptography`` parses every key and certificate itself; this reader only looks at the
outer structure, so that a file can be named for what it is ("a certificate, not a private
key") and a damaged keystore can be told from a wrong password. Definite lengths only (DER);
single-byte tags only, which covers every structure read here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DerError", "Tlv", "children", "parse_single"]

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
OID = 0x06
BMP_STRING = 0x1E
CONTEXT_0 = 0xA0


class DerError(Exception):
    """The bytes are not the DER structure expected (internal; never escapes the package)."""


@dataclass(frozen=True, slots=True)
class Tlv:
    """One DER element: its identifier octet, its content, and its full encoding."""

    tag: int
    content: bytes
    raw: bytes


def _read(data: bytes, pos: int) -> tuple[Tlv, int]:
    start = pos
    if pos + 2 > len(data):
        raise DerError("truncated element header")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise DerError("multi-byte tags are not used by the structures read here")
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4:
            raise DerError("indefinite or oversized length")
        if pos + count > len(data):
            raise DerError("truncated length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise DerError("truncated content")
    return Tlv(tag, data[pos:end], data[start:end]), end


def parse_single(data: bytes) -> Tlv:
    """The one element that ``data`` must consist of, with nothing after it."""
    tlv, end = _read(data, 0)
    if end != len(data):
        raise DerError("trailing bytes after the element")
    return tlv


def children(content: bytes) -> list[Tlv]:
    """The elements inside a constructed element's content, in order."""
    items: list[Tlv] = []
    pos = 0
    while pos < len(content):
        tlv, pos = _read(content, pos)
        items.append(tlv)
    return items
