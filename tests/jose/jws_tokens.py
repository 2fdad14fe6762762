"""Build compact JWS tokens by hand, with any header and any signature bytes.

A rule of the verifier must be shown to refuse a token *because of the rule*: ``forge``
signs correctly (RS256 or ES256 by the key given) under any header bytes, so a refusal of a
forged token can only come from the rule, and each rule test also shows a clean forge passing.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def raw_signature(key: Any, data: bytes) -> bytes:
    """RS256 for an RSA key, ES256 (r || s) for an EC key, whatever the header says."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def forge(header: dict[str, Any] | bytes, payload: bytes, key: Any) -> str:
    """A compact JWS of ``payload`` under ``header`` (dict or raw JSON bytes), signed by ``key``."""
    raw_header = header if isinstance(header, bytes) else encode_json(header)
    signing_input = f"{b64e(raw_header)}.{b64e(payload)}"
    return f"{signing_input}.{b64e(raw_signature(key, signing_input.encode('ascii')))}"


def segments(token: str) -> tuple[dict[str, Any], bytes, bytes]:
    """(header, payload, signature) of a compact JWS, decoded leniently for inspection."""
    header, payload, signature = token.split(".")
    return json.loads(b64d(header)), b64d(payload), b64d(signature)
