"""Payload encryption: the XBS envelope around a JWE.

Whole body (what XBS uses, SPEC §3):

- ``encrypt_payload(plaintext, recipient, content_type=...)`` -> envelope bytes, and
  ``decrypt_payload(body, keys)`` -> plaintext: JWE (``xbsec.jose``) in the envelope;
- ``wrap`` / ``unwrap`` / ``detect_envelope`` / ``is_encrypted_envelope``: the
  ``{"encrypted_payload":{"data":"<JWE>"}}`` and ``<encrypted_payload><data>`` forms,
  chosen by Content-Type, read strictly.
"""

from xbsec.payload.encrypted_body import decrypt_payload, encrypt_payload
from xbsec.payload.envelope import detect_envelope, is_encrypted_envelope, unwrap, wrap
from xbsec.payload.media_type import EnvelopeFormat, envelope_format

__all__ = [
    "EnvelopeFormat",
    "decrypt_payload",
    "detect_envelope",
    "encrypt_payload",
    "envelope_format",
    "is_encrypted_envelope",
    "unwrap",
    "wrap",
]
