"""Both directions against Mastercard's own Python library (mastercard-client-encryption).

Its JWE encryption always uses a 16-byte GCM IV (so ours must decrypt it under the
Mastercard-compatible policy), and its decryption never checks the GCM tag (SPEC §3.3):
the last test shows a tampered token that it accepts and xbsec refuses.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography import x509

from tests.conftest import peer_path
from xbsec.errors import DecryptionError
from xbsec.jose import jwe_decrypt, jwe_decrypt_with_header, jwe_encrypt
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.policy import SecurityPolicy

from .forge import b64d, flip_bit, joined, segments

client_encryption = pytest.importorskip("client_encryption")

pytestmark = pytest.mark.interop

PAYLOAD = {"quoterequest": {"transaction_reference": "0999999034810154901", "amount": "10.00"}}


@pytest.fixture(scope="module")
def config() -> Any:
    from client_encryption.jwe_encryption_config import JweEncryptionConfig

    return JweEncryptionConfig(
        {
            "paths": {"$": {"toEncrypt": {"$": "$"}, "toDecrypt": {"$": "$"}}},
            "encryptedValueFieldName": "encryptedValue",
            "encryptionCertificate": str(peer_path("mc_test_certificate-2048.pem")),
            "decryptionKey": str(peer_path("mc_test_key_pkcs8-2048.pem")),
        }
    )


def _their_decrypt(token: str, config: Any) -> Any:
    from client_encryption.jwe_encryption import decrypt_payload

    return decrypt_payload({"encryptedValue": token}, config)


def test_their_tokens_decrypt_in_ours(
    config: Any, mc_key: Any, mc_certificate: x509.Certificate, compatible: SecurityPolicy
) -> None:
    from client_encryption.jwe_encryption import encrypt_payload

    for _ in range(3):
        token = encrypt_payload(PAYLOAD, config)["encryptedValue"]
        plaintext, header = jwe_decrypt_with_header(token, mc_key, policy=compatible)
        assert json.loads(plaintext) == PAYLOAD
        assert header.kid == spki_sha256_hex(mc_certificate)
        assert len(b64d(segments(token)[2])) == 16
        with pytest.raises(DecryptionError):  # 16-byte IV: strict policy says no
            jwe_decrypt(token, mc_key)


@pytest.mark.parametrize("enc", ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256"])
@pytest.mark.parametrize("iv_length", [12, 16])
def test_our_tokens_decrypt_in_theirs(
    config: Any, mc_certificate: x509.Certificate, enc: str, iv_length: int
) -> None:
    token = jwe_encrypt(json.dumps(PAYLOAD).encode(), mc_certificate, enc=enc, iv_length=iv_length)
    assert _their_decrypt(token, config) == PAYLOAD


def test_a_tampered_tag_is_accepted_by_theirs_and_refused_by_ours(
    config: Any, mc_key: Any, mc_certificate: x509.Certificate
) -> None:
    token = jwe_encrypt(json.dumps(PAYLOAD).encode(), mc_certificate)
    parts = segments(token)
    parts[4] = flip_bit(parts[4])
    forged = joined(parts)
    assert _their_decrypt(forged, config) == PAYLOAD  # their defect: the tag is never checked
    with pytest.raises(DecryptionError):
        jwe_decrypt(forged, mc_key)
