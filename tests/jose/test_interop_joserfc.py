"""Both directions against joserfc, which refuses 16-byte GCM IVs (so do we, by default)."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.jose import CONTENT_ENCRYPTIONS, jwe_decrypt, jwe_encrypt
from xbsec.policy import SecurityPolicy

joserfc = pytest.importorskip("joserfc")

pytestmark = pytest.mark.interop

ENCS = sorted(CONTENT_ENCRYPTIONS)


@pytest.fixture(scope="module")
def their_key(rsa_key_2048: rsa.RSAPrivateKey) -> Any:
    from joserfc.jwk import RSAKey

    pem = rsa_key_2048.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return RSAKey.import_key(pem)


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", ["RSA-OAEP-256", "RSA-OAEP"])
def test_our_tokens_decrypt_in_joserfc(
    rsa_key_2048: rsa.RSAPrivateKey, their_key: Any, enc: str, alg: str
) -> None:
    from joserfc import jwe

    token = jwe_encrypt(b'{"a":1}', rsa_key_2048.public_key(), enc=enc, alg=alg)
    assert jwe.decrypt_compact(token, their_key, algorithms=[alg, enc]).plaintext == b'{"a":1}'


@pytest.mark.parametrize("enc", ["A128GCM", "A192GCM", "A256GCM"])
def test_joserfc_refuses_our_16_byte_iv_option(
    rsa_key_2048: rsa.RSAPrivateKey, their_key: Any, enc: str
) -> None:
    from joserfc import jwe

    token = jwe_encrypt(b'{"a":1}', rsa_key_2048.public_key(), enc=enc, iv_length=16)
    with pytest.raises(ValueError, match="iv"):
        jwe.decrypt_compact(token, their_key, algorithms=["RSA-OAEP-256", enc])


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", ["RSA-OAEP-256", "RSA-OAEP"])
def test_joserfc_tokens_decrypt_in_ours(
    rsa_key_2048: rsa.RSAPrivateKey,
    their_key: Any,
    compatible: SecurityPolicy,
    enc: str,
    alg: str,
) -> None:
    from joserfc import jwe

    token = jwe.encrypt_compact(
        {"alg": alg, "enc": enc}, b'{"b":2}', their_key, algorithms=[alg, enc]
    )
    assert jwe_decrypt(token, rsa_key_2048, policy=compatible) == b'{"b":2}'
