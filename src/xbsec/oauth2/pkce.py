"""PKCE (RFC 7636): a one-time verifier kept by the client, its S256 challenge sent ahead.

The authorization request carries ``code_challenge = BASE64URL(SHA256(verifier))`` and
``code_challenge_method=S256``; the token request carries the verifier itself. A code
intercepted on its way back to the loopback listener is useless without the verifier,
which never left this process. ``plain`` is not offered: RFC 7636 §4.2 keeps it only for
clients that cannot compute SHA-256.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from xbsec.errors import ConfigurationError
from xbsec.jose import b64

__all__ = ["PKCE_METHOD", "Pkce", "s256_challenge"]

PKCE_METHOD: Final = "S256"

_VERIFIER: Final = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636 §4.1: unreserved
_ENTROPY_BYTES: Final = 32  # RFC 7636 §7.1: 32 octets give a 43-character verifier


def s256_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` for a verifier of RFC 7636 §4.1 form."""
    if not isinstance(verifier, str) or not _VERIFIER.fullmatch(verifier):
        raise ConfigurationError("a PKCE code verifier is 43 to 128 characters of "
                                 "A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)")
    return b64.encode_str(hashlib.sha256(verifier.encode("ascii")).digest())


@dataclass(frozen=True, slots=True)
class Pkce:
    """A verifier and its challenge. The verifier is secret until the code is exchanged."""

    verifier: str = field(repr=False)
    challenge: str
    method: str = PKCE_METHOD

    @classmethod
    def generate(cls, random_bytes: Callable[[int], bytes] = os.urandom) -> Pkce:
        """A fresh verifier from 32 random octets (43 characters) and its S256 challenge."""
        raw = random_bytes(_ENTROPY_BYTES)
        if len(raw) != _ENTROPY_BYTES:
            raise ConfigurationError(f"random_bytes returned {len(raw)} bytes, not "
                                     f"{_ENTROPY_BYTES}")
        return cls.from_verifier(b64.encode_str(raw))

    @classmethod
    def from_verifier(cls, verifier: str) -> Pkce:
        """The pair for a given verifier (RFC 7636 Appendix B, or a resumed login)."""
        return cls(verifier, s256_challenge(verifier))
