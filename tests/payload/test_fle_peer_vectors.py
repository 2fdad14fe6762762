"""Every field-level vector from Mastercard's Python library decrypts to its plaintext
(peer-vectors/fle_vectors.json, key mc_test_key_pkcs8-2048.pem), and the bare AES-CBC vector
holds for the content cipher the scheme uses."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import load_peer
from xbsec.jose import aes_cbc_decrypt, aes_cbc_encrypt
from xbsec.payload import FieldLevelConfig, decrypt_fields

VECTORS: dict[str, Any] = load_peer("fle_vectors.json")
NODES = VECTORS["vectors"]
OAEP_FIELDS = ("oaepHashingAlgorithm", "oaepHashingAlgo")
KEY_FINGERPRINT_FIELDS = ("encryptionKeyFingerprint", "keyFingerprint")
CERT_FINGERPRINT_FIELDS = ("encryptionCertificateFingerprint", "certFingerprint")


def _field(node: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in node), None)


def test_there_are_eleven_vectors() -> None:
    assert len(NODES) == 11


@pytest.mark.parametrize("vector", NODES, ids=[f"{i}-{v['encoding']}" for i, v in enumerate(NODES)])
def test_vector_decrypts_to_its_plaintext(
    vector: dict[str, Any], peer_key: rsa.RSAPrivateKey
) -> None:
    node = vector["node"]
    config = FieldLevelConfig(
        to_decrypt={"$.encryptedThing": "$.thing"},
        decryption_keys=peer_key,
        data_encoding=vector["encoding"],
        oaep_digest=vector["oaep"],
        oaep_digest_field_name=_field(node, OAEP_FIELDS),
        encryption_key_fingerprint_field_name=_field(node, KEY_FINGERPRINT_FIELDS),
        encryption_certificate_fingerprint_field_name=_field(node, CERT_FINGERPRINT_FIELDS),
    )
    document = {"encryptedThing": dict(node), "other": 1}
    assert decrypt_fields(document, config) == {
        "thing": json.loads(vector["plaintext"]),
        "other": 1,
    }


def test_aes_cbc_primitive_vector() -> None:
    primitive = VECTORS["aes_cbc_primitive"]
    key = base64.b64decode(primitive["aes_key_b64"])
    iv = base64.b64decode(primitive["iv_b64"])
    ciphertext = base64.b64decode(primitive["ciphertext_b64"])
    plaintext = primitive["plaintext"].encode("utf-8")
    assert aes_cbc_encrypt(key, iv, plaintext) == ciphertext
    assert aes_cbc_decrypt(key, iv, ciphertext) == plaintext
