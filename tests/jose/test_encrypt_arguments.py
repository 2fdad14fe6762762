"""Arguments jwe_encrypt cannot use are configuration errors, said plainly."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec.errors import ConfigurationError, KeyMaterialError
from xbsec.jose import jwe_encrypt


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("enc", "A128KW"),
        ("enc", "A256gcm"),
        ("alg", "RSA1_5"),
        ("alg", "dir"),
        ("alg", "RSA-OAEP-512"),
        ("iv_length", 8),
        ("iv_length", 32),
        ("kid", 123),
        ("cty", b"application/json"),
    ],
)
def test_unusable_options_are_configuration_errors(
    rsa_key_2048: rsa.RSAPrivateKey, option: str, value: Any
) -> None:
    with pytest.raises(ConfigurationError):
        jwe_encrypt(b"x", rsa_key_2048.public_key(), **{option: value})


def test_text_plaintext_is_refused_with_advice(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationError, match="UTF-8"):
        jwe_encrypt("text", rsa_key_2048.public_key())  # type: ignore[arg-type]


def test_a_random_source_that_returns_too_few_bytes_is_refused(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    with pytest.raises(ConfigurationError, match="random_bytes"):
        jwe_encrypt(b"x", rsa_key_2048.public_key(), random_bytes=lambda n: b"\0" * (n - 1))


def test_ec_and_private_keys_are_not_recipients(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    for recipient in (ec_key.public_key(), rsa_key_2048, "not a key"):
        with pytest.raises(KeyMaterialError, match="RSA"):
            jwe_encrypt(b"x", recipient)  # type: ignore[arg-type]


def test_an_ec_certificate_is_not_a_recipient() -> None:
    from .conftest import certificate_for

    ec_key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate_for(ec_key)  # type: ignore[arg-type]
    with pytest.raises(KeyMaterialError, match="RSA"):
        jwe_encrypt(b"x", cert)


def test_rsa_keys_under_2048_bits_are_refused() -> None:
    # A key too small to use, made only to show that it is refused.
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    with pytest.raises(KeyMaterialError, match="1024-bit"):
        jwe_encrypt(b"x", small.public_key())


@pytest.mark.parametrize("live_objects", [3, 70])
def test_recipient_keys_reused_or_many_at_once_each_get_their_own_kid(
    rsa_key_2048: rsa.RSAPrivateKey, other_rsa_key_2048: rsa.RSAPrivateKey, live_objects: int
) -> None:
    # Public keys are remembered by object: a few reused ones, and more than the memo holds.
    from xbsec.jose import jwe_decrypt_with_header
    from xbsec.keys.fingerprints import spki_sha256_hex

    keys = (rsa_key_2048, other_rsa_key_2048)
    pairs = [(key, key.public_key()) for _ in range(live_objects) for key in keys]
    for _ in range(2):
        for key, public in pairs:
            header = jwe_decrypt_with_header(jwe_encrypt(b"x", public), key)[1]
            assert header.kid == spki_sha256_hex(key)
