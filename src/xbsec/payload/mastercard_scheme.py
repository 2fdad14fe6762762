"""One field in the Mastercard scheme: sealing a value into a node, opening a node (SPEC §4.2).

A node (field mode)::

    {"encryptedValue": "<AES-128-CBC(PKCS#7(JSON of the value))>",
     "encryptedKey": "<RSA-OAEP(session key)>", "iv": "<16 bytes>",
     ["oaepHashingAlgorithm": "SHA256"], [fingerprints]}

hex or base64 throughout. In header mode only ``encryptedValue`` stays in the node and the
rest travels in HTTP headers named by the same configuration names.

No MAC: a changed ciphertext decrypts to changed plaintext, or fails on padding or UTF-8.
Whatever fails is one ``DecryptionError``; nothing here can tell a forgery from a message.

Sealing draws one session key per document and wraps it once: every node carries the same
wrapped key and its own fresh IV, which Mastercard's libraries read like any other node
(they draw a key per field, costing one RSA operation each). Header mode has room for one IV
only, so there every field shares key *and* IV, as in Mastercard's libraries.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Final

from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, DecryptionError, PayloadError
from xbsec.jose.content import aes_cbc_decrypt, aes_cbc_encrypt
from xbsec.jose.keyring import JweKeyring
from xbsec.payload.field_config import FieldLevelConfig
from xbsec.payload.field_paths import add_fields
from xbsec.payload.json_document import JsonValue, parse_plaintext
from xbsec.payload.session_key import (
    SESSION_KEY_SIZE,
    oaep_digest,
    unwrap_session_key,
    wrap_session_key,
)
from xbsec.payload.value_encoding import decode_value, encode_value

__all__ = ["MastercardOpener", "MastercardSealer"]

_IV_SIZE: Final = 16


def _draw(random_bytes: Callable[[int], bytes], size: int) -> bytes:
    data = random_bytes(size)
    if not isinstance(data, bytes) or len(data) != size:
        raise ConfigurationError("random_bytes returned the wrong number of bytes")
    return data


class MastercardSealer:
    """Seals values for one document (one session key, drawn on first use)."""

    __slots__ = ("_config", "_iv", "_key", "_public_key", "_random_bytes", "_wrapped")

    def __init__(
        self,
        config: FieldLevelConfig,
        public_key: rsa.RSAPublicKey,
        random_bytes: Callable[[int], bytes],
    ) -> None:
        self._config = config
        self._public_key = public_key
        self._random_bytes = random_bytes
        self._key: bytes | None = None
        self._wrapped = ""
        self._iv: bytes | None = None

    def _session_key(self) -> bytes:
        if self._key is None:
            key = _draw(self._random_bytes, SESSION_KEY_SIZE)
            wrapped = wrap_session_key(self._public_key, key, self._config.oaep_digest)
            self._wrapped = encode_value(wrapped, self._config.data_encoding)
            self._key = key
        return self._key

    def seal(self, plaintext: bytes, node: dict[str, JsonValue]) -> None:
        """Encrypt ``plaintext`` (a value's JSON) into ``node``."""
        config = self._config
        key = self._session_key()
        if config.use_http_headers:
            if self._iv is None:
                self._iv = _draw(self._random_bytes, _IV_SIZE)
            iv = self._iv
        else:
            iv = _draw(self._random_bytes, _IV_SIZE)
        ciphertext = aes_cbc_encrypt(key, iv, plaintext)
        fields: dict[str, JsonValue] = {
            config.encrypted_value_field_name: encode_value(ciphertext, config.data_encoding)
        }
        if not config.use_http_headers:
            fields.update(self._parameters(iv))
        add_fields(node, fields)

    def _parameters(self, iv: bytes) -> dict[str, JsonValue]:
        config = self._config
        parameters: dict[str, JsonValue] = {
            config.encrypted_key_field_name: self._wrapped,
            config.iv_field_name: encode_value(iv, config.data_encoding),
        }
        if config.oaep_digest_field_name is not None:
            parameters[config.oaep_digest_field_name] = config.oaep_digest
        if config.encryption_certificate_fingerprint_field_name is not None:
            parameters[config.encryption_certificate_fingerprint_field_name] = (
                config.encryption_certificate_fingerprint
            )
        if config.encryption_key_fingerprint_field_name is not None:
            parameters[config.encryption_key_fingerprint_field_name] = (
                config.encryption_key_fingerprint
            )
        return parameters

    def headers(self) -> dict[str, str]:
        """The HTTP headers to send (header mode, once something was sealed), else ``{}``."""
        if self._iv is None:
            return {}
        return {name: str(value) for name, value in self._parameters(self._iv).items()}


def _hex_fingerprint(value: str) -> str:
    """A fingerprint as lower-case hex; base64 of a SHA-256 digest is converted."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.lower()
    return raw.hex() if len(raw) == 32 else value.lower()


class MastercardOpener:
    """Opens the nodes of one document with a set of keys."""

    __slots__ = ("_config", "_headers", "_keyring", "_session_keys")

    def __init__(
        self,
        config: FieldLevelConfig,
        keyring: JweKeyring,
        headers: Mapping[str, str] | None,
    ) -> None:
        self._config = config
        self._keyring = keyring
        self._session_keys: dict[tuple[bytes, str], bytes] = {}
        self._headers: dict[str, JsonValue] | None = None
        if config.use_http_headers:
            self._headers = {str(name).lower(): value for name, value in (headers or {}).items()}

    def open(self, node: JsonValue) -> tuple[bool, JsonValue]:
        """``(True, value)`` for an encrypted node (its encryption fields removed), or
        ``(False, None)`` for a node with no encrypted value, which is left alone."""
        config = self._config
        if node is None:
            return False, None
        if not isinstance(node, dict):
            raise PayloadError("a field named for decryption holds something that is not an "
                               "encrypted object")  # fmt: skip
        if config.encrypted_value_field_name not in node:
            return False, None
        ciphertext = self._text(node, config.encrypted_value_field_name)
        parameters, lowered = (node, False) if self._headers is None else (self._headers, True)
        iv = self._text(parameters, config.iv_field_name, lowered=lowered)
        wrapped = self._text(parameters, config.encrypted_key_field_name, lowered=lowered)
        digest_name = self._optional(parameters, config.oaep_digest_field_name, lowered)
        fingerprints = [
            self._optional(parameters, name, lowered)
            for name in (config.encryption_key_fingerprint_field_name,
                         config.encryption_certificate_fingerprint_field_name)
        ]  # fmt: skip
        value = self._decrypt(ciphertext, iv, wrapped, digest_name, fingerprints)
        removed: list[str | None] = [config.encrypted_value_field_name]
        if self._headers is None:
            removed += [config.iv_field_name, config.encrypted_key_field_name,
                        config.oaep_digest_field_name,
                        config.encryption_key_fingerprint_field_name,
                        config.encryption_certificate_fingerprint_field_name]  # fmt: skip
        for name in removed:
            if name is not None:
                node.pop(name, None)
        return True, value

    def _text(self, source: Mapping[str, JsonValue], name: str, *, lowered: bool = False) -> str:
        key = name.lower() if lowered else name
        if key not in source:
            where = "header" if lowered else "field"
            raise PayloadError(f"an encrypted field has no {name!r} {where}")
        value = source[key]
        if not isinstance(value, str):
            raise PayloadError(f"the encryption field {name!r} is not a string")
        return value

    def _optional(
        self, source: Mapping[str, JsonValue], name: str | None, lowered: bool
    ) -> str | None:
        if name is None or (name.lower() if lowered else name) not in source:
            return None
        return self._text(source, name, lowered=lowered)

    def _decrypt(
        self,
        ciphertext_text: str,
        iv_text: str,
        wrapped_text: str,
        digest_name: str | None,
        fingerprints: list[str | None],
    ) -> JsonValue:
        encoding = self._config.data_encoding
        digest = self._config.oaep_digest if digest_name is None else oaep_digest(digest_name)
        ciphertext = decode_value(ciphertext_text, encoding)
        iv = decode_value(iv_text, encoding)
        wrapped = decode_value(wrapped_text, encoding)
        if digest is None or ciphertext is None or iv is None or wrapped is None:
            raise DecryptionError()
        key = self._session_key(wrapped, digest, fingerprints)
        plaintext = aes_cbc_decrypt(key, iv, ciphertext)
        try:
            text = plaintext.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptionError() from None
        return parse_plaintext(text)

    def _session_key(self, wrapped: bytes, digest: str, fingerprints: list[str | None]) -> bytes:
        # One document usually carries one wrapped key in every node (xbsec writes it so):
        # unwrap it once.
        cached = self._session_keys.get((wrapped, digest))
        if cached is not None:
            return cached
        for private_key in self._candidates(fingerprints):
            try:
                key = unwrap_session_key(private_key, wrapped, digest)
            except DecryptionError:
                continue
            self._session_keys[(wrapped, digest)] = key
            return key
        raise DecryptionError()

    def _candidates(self, fingerprints: list[str | None]) -> list[rsa.RSAPrivateKey]:
        keys = list(self._keyring.keys)
        if len(keys) == 1:
            return keys
        named = [
            key
            for fingerprint in fingerprints
            if fingerprint is not None
            and (key := self._keyring.find(_hex_fingerprint(fingerprint))) is not None
        ]
        named += [key for key in keys if all(key is not other for other in named)]
        return named
