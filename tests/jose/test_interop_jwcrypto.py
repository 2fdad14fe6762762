"""Both directions against jwcrypto, for both key algorithms and every enc."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.jose import CONTENT_ENCRYPTIONS, jwe_decrypt, jwe_encrypt
from xbsec.policy import SecurityPolicy

jwcrypto = pytest.importorskip("jwcrypto")

pytestmark = pytest.mark.interop

ENCS = sorted(CONTENT_ENCRYPTIONS)
# Named explicitly, so a change of jwcrypto's defaults cannot switch anything on or off.
ALGS = ["RSA-OAEP-256", "RSA-OAEP", *ENCS]


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", ["RSA-OAEP-256", "RSA-OAEP"])
@pytest.mark.parametrize("iv_length", [12, 16])
def test_our_tokens_decrypt_in_jwcrypto(
    rsa_key_2048: rsa.RSAPrivateKey, enc: str, alg: str, iv_length: int
) -> None:
    from jwcrypto import jwe, jwk

    token = jwe_encrypt(
        b'{"a":1}', rsa_key_2048.public_key(), enc=enc, alg=alg, iv_length=iv_length
    )
    received = jwe.JWE(algs=ALGS)
    received.deserialize(token, key=jwk.JWK.from_pyca(rsa_key_2048))
    assert received.payload == b'{"a":1}'


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", ["RSA-OAEP-256", "RSA-OAEP"])
def test_jwcrypto_tokens_decrypt_in_ours(
    rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy, enc: str, alg: str
) -> None:
    from jwcrypto import jwe, jwk

    protected = json.dumps({"alg": alg, "enc": enc, "kid": "jwcrypto", "cty": "application/xml"})
    sent = jwe.JWE(
        b"<a>1</a>",
        protected=protected,
        recipient=jwk.JWK.from_pyca(rsa_key_2048.public_key()),
        algs=ALGS,
    )
    token = sent.serialize(compact=True)
    assert jwe_decrypt(token, rsa_key_2048, policy=compatible) == b"<a>1</a>"
