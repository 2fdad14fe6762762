"""Field-level encryption of JSON documents: ``encrypt_fields`` and ``decrypt_fields``.

Both work on a copy of the document (parsed from bytes, or deep-copied from objects), so a
failure anywhere leaves nothing half-done: either every field the configuration names is
encrypted, or the call raises. In particular a ``[*]`` path encrypts every element of the
array or fails; it never leaves some in clear (Mastercard's Python library, given a member
path through an array, encrypts the first element only, and does not read ``[*]`` or
``$.``-paths at all, silently sending the document in clear).

Absent fields are skipped, as Mastercard's libraries skip them [INF: a response may omit an
optional field]. "Absent" means a missing member, an index past the end, or ``null`` on the
way. A path that meets the wrong kind of value is a ``PayloadError`` (see ``field_paths``).

Decrypting, an object at a source path without the encrypted-value member is not encrypted
and is left alone (so a configuration may name optional encrypted fields); anything else
that is wrong there is a ``PayloadError``, and anything that does not decrypt is the one
``DecryptionError``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from xbsec.errors import ConfigurationError, PayloadError
from xbsec.jose.keyring import DecryptionKeys, JweKeyring
from xbsec.payload.field_config import FieldConfig, FieldLevelConfig, JweFieldConfig
from xbsec.payload.field_paths import Root, get, object_at, put, remove, take
from xbsec.payload.json_document import (
    JsonValue,
    copy_json,
    dump_copied_json,
    dump_json,
    parse_json,
)
from xbsec.payload.jwe_field_scheme import JweOpener, JweSealer
from xbsec.payload.mastercard_scheme import MastercardOpener, MastercardSealer
from xbsec.policy import SecurityPolicy

__all__ = ["Document", "EncryptedFields", "decrypt_fields", "encrypt_fields"]

Document = bytes | bytearray | memoryview | str | dict[str, Any] | list[Any]
"""A JSON document: its UTF-8 text (``bytes`` or ``str``), or the parsed ``dict``/``list``."""

_STRICT: Final = SecurityPolicy()
_TEXT: Final = (bytes, bytearray, memoryview, str)
_PARSED: Final = (dict, list)
_CONFIGS: Final = (FieldLevelConfig, JweFieldConfig)


@dataclass(frozen=True, slots=True)
class EncryptedFields:
    """What ``encrypt_fields`` returns.

    ``document``: the encrypted document (a new object; the input is never changed).
    ``headers``: HTTP headers to send with it (header mode), else empty.
    ``body``: ``document`` as compact UTF-8 JSON, the bytes to sign and send.
    """

    document: JsonValue
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def body(self) -> bytes:
        return dump_json(self.document)


def _load(document: object, policy: SecurityPolicy | None) -> tuple[Root, bytes | None]:
    """The document in a root holder, and its JSON text when it came as UTF-8 bytes."""
    limit = (_STRICT if policy is None else policy).max_body_bytes
    if isinstance(document, _TEXT):
        size = len(document)
        if isinstance(document, str) and limit >= size > limit // 4:
            size = len(document.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise PayloadError(f"the document is larger than the {limit}-byte limit")
        return [parse_json(document)], document if isinstance(document, bytes) else None
    if isinstance(document, _PARSED):
        return [copy_json(document)], None
    raise ConfigurationError(
        f"a document is JSON text (bytes or str) or a dict or list, not {type(document).__name__}"
    )


def _check_config(config: object) -> None:
    if not isinstance(config, _CONFIGS):
        raise ConfigurationError("config must be a FieldLevelConfig or a JweFieldConfig")


def encrypt_fields(
    document: Document,
    config: FieldConfig,
    *,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> EncryptedFields:
    """Encrypt the fields ``config.to_encrypt`` names.

    With a ``FieldLevelConfig`` (Mastercard scheme) remember that nothing protects the
    result's integrity; with a ``JweFieldConfig`` every field is an AES-GCM JWE.

    Raises ``ConfigurationError`` (no encryption key, unusable arguments) and
    ``PayloadError`` (the document is not JSON, or does not fit the paths).
    """
    _check_config(config)
    root, text = _load(document, config.policy)
    if not config.encrypt_rules:
        return EncryptedFields(root[0])
    if config.encryption_key is None or config.public_key is None:
        raise ConfigurationError("no encryption key configured (encryptionCertificate)")
    sealer: MastercardSealer | JweSealer
    if isinstance(config, FieldLevelConfig):
        sealer = MastercardSealer(config, config.public_key, random_bytes)
    else:
        sealer = JweSealer(config, config.encryption_key, random_bytes)
    for rule in config.encrypt_rules:
        for location, indices in rule.source.find(root):
            # The whole document, still as it came: its text is its JSON (checked strictly
            # by parse_json), so it need not be written out again.
            plaintext = text if location == (0,) else None
            value = take(root, location)
            node = object_at(root, rule.target.bind(indices), rule.target.text)
            sealer.seal(dump_copied_json(value) if plaintext is None else plaintext, node)
            text = None
    return EncryptedFields(root[0], sealer.headers())


def decrypt_fields(
    document: Document,
    config: FieldConfig,
    *,
    headers: Mapping[str, str] | None = None,
    keys: DecryptionKeys | None = None,
) -> JsonValue:
    """Decrypt the fields ``config.to_decrypt`` names; the decrypted document (a new object).

    ``headers``: the message's HTTP headers, for header mode (names compared without case).
    ``keys``: the private keys to use instead of ``config.decryption_keys``.

    Raises ``PayloadError`` (document or encrypted nodes of the wrong shape, header-mode
    headers missing), ``DecryptionError`` (anything that does not decrypt: opaque), and
    ``ConfigurationError`` (no keys).
    """
    _check_config(config)
    root = _load(document, config.policy)[0]
    if not config.decrypt_rules:
        return root[0]
    keyring = config.keyring if keys is None else _keyring(keys)
    if keyring is None:
        raise ConfigurationError("no decryption key configured (decryptionKey)")
    opener: MastercardOpener | JweOpener
    if isinstance(config, FieldLevelConfig):
        opener = MastercardOpener(config, keyring, headers)
    else:
        opener = JweOpener(config, keyring)
    for rule in config.decrypt_rules:
        for location, indices in rule.source.find(root):
            node = get(root, location)
            opened, value = opener.open(node)
            if not opened:
                continue
            target = rule.target.bind(indices)
            inside = target[: len(location)] == location
            if not inside and (isinstance(node, str) or node == {}):
                remove(root, location)
            put(root, target, value, rule.target.text)
    return root[0]


def _keyring(keys: DecryptionKeys) -> JweKeyring:
    return keys if isinstance(keys, JweKeyring) else JweKeyring(keys)
