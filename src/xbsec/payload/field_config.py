"""Configurations for field-level encryption: which fields, which keys, which wire names.

- ``FieldLevelConfig``: the Mastercard scheme ("Mastercard encryption", SPEC §4.2):
  AES-128-CBC, PKCS#7, RSA-OAEP session key, hex or base64. **Not integrity protected.**
- ``JweFieldConfig``: each field a compact JWE (SPEC §4.1): AES-GCM, integrity protected.

Both read Mastercard's ``client-encryption`` JSON configuration files unchanged
(``from_mastercard_json``) or are built directly with keys already loaded.

Rules, ``{source path: target path}`` (see ``field_paths`` for the syntax), in order:

- encrypting, the value at the source is removed and its encrypted node written at the
  target (an object, created when absent); decrypting, the encrypted node at the source is
  read and removed (when nothing else is left in it) and the value written at the target;
- both paths have the same number of ``[*]``: element *i* of the source goes to element *i*
  of the target;
- a source ending in ``[n]`` or ``[*]`` can only be encrypted or decrypted in place (target
  equal to source), because removing an array element would shift the others;
- two encryption rules may not share a target.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Final, Self

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, KeyMaterialError
from xbsec.jose.content import CONTENT_ENCRYPTIONS
from xbsec.jose.jwe import Recipient
from xbsec.jose.keyring import DecryptionKeys, JweKeyring
from xbsec.jose.keywrap import MIN_RSA_BITS
from xbsec.keys.fingerprints import cert_sha256_hex, spki_sha256_hex
from xbsec.payload.field_paths import FieldPath
from xbsec.payload.session_key import oaep_digest
from xbsec.payload.value_encoding import DataEncoding, data_encoding
from xbsec.policy import SecurityPolicy

__all__ = ["FieldConfig", "FieldLevelConfig", "FieldRule", "JweFieldConfig"]

_STRICT: Final = SecurityPolicy()


@dataclass(frozen=True, slots=True)
class FieldRule:
    """One ``source -> target`` pair of a configuration."""

    source: FieldPath
    target: FieldPath


def _rules(pairs: Mapping[Any, Any], name: str, *, unique_targets: bool) -> tuple[FieldRule, ...]:
    rules: list[FieldRule] = []
    for source_text, target_text in pairs.items():
        source, target = FieldPath(source_text), FieldPath(target_text)
        if source.wildcards != target.wildcards:
            raise ConfigurationError(
                f"{name}: {source.text!r} and {target.text!r} must have the same number of [*]"
            )
        if source.segments and source.ends_in_element and source != target:
            raise ConfigurationError(
                f"{name}: {source.text!r} names an array element, which can only be "
                "replaced in place (target equal to source)"
            )
        if unique_targets and any(rule.target == target for rule in rules):
            raise ConfigurationError(f"{name}: two fields would be written to {target.text!r}")
        rules.append(FieldRule(source, target))
    return tuple(rules)


def _public_key(key: object) -> rsa.RSAPublicKey:
    if isinstance(key, x509.Certificate):
        key = key.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyMaterialError(
            "the encryption key must be an RSA certificate or RSA public key, "
            f"not {type(key).__name__}"
        )
    if key.key_size < MIN_RSA_BITS:
        raise KeyMaterialError(
            f"a {key.key_size}-bit RSA key is too small (at least {MIN_RSA_BITS})"
        )
    return key


def _name(value: object, what: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{what} must be a non-empty string")
    return value


def _set(config: object, name: str, value: object) -> None:
    object.__setattr__(config, name, value)


def _common(config: FieldLevelConfig | JweFieldConfig) -> None:
    """Checks and derived values both configurations share."""
    _set(config, "to_encrypt", MappingProxyType(dict(_mapping(config.to_encrypt, "to_encrypt"))))
    _set(config, "to_decrypt", MappingProxyType(dict(_mapping(config.to_decrypt, "to_decrypt"))))
    _set(config, "encrypt_rules", _rules(config.to_encrypt, "to_encrypt", unique_targets=True))
    _set(config, "decrypt_rules", _rules(config.to_decrypt, "to_decrypt", unique_targets=False))
    key = None if config.encryption_key is None else _public_key(config.encryption_key)
    _set(config, "public_key", key)
    keys = config.decryption_keys
    if keys is not None and not isinstance(keys, JweKeyring):
        keys = JweKeyring(keys)
    _set(config, "keyring", keys)
    if config.policy is not None and not isinstance(config.policy, SecurityPolicy):
        raise ConfigurationError("policy must be a SecurityPolicy")
    _name(config.encrypted_value_field_name, "encrypted_value_field_name")
    fingerprint = config.encryption_key_fingerprint
    _name(fingerprint, "encryption_key_fingerprint", optional=True)
    if fingerprint is None and key is not None:
        _set(config, "encryption_key_fingerprint", spki_sha256_hex(key))


def _mapping(pairs: object, name: str) -> Mapping[Any, Any]:
    if not isinstance(pairs, Mapping):
        raise ConfigurationError(f"{name} must map source paths to target paths")
    return pairs


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class FieldLevelConfig:
    """Mastercard field-level encryption (SPEC §4.2), as ``mastercard-client-encryption``
    configures it.

    .. warning:: **No integrity protection.** The scheme is AES-CBC without a MAC:
       anyone on the path can change a ciphertext, and the receiver decrypts it to
       something else (or fails on padding) without noticing. Use it where Mastercard
       requires it; prefer ``JweFieldConfig`` (AES-GCM, tag always verified) where you
       have the choice. ``integrity_protected`` is ``False`` to say so in code.

    - ``to_encrypt`` / ``to_decrypt``: ``{source path: target path}`` rules (module doc).
    - ``encryption_key``: Mastercard's certificate (or RSA public key), for encrypting.
    - ``decryption_keys``: one private key, several, ``{fingerprint: key}`` or a
      ``JweKeyring``, for decrypting. A node's key fingerprint picks the key when it
      names one; otherwise each key is tried in turn.
    - ``oaep_digest``: ``SHA256`` (default) or ``SHA512`` (also ``SHA-256`` spellings,
      and SHA-1/224/384); a node or header naming its digest overrides it when decrypting.
    - ``data_encoding``: ``hex`` (default) or ``base64``, for value, IV and key.
    - field names, each configurable, with the common defaults; the optional ones are
      written only when named.
    - ``encryption_key_fingerprint`` / ``encryption_certificate_fingerprint``: values for
      the fingerprint fields; computed from ``encryption_key`` when not given (SHA-256 hex
      of the SubjectPublicKeyInfo, and of the certificate, SPEC §3.4).
    - ``use_http_headers``: the IV, wrapped key, digest and fingerprints travel as HTTP
      headers (named by the field names) and each field holds only its value. The format
      has one IV for the whole message, so every field is encrypted with the same key and
      IV: equal fields give equal ciphertexts. Another reason to prefer JWE.
    - ``policy``: ``max_body_bytes`` for documents given as bytes.
    """

    integrity_protected: ClassVar[bool] = False

    to_encrypt: Mapping[str, str] = field(default_factory=dict)
    to_decrypt: Mapping[str, str] = field(default_factory=dict)
    encryption_key: Recipient | None = None
    decryption_keys: DecryptionKeys | None = None
    oaep_digest: str = "SHA256"
    data_encoding: DataEncoding = "hex"
    encrypted_value_field_name: str = "encryptedValue"
    encrypted_key_field_name: str = "encryptedKey"
    iv_field_name: str = "iv"
    oaep_digest_field_name: str | None = None
    encryption_key_fingerprint_field_name: str | None = None
    encryption_certificate_fingerprint_field_name: str | None = None
    encryption_key_fingerprint: str | None = None
    encryption_certificate_fingerprint: str | None = None
    use_http_headers: bool = False
    policy: SecurityPolicy | None = None

    encrypt_rules: tuple[FieldRule, ...] = field(init=False, repr=False)
    decrypt_rules: tuple[FieldRule, ...] = field(init=False, repr=False)
    public_key: rsa.RSAPublicKey | None = field(init=False, repr=False)
    keyring: JweKeyring | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _common(self)
        digest = oaep_digest(self.oaep_digest)
        if digest is None:
            raise ConfigurationError(
                f"unsupported OAEP digest {self.oaep_digest!r}; use SHA256 or SHA512"
            )
        _set(self, "oaep_digest", digest)
        _set(self, "data_encoding", data_encoding(self.data_encoding))
        if not isinstance(self.use_http_headers, bool):
            raise ConfigurationError("use_http_headers must be true or false")
        names = [
            _name(self.encrypted_key_field_name, "encrypted_key_field_name"),
            _name(self.iv_field_name, "iv_field_name"),
            _name(self.oaep_digest_field_name, "oaep_digest_field_name", optional=True),
            _name(self.encryption_key_fingerprint_field_name,
                  "encryption_key_fingerprint_field_name", optional=True),
            _name(self.encryption_certificate_fingerprint_field_name,
                  "encryption_certificate_fingerprint_field_name", optional=True),
        ]  # fmt: skip
        present = [name for name in names if name is not None]
        if self.use_http_headers:
            present = [name.lower() for name in present]  # header names ignore case
        else:
            present.append(self.encrypted_value_field_name)
        if len(set(present)) != len(present):
            raise ConfigurationError("two encryption fields have the same name")
        certificate_fingerprint = self.encryption_certificate_fingerprint
        _name(certificate_fingerprint, "encryption_certificate_fingerprint", optional=True)
        if certificate_fingerprint is None and isinstance(self.encryption_key, x509.Certificate):
            _set(self, "encryption_certificate_fingerprint",
                 cert_sha256_hex(self.encryption_key))  # fmt: skip
        if (
            self.public_key is not None
            and self.encryption_certificate_fingerprint_field_name is not None
            and self.encryption_certificate_fingerprint is None
        ):
            raise ConfigurationError(
                "a certificate fingerprint field is configured but the encryption key is not "
                "a certificate; give encryption_certificate_fingerprint"
            )

    @classmethod
    def from_mastercard_json(
        cls,
        source: str | os.PathLike[str] | Mapping[str, Any],
        *,
        service_path: str = "$",
        encryption_key: Recipient | None = None,
        decryption_keys: DecryptionKeys | None = None,
        policy: SecurityPolicy | None = None,
    ) -> Self:
        """Read a ``mastercard-client-encryption`` field-level configuration (a JSON file's
        path, or its content as a mapping); see ``mastercard_config`` for the keys.

        ``encryption_key`` / ``decryption_keys`` replace the key files the configuration
        names (``encryptionCertificate``, ``decryptionKey``).
        """
        from xbsec.payload.mastercard_config import field_level_arguments

        return cls(**field_level_arguments(
            source, service_path, encryption_key, decryption_keys), policy=policy)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class JweFieldConfig:
    """Field-level encryption where each field is a compact JWE (SPEC §4.1), as
    ``mastercard-client-encryption`` configures it with ``JweEncryptionConfig``.

    Integrity protected (``integrity_protected`` is ``True``): AES-GCM, tag verified on
    every decryption. The choice to make when the other side accepts it.

    - ``to_encrypt`` / ``to_decrypt``, ``encryption_key``, ``decryption_keys``: as for
      ``FieldLevelConfig``; a token's ``kid`` picks among several keys.
    - ``encrypted_value_field_name``: the member holding the JWE (``encryptedValue``).
    - ``encryption_key_fingerprint``: the ``kid``; SPKI SHA-256 hex of the key by default.
    - ``enc`` / ``iv_length``: what ``jwe_encrypt`` emits (``A256GCM``, 12-byte IV).
    - ``policy``: for decryption (and ``max_body_bytes``). The default is
      ``SecurityPolicy()`` with 16-byte GCM IVs accepted too, since Mastercard's libraries
      send those (SPEC §3.3).
    """

    integrity_protected: ClassVar[bool] = True

    to_encrypt: Mapping[str, str] = field(default_factory=dict)
    to_decrypt: Mapping[str, str] = field(default_factory=dict)
    encryption_key: Recipient | None = None
    decryption_keys: DecryptionKeys | None = None
    encrypted_value_field_name: str = "encryptedValue"
    encryption_key_fingerprint: str | None = None
    enc: str = "A256GCM"
    iv_length: int = 12
    policy: SecurityPolicy | None = None

    encrypt_rules: tuple[FieldRule, ...] = field(init=False, repr=False)
    decrypt_rules: tuple[FieldRule, ...] = field(init=False, repr=False)
    public_key: rsa.RSAPublicKey | None = field(init=False, repr=False)
    keyring: JweKeyring | None = field(init=False, repr=False)
    decryption_policy: SecurityPolicy = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _common(self)
        if self.enc not in CONTENT_ENCRYPTIONS:
            raise ConfigurationError(f"unsupported JWE enc {self.enc!r}")
        if self.iv_length not in (12, 16):
            raise ConfigurationError("iv_length must be 12 or 16")
        policy = self.policy
        if policy is None:
            # Mastercard's libraries send 16-byte GCM IVs (SPEC §3.3).
            policy = _STRICT.replace(jwe_gcm_iv_lengths=frozenset({12, 16}))
        _set(self, "decryption_policy", policy)

    @classmethod
    def from_mastercard_json(
        cls,
        source: str | os.PathLike[str] | Mapping[str, Any],
        *,
        service_path: str = "$",
        encryption_key: Recipient | None = None,
        decryption_keys: DecryptionKeys | None = None,
        policy: SecurityPolicy | None = None,
    ) -> Self:
        """Read a ``mastercard-client-encryption`` JWE configuration (a JSON file's path, or
        its content as a mapping); see ``mastercard_config`` for the keys."""
        from xbsec.payload.mastercard_config import jwe_arguments

        return cls(**jwe_arguments(
            source, service_path, encryption_key, decryption_keys), policy=policy)  # fmt: skip


FieldConfig = FieldLevelConfig | JweFieldConfig
"""Either configuration; ``encrypt_fields``/``decrypt_fields`` take both."""
