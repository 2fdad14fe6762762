"""``ProjectKeys``: the key material Mastercard issues for one project in one environment.

SPEC §7.1 lists it: the consumer key (an identifier), the signing key and its certificate
(OAuth 1.0a signatures and request tokens), the Client Encryption certificate (Mastercard's
public key: the partner encrypts requests to it), and the Mastercard Encryption keys (the
partner's private keys: Mastercard encrypts responses to their public halves; during a
rotation two are live, told apart by the JWE ``kid``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, get_args

from xbsec.errors import (
    ConfigurationError,
    KeyFileError,
    KeyMaterialError,
    KeyMismatchError,
    KeyPasswordError,
)
from xbsec.keys.check import check_key_matches_certificate, key_matches_certificate
from xbsec.keys.fingerprints import cert_sha256_hex, public_key_of, spki_sha256_hex
from xbsec.keys.types import PrivateKey

if TYPE_CHECKING:
    from cryptography import x509

__all__ = ["ENVIRONMENTS", "Environment", "KeyFile", "ProjectKeys"]

Environment = Literal["sandbox", "mtf", "production"]
"""Mastercard's environments (SPEC §7.2); MTF uses the sandbox project's keys."""
ENVIRONMENTS: tuple[Environment, ...] = get_args(Environment)

_Source = str | os.PathLike[str] | bytes


@dataclass(frozen=True, slots=True)
class KeyFile:
    """A key file with its own password and alias, where one differs from the others."""

    source: _Source
    password: str | bytes | None = field(default=None, repr=False)
    alias: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectKeys:
    """Consumer key, signing key and encryption keys of one project in one environment.

    Checked when made: a field that cannot work is a ``ConfigurationError`` naming the field,
    and a certificate that does not belong to its key is a ``KeyMismatchError``.
    """

    environment: Environment
    consumer_key: str
    """Sent verbatim as ``oauth_consumer_key`` and as the request token ``kid`` (SPEC §2.2)."""
    signing_key: PrivateKey
    signing_certificate: x509.Certificate | None = None
    """Needed for OAuth 2.0 request tokens (``x5c``, SPEC §5.2); checked against the key."""
    client_encryption_certificate: x509.Certificate | None = None
    """Mastercard's public key: requests are encrypted to it (SPEC §3.7)."""
    client_encryption_kid: str | None = None
    """The ``kid`` Mastercard gave, if any; else the certificate's SPKI fingerprint (§3.4)."""
    mastercard_encryption_keys: tuple[PrivateKey, ...] = ()
    """The partner's private keys that decrypt responses; several during a rotation."""
    mastercard_encryption_certificates: tuple[x509.Certificate, ...] = ()
    """Their certificates, if known, so a certificate-fingerprint ``kid`` also finds a key."""
    _keys_by_kid: Mapping[str, PrivateKey] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_environment(self.environment)
        _check_identifier(self.consumer_key, "consumer_key")
        if self.client_encryption_kid is not None:
            _check_identifier(self.client_encryption_kid, "client_encryption_kid")
        _private_key(self.signing_key, "signing_key")
        if self.signing_certificate is not None:
            _certificate(self.signing_certificate, "signing_certificate")
            check_key_matches_certificate(
                self.signing_key, self.signing_certificate, source="signing_certificate"
            )
        if self.client_encryption_certificate is not None:
            _certificate(self.client_encryption_certificate, "client_encryption_certificate")
        name = "mastercard_encryption_keys"
        keys = tuple(
            _private_key(key, f"{name}[{index}]")
            for index, key in enumerate(_as_tuple(self.mastercard_encryption_keys, name))
        )
        name = "mastercard_encryption_certificates"
        certs = tuple(
            _certificate(cert, f"{name}[{index}]")
            for index, cert in enumerate(_as_tuple(self.mastercard_encryption_certificates, name))
        )
        object.__setattr__(self, "mastercard_encryption_keys", keys)
        object.__setattr__(self, "mastercard_encryption_certificates", certs)
        object.__setattr__(self, "_keys_by_kid", MappingProxyType(_index(keys, certs)))

    @property
    def encryption_kid(self) -> str | None:
        """The ``kid`` to put on encrypted requests: configured, else SPKI SHA-256 hex (§3.4)."""
        if self.client_encryption_kid is not None:
            return self.client_encryption_kid
        if self.client_encryption_certificate is None:
            return None
        return spki_sha256_hex(self.client_encryption_certificate)

    def decryption_keys_by_kid(self) -> dict[str, PrivateKey]:
        """Each Mastercard Encryption key under every ``kid`` that names it (lower-case hex).

        A key is named by its SPKI SHA-256 hex and, when its certificate is known, by the
        certificate's SHA-256 hex too: Mastercard's tools use both (SPEC §3.4).
        """
        return dict(self._keys_by_kid)

    def decryption_key_for(self, kid: str | None) -> PrivateKey | None:
        """The key a response with this ``kid`` was encrypted for, or ``None``.

        ``kid`` is matched case-insensitively. Without a ``kid``, the only key if there is
        exactly one; whether to then try several keys is the decryptor's policy.
        """
        if kid is None:
            keys = self.mastercard_encryption_keys
            return keys[0] if len(keys) == 1 else None
        return self._keys_by_kid.get(kid.strip().lower())

    @classmethod
    def load(
        cls, *, environment: Environment, consumer_key: str,
        signing_key: _Source | KeyFile, signing_key_password: str | bytes | None = None,
        signing_key_alias: str | None = None, signing_certificate: _Source | None = None,
        client_encryption_certificate: _Source | None = None,
        client_encryption_kid: str | None = None,
        mastercard_encryption_keys: Iterable[_Source | KeyFile] = (),
        mastercard_encryption_key_password: str | bytes | None = None,
        mastercard_encryption_key_alias: str | None = None,
    ) -> ProjectKeys:
        """Load every file and check that each certificate belongs to its key.

        ``signing_key`` may be a PKCS#12 keystore (its certificate is then used unless
        ``signing_certificate`` is given), a PEM/DER key, or a ``KeyFile``. Each Mastercard
        Encryption key uses the shared password and alias unless given as a ``KeyFile``.
        """
        from xbsec.keys.loading import load_certificate, load_key_and_certificate

        # Fields that need no file are checked first: no keystore is opened for nothing.
        _check_environment(environment)
        _check_identifier(consumer_key, "consumer_key")
        spec = _key_file(signing_key, signing_key_password, signing_key_alias)
        key, cert = load_key_and_certificate(spec.source, password=spec.password,
                                             alias=spec.alias)
        if signing_certificate is not None:
            cert = load_certificate(signing_certificate)
            check_key_matches_certificate(key, cert, source=_name(signing_certificate))
        decryption_keys: list[PrivateKey] = []
        decryption_certs: list[x509.Certificate] = []
        for item in _sources(mastercard_encryption_keys):
            entry = _key_file(item, mastercard_encryption_key_password,
                              mastercard_encryption_key_alias)
            decryption_key, decryption_cert = load_key_and_certificate(
                entry.source, password=entry.password, alias=entry.alias
            )
            decryption_keys.append(decryption_key)
            if decryption_cert is not None:
                decryption_certs.append(decryption_cert)
        return cls(
            environment=environment,
            consumer_key=consumer_key,
            signing_key=key,
            signing_certificate=cert,
            client_encryption_certificate=None if client_encryption_certificate is None
            else _client_encryption_certificate(client_encryption_certificate),
            client_encryption_kid=client_encryption_kid,
            mastercard_encryption_keys=tuple(decryption_keys),
            mastercard_encryption_certificates=tuple(decryption_certs),
        )


