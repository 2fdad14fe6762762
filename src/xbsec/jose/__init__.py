"""JOSE for XBS: JWE (SPEC §3) and JWS (request tokens, SPEC §5) on ``cryptography``.

- ``jwe_encrypt`` / ``jwe_decrypt`` / ``jwe_decrypt_with_header`` / ``jwe_header``
  (``jwe.py``), with ``JweHeader`` (``header.py``) and ``JweKeyring`` (``keyring.py``);
- the content ciphers (``content.py``), which the field-level scheme reuses for AES-CBC;
- RSA-OAEP key wrapping (``keywrap.py``) and strict base64url (``b64.py``).
"""

from xbsec.jose.content import (
    CONTENT_ENCRYPTIONS,
    aes_cbc_decrypt,
    aes_cbc_encrypt,
    aes_gcm_decrypt,
    aes_gcm_encrypt,
)
from xbsec.jose.header import JweHeader
from xbsec.jose.jwe import Recipient, jwe_decrypt, jwe_decrypt_with_header, jwe_encrypt, jwe_header
from xbsec.jose.jws import JWS_ALGORITHMS, JwsSigner, UnverifiedJws, jws_parse, jws_sign, jws_verify
from xbsec.jose.keyring import DecryptionKeys, JweKeyring
from xbsec.jose.keywrap import KEY_ALGORITHMS, rsa_oaep_unwrap, rsa_oaep_wrap

__all__ = [
    "CONTENT_ENCRYPTIONS",
    "JWS_ALGORITHMS",
    "KEY_ALGORITHMS",
    "DecryptionKeys",
    "JweHeader",
    "JweKeyring",
    "JwsSigner",
    "Recipient",
    "UnverifiedJws",
    "aes_cbc_decrypt",
    "aes_cbc_encrypt",
    "aes_gcm_decrypt",
    "aes_gcm_encrypt",
    "jwe_decrypt",
    "jwe_decrypt_with_header",
    "jwe_encrypt",
    "jwe_header",
    "jws_parse",
    "jws_sign",
    "jws_verify",
    "rsa_oaep_unwrap",
    "rsa_oaep_wrap",
]
