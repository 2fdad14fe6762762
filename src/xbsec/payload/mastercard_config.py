"""Reading ``mastercard-client-encryption`` configuration files (its Python library's format).

The one place in ``xbsec.payload`` that reads files: the configuration itself and the key
files it names. A configuration is a JSON object (a file's path, the JSON text, or a mapping).

Field-level (``FieldLevelEncryptionConfig``)::

    {"paths": {"$": {"toEncrypt": {"path.to.foo": "path.to.encryptedFoo"},
                     "toDecrypt": {"path.to.encryptedFoo": "path.to.foo"}}},
     "ivFieldName": "iv", "encryptedKeyFieldName": "encryptedKey",
     "encryptedValueFieldName": "encryptedValue", "dataEncoding": "hex",
     "oaepPaddingDigestAlgorithm": "SHA-256",
     "encryptionCertificate": "cert.pem", "decryptionKey": "key.pem"}

Required, as Mastercard's library requires them: ``paths``, ``ivFieldName``,
``encryptedKeyFieldName``, ``encryptedValueFieldName``, ``dataEncoding``,
``oaepPaddingDigestAlgorithm``. Optional: ``encryptionCertificate`` (PEM or DER),
``encryptionKeyFingerprint``, ``encryptionCertificateFingerprint``, ``decryptionKey`` (PEM
or DER; a PKCS#12 keystore when ``decryptionKeyPassword`` is given),
``decryptionKeyPassword``, ``encryptionKeyFingerprintFieldName``,
``encryptionCertificateFingerprintFieldName``, ``oaepPaddingDigestAlgorithmFieldName``,
``useHttpHeaders``.

JWE (``JweEncryptionConfig``): ``paths`` and ``encryptedValueFieldName`` required;
``encryptionCertificate``, ``encryptionKeyFingerprint``, ``decryptionKey``,
``decryptionKeyPassword`` optional.

Other members are ignored, as Mastercard's library ignores them, so that a file it accepts is
accepted unchanged. Relative key-file paths are relative to the working directory, as there.
``paths`` maps service paths to rules; that library only ever uses ``"$"``, the default
``service_path`` here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, KeyFileError, PayloadError
from xbsec.jose.jwe import Recipient
from xbsec.jose.keyring import DecryptionKeys
from xbsec.payload.json_document import parse_json

__all__ = ["field_level_arguments", "jwe_arguments"]

_Source = str | os.PathLike[str] | Mapping[str, Any]


def _document(source: _Source) -> tuple[Mapping[str, Any], str]:
    """The configuration object and a name for it in messages."""
    if isinstance(source, Mapping):
        return source, "the configuration"
    if isinstance(source, str) and source.lstrip().startswith("{"):
        text: str | bytes = source
        name = "the configuration"
    elif isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        try:
            text = Path(name).read_bytes()
        except OSError as error:
            raise ConfigurationError(f"{name}: cannot read ({error.strerror})") from None
    else:
        raise ConfigurationError(
            "a Mastercard configuration is a file path, JSON text or a mapping, "
            f"not {type(source).__name__}"
        )
    try:
        document = parse_json(text, what="the configuration")
    except PayloadError as error:
        raise ConfigurationError(f"{name}: {error}") from None
    if not isinstance(document, dict):
        raise ConfigurationError(f"{name}: the configuration is not a JSON object")
    return document, name


def _required(config: Mapping[str, Any], key: str, name: str) -> Any:
    if key not in config:
        raise ConfigurationError(f"{name}: {key!r} is required")
    return config[key]


def _optional_string(config: Mapping[str, Any], key: str, name: str) -> str | None:
    value = config.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigurationError(f"{name}: {key!r} must be a string")
    return value


def _paths(config: Mapping[str, Any], service_path: str, name: str) -> dict[str, Any]:
    paths = _required(config, "paths", name)
    if not isinstance(paths, Mapping) or not paths:
        raise ConfigurationError(f"{name}: 'paths' must map at least one service path")
    group = paths.get(service_path)
    if not isinstance(group, Mapping):
        raise ConfigurationError(f"{name}: 'paths' has no service path {service_path!r}")
    to_encrypt = _required(group, "toEncrypt", name)
    to_decrypt = _required(group, "toDecrypt", name)
    for rules, key in ((to_encrypt, "toEncrypt"), (to_decrypt, "toDecrypt")):
        if not isinstance(rules, Mapping) or not all(
            isinstance(path, str) for pair in rules.items() for path in pair
        ):
            raise ConfigurationError(f"{name}: {key!r} must map paths to paths")
    return {"to_encrypt": to_encrypt, "to_decrypt": to_decrypt}


def _keys(
    config: Mapping[str, Any],
    name: str,
    encryption_key: Recipient | None,
    decryption_keys: DecryptionKeys | None,
) -> dict[str, Any]:
    certificate_file = _optional_string(config, "encryptionCertificate", name)
    if encryption_key is None and certificate_file is not None:
        encryption_key = load_certificate_file(certificate_file)
    key_file = _optional_string(config, "decryptionKey", name)
    password = _optional_string(config, "decryptionKeyPassword", name)
    if decryption_keys is None and key_file is not None:
        decryption_keys = load_private_key_file(key_file, password)
    return {
        "encryption_key": encryption_key,
        "decryption_keys": decryption_keys,
        "encryption_key_fingerprint": _optional_string(config, "encryptionKeyFingerprint", name),
    }


def field_level_arguments(
    source: _Source,
    service_path: str,
    encryption_key: Recipient | None,
    decryption_keys: DecryptionKeys | None,
) -> dict[str, Any]:
    """``FieldLevelConfig`` keyword arguments for a field-level configuration file."""
    config, name = _document(source)
    use_http_headers = config.get("useHttpHeaders", False)
    if not isinstance(use_http_headers, bool):
        raise ConfigurationError(f"{name}: 'useHttpHeaders' must be true or false")
    arguments = _paths(config, service_path, name)
    arguments.update(_keys(config, name, encryption_key, decryption_keys))
    strings = {
        "oaep_digest": _required(config, "oaepPaddingDigestAlgorithm", name),
        "data_encoding": _required(config, "dataEncoding", name),
        "iv_field_name": _required(config, "ivFieldName", name),
        "encrypted_key_field_name": _required(config, "encryptedKeyFieldName", name),
        "encrypted_value_field_name": _required(config, "encryptedValueFieldName", name),
    }
    optional = {
        "encryption_certificate_fingerprint": "encryptionCertificateFingerprint",
        "oaep_digest_field_name": "oaepPaddingDigestAlgorithmFieldName",
        "encryption_key_fingerprint_field_name": "encryptionKeyFingerprintFieldName",
        "encryption_certificate_fingerprint_field_name":
            "encryptionCertificateFingerprintFieldName",
    }  # fmt: skip
    for argument, key in optional.items():
        strings[argument] = _optional_string(config, key, name)
    arguments.update(strings, use_http_headers=use_http_headers)
    return arguments


def jwe_arguments(
    source: _Source,
    service_path: str,
    encryption_key: Recipient | None,
    decryption_keys: DecryptionKeys | None,
) -> dict[str, Any]:
    """``JweFieldConfig`` keyword arguments for a JWE configuration file."""
    config, name = _document(source)
    arguments = _paths(config, service_path, name)
    arguments.update(_keys(config, name, encryption_key, decryption_keys))
    arguments["encrypted_value_field_name"] = _required(config, "encryptedValueFieldName", name)
    return arguments


# --- key files -------------------------------------------------------------------------


def load_certificate_file(path: str) -> x509.Certificate:
    """A PEM or DER certificate (or a PKCS#12's), as ``encryptionCertificate`` names it."""
    from xbsec.keys.loading import load_certificate

    return load_certificate(path)


def load_private_key_file(path: str, password: str | None) -> rsa.RSAPrivateKey:
    """A PEM, DER or PKCS#12 private key, as ``decryptionKey`` and ``decryptionKeyPassword``
    name it (a password given for an unencrypted key is ignored, SPEC §2.2)."""
    from xbsec.keys.loading import load_private_key

    key = load_private_key(path, password=password)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFileError(
            f"holds a {type(key).__name__}; field-level decryption needs an RSA key", source=path
        )
    return key
