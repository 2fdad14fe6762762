"""A whole XBS body encrypted: JWE of the plaintext document, in the envelope (SPEC §3).

``encrypt_payload`` is what a client does to a request body (and the gateway to a response):
JWE with ``cty`` set to the media type (SPEC §3.3), then ``wrap``. ``decrypt_payload`` is the
reverse: ``unwrap``, then JWE decryption with the tag always verified. The bytes returned by
``encrypt_payload`` are the bytes to sign and send (SPEC §1: the OAuth 1.0a body hash covers
the wrapped ciphertext).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from xbsec.errors import ConfigurationError
from xbsec.jose.jwe import Recipient, jwe_decrypt, jwe_encrypt
from xbsec.jose.keyring import DecryptionKeys
from xbsec.payload.envelope import unwrap, wrap
from xbsec.payload.media_type import envelope_format, media_type
from xbsec.policy import SecurityPolicy

__all__ = ["decrypt_payload", "encrypt_payload"]


def encrypt_payload(
    plaintext: bytes,
    recipient: Recipient,
    *,
    content_type: str = "application/json",
    kid: str | None = None,
    enc: str = "A256GCM",
    iv_length: int = 12,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> bytes:
    """The envelope body for ``plaintext`` (the complete document, UTF-8) encrypted to
    ``recipient`` (Mastercard's client-encryption certificate, or its public key).

    ``content_type`` picks the envelope (JSON or XML) and becomes the JWE ``cty`` without its
    parameters. ``kid`` defaults to the recipient's SPKI SHA-256 hex (SPEC §3.4); ``enc``,
    ``iv_length`` and ``random_bytes`` are passed to ``jwe_encrypt``.

    Raises ``ConfigurationError`` for a Content-Type without an envelope and
    ``KeyMaterialError`` for a recipient that cannot be used.
    """
    if not isinstance(content_type, str) or envelope_format(content_type) is None:
        raise ConfigurationError(
            f"no encrypted_payload envelope for Content-Type {content_type!r}; "
            "use application/json or application/xml"
        )
    token = jwe_encrypt(
        plaintext,
        recipient,
        kid=kid,
        cty=media_type(content_type),
        enc=enc,
        iv_length=iv_length,
        random_bytes=random_bytes,
    )
    return wrap(token, content_type)


def decrypt_payload(
    body: bytes,
    keys: DecryptionKeys,
    *,
    content_type: str | None = None,
    policy: SecurityPolicy | None = None,
    allow_extra_members: bool = False,
) -> bytes:
    """The plaintext document inside an envelope body.

    ``content_type`` is the message's Content-Type (``None``: detect the envelope);
    ``keys`` and ``policy`` are as for ``jwe_decrypt`` (use
    ``SecurityPolicy.mastercard_compatible()`` for bodies from Mastercard's own libraries).

    Raises ``PayloadError`` when the envelope is wrong (see ``unwrap``) and the one opaque
    ``DecryptionError`` when the JWE inside does not decrypt.
    """
    token = unwrap(body, content_type, policy=policy, allow_extra_members=allow_extra_members)
    return jwe_decrypt(token, keys, policy=policy)
