"""Opaque secrets (codes, access and refresh tokens, CSRF tokens) and how they are kept.

A secret is 32 random bytes from the operating system's CSPRNG, base64url without padding
(43 characters, 256 bits). Only its SHA-256 is stored, so a copy of the database lets
nobody call the Balance APIs; a plain hash suffices because the secret has full entropy
(no dictionary to try). ``shorten`` is the only form a secret may take in a message.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Final

__all__ = ["SECRET_BYTES", "looks_like_secret", "new_secret", "secret_hash", "shorten"]

SECRET_BYTES: Final = 32
_SECRET: Final = re.compile(r"[A-Za-z0-9_-]{43}")


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def looks_like_secret(value: str) -> bool:
    """Whether ``value`` has the form of a secret we issue (checked before hashing it)."""
    return _SECRET.fullmatch(value) is not None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def shorten(secret: str) -> str:
    """The first 8 characters and an ellipsis: enough to tell two secrets apart in a log."""
    return secret[:8] + "…"
