"""EC and small RSA keys for the JWS tests, made once per session (RSA-2048 is in conftest)."""

from __future__ import annotations

import functools

from cryptography.hazmat.primitives.asymmetric import ec, rsa


@functools.cache
def p256_key(index: int = 0) -> ec.EllipticCurvePrivateKey:
    """The ``index``-th P-256 key of the session."""
    return ec.generate_private_key(ec.SECP256R1())


@functools.cache
def p384_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


@functools.cache
def rsa_1024_key() -> rsa.RSAPrivateKey:
    # Too small on purpose: the tests show such a key is refused.
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
