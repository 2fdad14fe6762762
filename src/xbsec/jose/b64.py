"""Strict base64url (RFC 7515 §2, RFC 4648 §5), the encoding of every JOSE segment.

Decoding accepts exactly one spelling of each byte string: the URL-safe alphabet only, no
padding, no whitespace or other characters, and canonical trailing bits (the unused low
bits of the last character are zero). Anything looser would let two different tokens
carry the same bytes, which breaks any cache or replay check keyed on the token text.

Decoders return ``None`` instead of raising: each caller maps that to its own opaque error
(``DecryptionError`` for JWE), so nothing here decides what a failure means.

Large segments are decoded in chunks straight into the caller's buffer, so a 10 MB
ciphertext is never held as a second full-size ASCII copy.
"""

from __future__ import annotations

import binascii
from typing import Final, TypeAlias

__all__ = ["decode", "decode_into", "decode_spans", "decoded_size", "encode", "encode_str"]

Buffer: TypeAlias = bytes | bytearray | memoryview

_URL_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_STD_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# binascii speaks the standard alphabet. Mapping every byte outside the URL-safe alphabet
# (including '+', '/', '=' and whitespace) to '*' makes binascii's strict mode refuse it.
_TO_STD: Final = bytes(
    _STD_ALPHABET[_URL_ALPHABET.index(b)] if b in _URL_ALPHABET else ord("*") for b in range(256)
)
_TO_URL: Final = bytes.maketrans(b"+/", b"-_")
_VALUE: Final = {chr(c): i for i, c in enumerate(_URL_ALPHABET)}
_PAD: Final = (b"", b"", b"==", b"=")
_TAIL_MASK: Final = (0, 0, 0x0F, 0x03)  # low bits the last character must leave zero

_a2b: Final = binascii.a2b_base64

CHUNK_CHARS: Final = 1 << 16
"""Characters decoded per step by ``decode_into`` (a multiple of 4)."""


def encode(data: Buffer) -> bytes:
    """base64url without padding, as ASCII bytes."""
    return binascii.b2a_base64(data, newline=False).translate(_TO_URL).rstrip(b"=")


def encode_str(data: Buffer) -> str:
    """base64url without padding, as text."""
    return encode(data).decode("ascii")


def decoded_size(length: int) -> int | None:
    """Bytes encoded by ``length`` characters, or ``None`` if no encoding has that length."""
    rem = length % 4
    if rem == 1:
        return None
    return length // 4 * 3 + (rem - 1 if rem else 0)


def _decode_piece(piece: str, final: bool) -> bytes | None:
    rem = len(piece) % 4
    if rem:
        # Only the last piece of a segment may end mid-quantum; its spare bits must be zero.
        value = _VALUE.get(piece[-1])
        if not final or rem == 1 or value is None or value & _TAIL_MASK[rem]:
            return None
    try:
        raw = piece.encode("ascii").translate(_TO_STD)
        if rem:
            raw += _PAD[rem]
        return _a2b(raw, strict_mode=True)
    except (UnicodeEncodeError, binascii.Error):
        return None


def decode(text: str, start: int = 0, end: int | None = None) -> bytes | None:
    """Decode ``text[start:end]``; ``None`` if it is not strict base64url."""
    return _decode_piece(text[start:end], final=True)


def decode_spans(text: str, spans: tuple[tuple[int, int], ...]) -> list[bytes] | None:
    """Decode ``text[start:end]`` for each ``(start, end)``; ``None`` if any is not strict
    base64url (or ``text`` is not ASCII).

    For a short text holding several segments (a compact JWE): it is translated to the
    standard alphabet once, rather than once per segment.
    """
    try:
        standard = text.encode("ascii").translate(_TO_STD)
    except UnicodeEncodeError:
        return None
    out = []
    for start, end in spans:
        rem = (end - start) % 4
        try:
            if rem:
                value = _VALUE.get(text[end - 1])
                if rem == 1 or value is None or value & _TAIL_MASK[rem]:
                    return None
                out.append(_a2b(standard[start:end] + _PAD[rem], strict_mode=True))
            else:
                out.append(_a2b(standard[start:end], strict_mode=True))
        except binascii.Error:
            return None
    return out


def decode_into(text: str, start: int, end: int, out: bytearray, offset: int = 0) -> bool:
    """Decode ``text[start:end]`` into ``out`` at ``offset``; ``False`` if not strict base64url.

    ``out`` must have room for ``decoded_size(end - start)`` bytes from ``offset``.
    """
    pos = offset
    for chunk_start in range(start, end, CHUNK_CHARS):
        chunk_end = min(chunk_start + CHUNK_CHARS, end)
        decoded = _decode_piece(text[chunk_start:chunk_end], final=chunk_end == end)
        if decoded is None:
            return False
        out[pos : pos + len(decoded)] = decoded
        pos += len(decoded)
    return True
