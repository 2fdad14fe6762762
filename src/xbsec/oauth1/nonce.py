"""OAuth 1.0a nonces: 16 characters from ``[0-9A-Za-z]`` out of a CSPRNG (SPEC §2.4)."""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["ALPHABET", "new_nonce"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_LIMIT = 256 - 256 % len(ALPHABET)  # rejection sampling keeps the 62 symbols uniform
# Bytes from _LIMIT up are dropped, every other byte is mapped to its symbol: one
# bytes.translate does the rejection sampling for a whole draw.
_SYMBOLS = bytes(ord(ALPHABET[byte % len(ALPHABET)]) for byte in range(256))
_REJECTED = bytes(range(_LIMIT, 256))


def new_nonce(length: int = 16, *, random_bytes: Callable[[int], bytes] = os.urandom) -> str:
    """A uniformly random alphanumeric nonce of ``length`` characters."""
    if length <= 0:
        return ""
    out = bytes(random_bytes(length * 2)).translate(_SYMBOLS, _REJECTED)
    while len(out) < length:
        out += bytes(random_bytes(length * 2)).translate(_SYMBOLS, _REJECTED)
    return out[:length].decode("ascii")