def _client_encryption_certificate(source: _Source) -> x509.Certificate:
    """Mastercard's certificate; a keystore of one's own given for it is named as such."""
    from xbsec.keys.loading import load_certificate

    try:
        return load_certificate(source)
    except KeyPasswordError:
        raise KeyFileError(
            "client_encryption_certificate is a password-protected keystore (a private key "
            "with its certificate), not a certificate", source=_name(source),
            fix="this slot takes Mastercard's client-encryption certificate (the .pem or .crt "
            "downloaded from the portal); a .p12 of yours is likely your "
            "Mastercard-encryption key, which belongs in mastercard_encryption_keys") from None


def _index(
    keys: tuple[PrivateKey, ...], certs: tuple[x509.Certificate, ...]
) -> dict[str, PrivateKey]:
    by_kid = {spki_sha256_hex(key): key for key in keys}
    for index, cert in enumerate(certs):
        owner = next((key for key in keys if key_matches_certificate(key, cert)), None)
        if owner is None:
            raise KeyMismatchError(
                f"mastercard_encryption_certificates[{index}] belongs to none of "
                "mastercard_encryption_keys"
            )
        by_kid[cert_sha256_hex(cert)] = owner
    return by_kid


def _check_environment(value: object) -> None:
    if value not in ENVIRONMENTS:
        raise ConfigurationError(
            f"environment: must be one of {', '.join(ENVIRONMENTS)}, not {value!r}"
        )


def _check_identifier(value: object, name: str) -> None:
    # Opaque (SPEC §2.2): any printable ASCII, but nothing that would need quoting in a header.
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"{name}: must be a non-empty string")
    if any(not "!" <= char <= "~" or char in "\"'" for char in value):
        raise ConfigurationError(
            f"{name}: must be printable ASCII without spaces or quotes"
        )


def _private_key(value: object, name: str) -> PrivateKey:
    if not isinstance(value, PrivateKey):
        raise ConfigurationError(
            f"{name}: must be an RSA or EC private key, not {type(value).__name__}"
        )
    return value


def _certificate(value: object, name: str) -> x509.Certificate:
    from cryptography import x509

    if not isinstance(value, x509.Certificate):
        raise ConfigurationError(
            f"{name}: must be an x509.Certificate, not {type(value).__name__}"
        )
    try:
        public_key_of(value)
    except KeyMaterialError as exc:
        raise ConfigurationError(f"{name}: {exc}") from None
    return value


def _as_tuple(value: object, name: str) -> tuple[object, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ConfigurationError(f"{name}: must be a tuple, not {type(value).__name__}")
    return tuple(value)


def _sources(items: object) -> list[_Source | KeyFile]:
    # One path or KeyFile is a common slip for a list of them; accept it as a list of one.
    if isinstance(items, str | bytes | os.PathLike | KeyFile):
        return [items]
    if not isinstance(items, Iterable):
        raise ConfigurationError(
            f"mastercard_encryption_keys: must be a list of files, not {type(items).__name__}"
        )
    return list(items)


def _key_file(item: _Source | KeyFile, password: str | bytes | None, alias: str | None) -> KeyFile:
    return item if isinstance(item, KeyFile) else KeyFile(item, password, alias)


def _name(source: _Source) -> str:
    from xbsec.keys._source import source_name

    return source_name(source)
