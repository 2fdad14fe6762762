"""Content encryption: AES-GCM and AES-CBC-HMAC-SHA2 (RFC 7518 §5), and bare AES-CBC.

The JWE ``enc`` ciphers work on a *sealed* buffer, ``ciphertext || tag``, which is what
``AESGCM`` takes and returns; the compact serialisation splits and joins it with views, so a
large payload is not copied for the sake of the tag.

Every decryption failure raises one ``DecryptionError`` ("decryption failed"), whatever the
cause: wrong key or IV length, short or modified tag, bad padding.

``aes_cbc_encrypt``/``aes_cbc_decrypt`` are AES-CBC with PKCS#7 padding and *no*
authentication, for the legacy field-level scheme (SPEC §4.2). They are not a JWE ``enc``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection, Mapping
from typing import Any, Final, TypeAlias

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hmac import HMAC

from xbsec.errors import ConfigurationError, DecryptionError

__all__ = [
    "CONTENT_ENCRYPTIONS",
    "GCM_TAG_SIZE",
    "AesCbcHmac",
    "AesGcm",
    "ContentEncryption",
    "aes_cbc_decrypt",
    "aes_cbc_encrypt",
    "aes_gcm_decrypt",
    "aes_gcm_encrypt",
]

Buffer: TypeAlias = bytes | bytearray | memoryview

GCM_TAG_SIZE: Final = 16
"""AES-GCM tags are always the full 128 bits here (RFC 7518 §5.3); shorter ones are refused."""
_BLOCK: Final = 16
_AES_KEY_SIZES: Final = frozenset({16, 24, 32})
_PKCS7: Final = padding.PKCS7(128)


class AesGcm:
    """``A128GCM``/``A192GCM``/``A256GCM`` (RFC 7518 §5.3)."""

    __slots__ = ("key_size", "name")
    tag_size: Final = GCM_TAG_SIZE

    def __init__(self, name: str, key_size: int) -> None:
        self.name = name
        self.key_size = key_size

    def iv_size(self, gcm_iv_length: int) -> int:
        """IV length to emit: the caller's choice (12, or 16 for Mastercard, SPEC §3.3)."""
        return gcm_iv_length

    def accepts_iv(self, size: int, gcm_iv_lengths: Collection[int]) -> bool:
        return size in gcm_iv_lengths

    def seal(self, key: bytes, iv: bytes, plaintext: Buffer, aad: bytes) -> bytes:
        """``ciphertext || tag``."""
        return AESGCM(key).encrypt(iv, plaintext, aad)

    def open(self, key: bytes, iv: bytes, sealed: Buffer, aad: bytes) -> bytes:
        """Plaintext of ``ciphertext || tag``, or ``DecryptionError``."""
        try:
            return AESGCM(key).decrypt(iv, sealed, aad)
        except (InvalidTag, ValueError):
            raise DecryptionError() from None


class AesCbcHmac:
    """``A128CBC-HS256``/``A192CBC-HS384``/``A256CBC-HS512`` (RFC 7518 §5.2).

    The first half of the key is the HMAC key, the second half the AES key; the tag is the
    first half of HMAC(A || IV || E || AL). The tag is checked (in constant time) before
    any padding is looked at, so there is no padding oracle.
    """

    __slots__ = ("_hash", "key_size", "name", "tag_size")

    def __init__(self, name: str, key_size: int, hash_algorithm: hashes.HashAlgorithm) -> None:
        self.name = name
        self.key_size = key_size
        self.tag_size = key_size // 2
        self._hash = hash_algorithm

    def iv_size(self, gcm_iv_length: int) -> int:
        """Always one AES block: the GCM IV choice does not apply (RFC 7518 §5.2.2.1)."""
        return _BLOCK

    def accepts_iv(self, size: int, gcm_iv_lengths: Collection[int]) -> bool:
        return size == _BLOCK

    def _tag(self, mac_key: bytes, aad: bytes, iv: bytes, ciphertext: Buffer) -> bytes:
        mac = HMAC(mac_key, self._hash)
        mac.update(aad)
        mac.update(iv)
        mac.update(ciphertext)
        mac.update((len(aad) * 8).to_bytes(8, "big"))
        return mac.finalize()[: self.tag_size]

    def seal(self, key: bytes, iv: bytes, plaintext: Buffer, aad: bytes) -> bytes:
        half = len(key) // 2
        ciphertext = aes_cbc_encrypt(key[half:], iv, plaintext)
        return ciphertext + self._tag(key[:half], aad, iv, ciphertext)

    def open(self, key: bytes, iv: bytes, sealed: Buffer, aad: bytes) -> bytes:
        view = memoryview(sealed)
        body = len(view) - self.tag_size
        if len(key) != self.key_size or body <= 0 or body % _BLOCK:
            raise DecryptionError()
        half = len(key) // 2
        ciphertext = view[:body]
        if not hmac.compare_digest(self._tag(key[:half], aad, iv, ciphertext), view[body:]):
            raise DecryptionError()
        return aes_cbc_decrypt(key[half:], iv, ciphertext)


ContentEncryption: TypeAlias = AesGcm | AesCbcHmac

CONTENT_ENCRYPTIONS: Final[Mapping[str, ContentEncryption]] = {
    c.name: c
    for c in (
        AesGcm("A128GCM", 16),
        AesGcm("A192GCM", 24),
        AesGcm("A256GCM", 32),
        AesCbcHmac("A128CBC-HS256", 32, hashes.SHA256()),
        AesCbcHmac("A192CBC-HS384", 48, hashes.SHA384()),
        AesCbcHmac("A256CBC-HS512", 64, hashes.SHA512()),
    )
}
"""Every JWE ``enc`` this package implements, by name."""


