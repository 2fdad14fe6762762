"""Percent-encoding and body hash for OAuth 1.0a (SPEC §2.4, §2.5)."""

from __future__ import annotations

import binascii
import hashlib
from urllib.parse import quote

__all__ = ["EMPTY_BODY_HASH", "body_hash", "js_encode_uri_component", "pct"]

EMPTY_BODY_HASH = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
"""``oauth_body_hash`` of an empty body (SPEC §2.4)."""


def pct(value: str) -> str:
    """RFC 3986 percent-encoding: everything but ``A-Z a-z 0-9 - . _ ~``, upper-case hex, UTF-8.

    ``quote`` with no extra safe characters keeps exactly the RFC 3986 unreserved set, which
    equals Mastercard's Java (``URLEncoder`` plus fix-ups) and Python encoders (SPEC §2.5).
    Nonces and timestamps are alphanumeric, and body hashes standard base64, so they skip
    ``quote``'s per-byte loop.
    """
    if value.isascii():
        if value.isalnum():
            return value
        if value.replace("+", "a").replace("/", "a").replace("=", "a").isalnum():
            return pct_base64(value)
    return quote(value, safe="")


def pct_base64(value: str) -> str:
    """``pct`` of a standard base64 string (only ``+``, ``/`` and ``=`` need escaping)."""
    return value.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def js_encode_uri_component(value: str) -> str:
    """JavaScript ``encodeURIComponent``: like ``pct`` but leaves ``!'()*`` as they are."""
    return quote(value, safe="!'()*")


def body_hash(body: bytes) -> str:
    """base64(SHA-256(body)), standard alphabet with padding; computed for every method."""
    return binascii.b2a_base64(hashlib.sha256(body).digest(), newline=False).decode("ascii")
