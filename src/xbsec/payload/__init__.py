"""Payload encryption: the XBS envelope, and field-level encryption of JSON documents.

Whole body (what XBS uses, SPEC §3):

- ``encrypt_payload(plaintext, recipient, content_type=...)`` -> envelope bytes, and
  ``decrypt_payload(body, keys)`` -> plaintext: JWE (``xbsec.jose``) in the envelope;
- ``wrap`` / ``unwrap`` / ``detect_envelope`` / ``is_encrypted_envelope``: the
  ``{"encrypted_payload":{"data":"<JWE>"}}`` and ``<encrypted_payload><data>`` forms,
  chosen by Content-Type, read strictly.

Field level (other Mastercard APIs, SPEC §4), compatible with ``mastercard-client-encryption``
configuration files (``from_mastercard_json``):

- ``encrypt_fields(document, config)`` -> ``EncryptedFields`` (document, headers, body);
  ``decrypt_fields(document, config, headers=...)`` -> document;
- ``JweFieldConfig``: each field an AES-GCM JWE. Integrity protected.
- ``FieldLevelConfig``: the Mastercard scheme, AES-CBC without a MAC. **Not integrity
  protected**: a modified ciphertext decrypts to modified data (or fails) and nothing can
  notice. Use it only where the other side requires it.
"""

from xbsec.payload.encrypted_body import decrypt_payload, encrypt_payload
from xbsec.payload.envelope import detect_envelope, is_encrypted_envelope, unwrap, wrap
from xbsec.payload.field_config import FieldConfig, FieldLevelConfig, FieldRule, JweFieldConfig
from xbsec.payload.field_encryption import (
    Document,
    EncryptedFields,
    decrypt_fields,
    encrypt_fields,
)
from xbsec.payload.field_paths import FieldPath
from xbsec.payload.json_document import JsonValue
from xbsec.payload.media_type import EnvelopeFormat, envelope_format

__all__ = [
    "Document",
    "EncryptedFields",
    "EnvelopeFormat",
    "FieldConfig",
    "FieldLevelConfig",
    "FieldPath",
    "FieldRule",
    "JsonValue",
    "JweFieldConfig",
    "decrypt_fields",
    "decrypt_payload",
    "detect_envelope",
    "encrypt_fields",
    "encrypt_payload",
    "envelope_format",
    "is_encrypted_envelope",
    "unwrap",
    "wrap",
]