def aes_gcm_encrypt(
    key: bytes, iv: bytes, plaintext: Buffer, aad: bytes = b""
) -> tuple[bytes, bytes]:
    """AES-GCM: ``(ciphertext, 16-byte tag)``. ``key`` is 16, 24 or 32 bytes."""
    if len(key) not in _AES_KEY_SIZES or not 8 <= len(iv) <= 128:
        raise ConfigurationError("AES-GCM needs a 16, 24 or 32-byte key and an 8 to 128-byte IV")
    sealed = AESGCM(key).encrypt(iv, plaintext, aad)
    return sealed[:-GCM_TAG_SIZE], sealed[-GCM_TAG_SIZE:]


def aes_gcm_decrypt(
    key: bytes,
    iv: bytes,
    ciphertext: Buffer,
    tag: bytes,
    aad: bytes = b"",
    *,
    iv_lengths: Collection[int] = frozenset({12}),
) -> bytes:
    """AES-GCM decryption with a full 16-byte tag and an IV length from ``iv_lengths``.

    ``iv_lengths`` is the policy's ``jwe_gcm_iv_lengths``: 12 by default, 16 as well for
    Mastercard's libraries (SPEC §3.3).
    """
    if len(tag) != GCM_TAG_SIZE or len(iv) not in iv_lengths or len(key) not in _AES_KEY_SIZES:
        raise DecryptionError()
    sealed = bytearray(len(ciphertext) + GCM_TAG_SIZE)
    sealed[: len(ciphertext)] = ciphertext
    sealed[len(ciphertext) :] = tag
    try:
        return AESGCM(key).decrypt(iv, sealed, aad)
    except (InvalidTag, ValueError):
        raise DecryptionError() from None


def _public_contexts(algorithm: algorithms.AES, mode: modes.CBC, encrypt: bool) -> Any:
    cipher = Cipher(algorithm, mode)
    return cipher.encryptor() if encrypt else cipher.decryptor()


def _cbc_contexts() -> Callable[[algorithms.AES, modes.CBC, bool], Any]:
    """How an AES-CBC context is made: straight from ``cryptography``'s Rust binding, where
    it has the function ``Cipher.encryptor()`` and ``decryptor()`` end in, else by
    ``Cipher``.

    ``Cipher`` checks its arguments' types and the IV length through several abstract-class
    checks, which cost more than encrypting a small field; here the arguments are ours and
    already checked (key size by ``algorithms.AES``, IV length by the callers). The direct
    way is used only if it gives what ``Cipher`` gives on a known vector.
    """
    try:
        from cryptography.hazmat.bindings._rust import openssl as rust_openssl

        create_encryption = rust_openssl.ciphers.create_encryption_ctx
        create_decryption = rust_openssl.ciphers.create_decryption_ctx

        def direct(algorithm: algorithms.AES, mode: modes.CBC, encrypt: bool) -> Any:
            create = create_encryption if encrypt else create_decryption
            return create(algorithm, mode)

        key, iv, block = bytes(range(16)), bytes(range(16, 32)), bytes(range(32, 64))
        sealed = direct(algorithms.AES(key), modes.CBC(iv), True).update(block)
        if (sealed != _public_contexts(algorithms.AES(key), modes.CBC(iv), True).update(block)
                or direct(algorithms.AES(key), modes.CBC(iv), False).update(sealed) != block):
            return _public_contexts
        return direct
    except Exception:  # another version of cryptography: the public way
        return _public_contexts


_cbc_context: Final = _cbc_contexts()


def aes_cbc_encrypt(key: bytes, iv: bytes, plaintext: Buffer) -> bytes:
    """AES-CBC with PKCS#7 padding. ``key`` is 16, 24 or 32 bytes, ``iv`` 16 bytes."""
    if len(key) not in _AES_KEY_SIZES or len(iv) != _BLOCK:
        raise ConfigurationError("AES-CBC needs a 16, 24 or 32-byte key and a 16-byte IV")
    # PKCS#7 padding written out: it depends only on the length, and cryptography's padder
    # objects cost more than the AES itself on a small field.
    fill = _BLOCK - len(plaintext) % _BLOCK
    encryptor = _cbc_context(algorithms.AES(key), modes.CBC(iv), True)
    sealed: bytes = encryptor.update(bytes(plaintext) + bytes((fill,)) * fill)
    last: bytes = encryptor.finalize()
    return sealed + last


def aes_cbc_decrypt(key: bytes, iv: bytes, ciphertext: Buffer) -> bytes:
    """AES-CBC decryption and PKCS#7 unpadding, or ``DecryptionError``.

    Not authenticated: where the ciphertext is attacker-controlled, authenticate it first
    (as ``AesCbcHmac`` does). The padding check itself is ``cryptography``'s constant-time one.
    """
    if len(key) not in _AES_KEY_SIZES or len(iv) != _BLOCK:
        raise DecryptionError()
    if not len(ciphertext) or len(ciphertext) % _BLOCK:
        raise DecryptionError()
    decryptor = _cbc_context(algorithms.AES(key), modes.CBC(iv), False)
    unpadder = _PKCS7.unpadder()
    try:
        opened: bytes = decryptor.update(ciphertext) + decryptor.finalize()
        return unpadder.update(opened) + unpadder.finalize()
    except ValueError:
        raise DecryptionError() from None
