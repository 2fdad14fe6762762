"""Turning Wycheproof's JWK private keys into cryptography keys (RFC 7518 §6.3)."""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa


def _int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def rsa_private_key_from_jwk(jwk: dict[str, Any]) -> rsa.RSAPrivateKey:
    public = rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"]))
    numbers = rsa.RSAPrivateNumbers(
        p=_int(jwk["p"]),
        q=_int(jwk["q"]),
        d=_int(jwk["d"]),
        dmp1=_int(jwk["dp"]),
        dmq1=_int(jwk["dq"]),
        iqmp=_int(jwk["qi"]),
        public_numbers=public,
    )
    return numbers.private_key()
