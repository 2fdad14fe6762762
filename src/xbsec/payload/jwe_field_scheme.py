"""One field as a compact JWE: ``{"encryptedValue": "<JWE of the value's JSON>"}`` (SPEC §4.1).

Integrity protected: the JWE is decrypted with its tag verified (``xbsec.jose``). Each field
is its own JWE with its own content key, as Mastercard's libraries write them. Reading, the
node may also be the JWE string itself (those libraries accept that too).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from xbsec.errors import DecryptionError, PayloadError
from xbsec.jose.jwe import Recipient, jwe_decrypt, jwe_encrypt
from xbsec.jose.keyring import JweKeyring
from xbsec.payload.field_config import JweFieldConfig
from xbsec.payload.field_paths import add_fields
from xbsec.payload.json_document import JsonValue, parse_plaintext

__all__ = ["JweOpener", "JweSealer"]


class JweSealer:
    """Seals values as JWEs to the configured recipient."""

    __slots__ = ("_config", "_random_bytes", "_recipient")

    def __init__(
        self,
        config: JweFieldConfig,
        recipient: Recipient,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._config = config
        self._recipient = recipient
        self._random_bytes = random_bytes

    def seal(self, plaintext: bytes, node: dict[str, JsonValue]) -> None:
        """Encrypt ``plaintext`` (a value's JSON) into ``node``."""
        config = self._config
        token = jwe_encrypt(
            plaintext,
            self._recipient,
            kid=config.encryption_key_fingerprint,
            enc=config.enc,
            iv_length=config.iv_length,
            random_bytes=self._random_bytes,
        )
        add_fields(node, {config.encrypted_value_field_name: token})

    def headers(self) -> dict[str, str]:
        return {}


class JweOpener:
    """Opens JWE nodes with a set of keys, under the configuration's policy."""

    __slots__ = ("_config", "_keyring")

    def __init__(self, config: JweFieldConfig, keyring: JweKeyring) -> None:
        self._config = config
        self._keyring = keyring

    def open(self, node: JsonValue) -> tuple[bool, JsonValue]:
        """``(True, value)`` for a JWE node (its value field removed) or JWE string, or
        ``(False, None)`` for an object without the value field, which is left alone."""
        name = self._config.encrypted_value_field_name
        if node is None:
            return False, None
        if isinstance(node, str):
            token = node
        elif isinstance(node, dict):
            if name not in node:
                return False, None
            field = node[name]
            if not isinstance(field, str):
                raise PayloadError(f"the encryption field {name!r} is not a string")
            token = field
        else:
            raise PayloadError("a field named for decryption holds something that is not an "
                               "encrypted object")  # fmt: skip
        plaintext = jwe_decrypt(token, self._keyring, policy=self._config.decryption_policy)
        try:
            text = plaintext.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptionError() from None
        value = parse_plaintext(text)
        if isinstance(node, dict):
            del node[name]
        return True, value
