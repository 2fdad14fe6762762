"""Field-level encryption (Mastercard scheme) of a 1 KB document, against RSA-OAEP-256."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from benchmarks.harness import Case
from xbsec import FieldLevelConfig, decrypt_fields, encrypt_fields
from xbsec.keys import certificate_pem, self_signed_certificate

OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _document() -> dict[str, Any]:
    doc: dict[str, Any] = {"payment": {"card": {"pan": "5123456789012345", "cvc": "123",
                                                "holder": "Zoë Ångström", "padding": ""},
                                       "amount": "10.00", "reference": "0999999034810154901"}}
    size = len(json.dumps(doc, separators=(",", ":")))
    doc["payment"]["card"]["padding"] = "x" * (1024 - size)
    return doc


def _config(folder: str, key: rsa.RSAPrivateKey) -> dict[str, Any]:
    key_path = os.path.join(folder, "key.pem")
    cert_path = os.path.join(folder, "cert.pem")
    with open(key_path, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM,
                                   serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    with open(cert_path, "wb") as fh:
        fh.write(certificate_pem(self_signed_certificate(key)))
    return {
        "paths": {"$": {"toEncrypt": {"payment.card": "payment.encryptedCard"},
                        "toDecrypt": {"payment.encryptedCard": "payment.card"}}},
        "ivFieldName": "iv", "encryptedKeyFieldName": "encryptedKey",
        "encryptedValueFieldName": "encryptedValue", "dataEncoding": "hex",
        "oaepPaddingDigestAlgorithm": "SHA-256",
        "encryptionCertificate": cert_path, "decryptionKey": key_path,
    }


def _peers(config: dict[str, Any], document: dict[str, Any],
           encrypted: dict[str, Any]) -> tuple[dict[str, Callable[[], object]],
                                               dict[str, Callable[[], object]]]:
    try:
        from client_encryption.field_level_encryption import decrypt_payload, encrypt_payload
        from client_encryption.field_level_encryption_config import FieldLevelEncryptionConfig
    except ImportError:
        return {}, {}
    theirs = FieldLevelEncryptionConfig(json.dumps(config))
    peer_encrypted = encrypt_payload(json.loads(json.dumps(document)), theirs)
    return ({"mastercard-client-encryption": lambda: encrypt_payload(
                json.loads(json.dumps(document)), theirs)},
            {"mastercard-client-encryption": lambda: decrypt_payload(
                json.loads(json.dumps(peer_encrypted)), theirs)})


def cases() -> list[Case]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    session_key = os.urandom(16)
    wrapped = public.encrypt(session_key, OAEP)
    folder = tempfile.mkdtemp(prefix="xbsec-bench-")
    raw_config = _config(folder, key)
    config = FieldLevelConfig.from_mastercard_json(raw_config)
    document = _document()
    encrypted = encrypt_fields(document, config).document
    encrypt_peers, decrypt_peers = _peers(raw_config, document, encrypted)  # type: ignore[arg-type]
    return [
        Case("Field-level encrypt, 1 KB (Mastercard scheme)",
             lambda: encrypt_fields(document, config), lambda: public.encrypt(session_key, OAEP),
             "RSA-OAEP-256 encrypt", target=0.55, peers=encrypt_peers),
        Case("Field-level decrypt, 1 KB (Mastercard scheme)",
             lambda: decrypt_fields(encrypted, config), lambda: key.decrypt(wrapped, OAEP),
             "RSA-OAEP-256 decrypt", target=0.93, peers=decrypt_peers),
    ]
