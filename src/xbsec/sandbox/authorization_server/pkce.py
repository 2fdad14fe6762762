"""PKCE with ``S256`` only (RFC 7636): the code challenge and the verifier that answers it.

``plain`` is refused: with it the challenge is the verifier, and anyone who sees the
authorization request can redeem an intercepted code (RFC 7636 §7.2).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Final

from xbsec.jose import b64

__all__ = ["METHOD", "is_challenge", "is_verifier", "s256", "verifier_matches"]

METHOD: Final = "S256"

# RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
_VERIFIER: Final = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# The challenge is base64url(SHA-256(verifier)), 43 characters; RFC 7636 §4.2 allows a
# challenge of the verifier's length range, and so do we, but only in base64url.
_CHALLENGE: Final = re.compile(r"[A-Za-z0-9\-_]{43,128}")


def is_verifier(value: str) -> bool:
    return _VERIFIER.fullmatch(value) is not None


def is_challenge(value: str) -> bool:
    return _CHALLENGE.fullmatch(value) is not None


def s256(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` (RFC 7636 §4.2)."""
    return b64.encode_str(hashlib.sha256(verifier.encode("ascii")).digest())


def verifier_matches(verifier: str, challenge: str) -> bool:
    """Whether ``verifier`` answers ``challenge``; compared in constant time."""
    if not is_verifier(verifier):
        return False
    return hmac.compare_digest(s256(verifier).encode("ascii"), challenge.encode("ascii"))
