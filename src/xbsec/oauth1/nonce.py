"""OAuth 1.0a nonces: 16 characters from ``[0-9A-Za-z]`` out of a CSPRNG (SPEC §2.4)."""

from __future__ import annotations

import os
from collections.abc import Callable

__all__ = ["ALPHABET", "new_nonce"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_LIMIT = 256 - 256 % len(ALPHABET)  # rejection sampling keeps the 62 symbols uniform


def new_nonce(length: int = 16, *, random_bytes: Callable[[int], bytes] = os.urandom) -> str:
    """A uniformly random alphanumeric nonce of ``length`` characters."""
    out: list[str] = []
    while len(out) < length:
        for byte in random_bytes(length * 2):
            if byte < _LIMIT:
                out.append(ALPHABET[byte % 62])
                if len(out) == length:
                    break
    return "".join(out)
