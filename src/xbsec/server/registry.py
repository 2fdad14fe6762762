"""The registry: which consumers may call the gateway, with which keys, for which partners.

A TOML file of consumers (relative paths are read from the file's folder; passwords come
from environment variables named by ``password_env``, or a literal ``password``)::

    [[consumers]]
    consumer_key = "..."
    environment = "sandbox"                    # sandbox | mtf | production
    partner_ids = ["SANDBOX_1234567"]
    signing_certificates = ["signing.pem"]     # two during a key rotation
    psd2 = false                               # true: request tokens instead of OAuth 1.0a
    mtls = false                               # true: a client certificate is required
    client_certificate_sha256 = []             # the mTLS certificate(s) bound to it
    client_certificate_subject = "CN=..."      # or its subject (optional, see below)
    encryption = "optional"                    # off | optional | required
    client_encryption_keys = [ { path = "client-encryption.p12", password_env = "PW" } ]
    # or a key file without its certificate, and the certificate beside it:
    # client_encryption_keys = [ { path = "key.pem", certificate = "certificate.pem" } ]
    mastercard_encryption_certificate = "mastercard-encryption.pem"
    redirect_uris = []                         # OAuth 2.0 authorization code (Balance APIs)

``mtls`` asks for a client certificate chained to the server's client CA. The two optional
entries bind the certificate to the consumer, in the manner of RFC 8705 §2, so that another
partner's certificate from the same CA is not enough:

- ``client_certificate_sha256``: the SHA-256 thumbprint of the DER certificate, 64 hex
  digits (``openssl x509 -noout -fingerprint -sha256`` prints it with colons, which may be
  kept; read as lower-case), or a list of them (two during a certificate rotation);
- ``client_certificate_subject``: the certificate's subject Distinguished Name as an
  RFC 4514 string (``openssl x509 -noout -subject -nameopt RFC2253``), compared exactly.

When both are given, the certificate must satisfy both. ``mtls = true`` needs at least one
of them: the gateway and the Balance APIs' token endpoint both accept an ``mtls`` consumer
only with its bound certificate.

``client_encryption_keys`` are the private halves of the Client Encryption keys (only the
gateway holds them; requests are encrypted to their public halves and name them by
``kid``: the SHA-256 of the SubjectPublicKeyInfo, or of the certificate when the key's file
holds it or ``certificate`` names it, SPEC §3.4); ``mastercard_encryption_certificate`` is
the partner's public key that responses are encrypted to (SPEC §3.7, §7.1).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from xbsec._file_version import file_version
from xbsec.errors import ConfigurationError, KeyMaterialError
from xbsec.keys.project import ENVIRONMENTS, Environment

if TYPE_CHECKING:
    from cryptography import x509

    from xbsec.keys.types import PrivateKey

__all__ = ["ENCRYPTION_MODES", "Consumer", "EncryptionMode", "Registry", "WatchedRegistry"]

EncryptionMode = Literal["off", "optional", "required"]
"""``off``: no payload encryption; ``optional``: honour ``x-encrypted``; ``required``: a
request without it is refused (SPEC §3.1, [INF])."""
ENCRYPTION_MODES: tuple[EncryptionMode, ...] = get_args(EncryptionMode)
_log = logging.getLogger("xbsec.server.registry")
_THUMBPRINT = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Consumer:
    """One registered consumer key and everything the gateway knows about it."""

    consumer_key: str
    environment: Environment
    partner_ids: frozenset[str]
    signing_certificates: tuple[x509.Certificate, ...]
    psd2: bool = False
    mtls: bool = False
    encryption: EncryptionMode = "optional"
    client_encryption_keys: Mapping[str, PrivateKey] = field(default_factory=dict, repr=False)
    """Private keys that decrypt requests, by ``kid`` (SPKI and certificate SHA-256 hex)."""
    mastercard_encryption_certificate: x509.Certificate | None = None
    """The partner's public key: responses to encrypted requests are encrypted to it."""
    redirect_uris: tuple[str, ...] = ()
    client_certificate_sha256: frozenset[str] = frozenset()
    """SHA-256 thumbprints (lower-case hex) of the mTLS client certificates bound to it."""
    client_certificate_subject: str | None = None
    """The RFC 4514 subject of its mTLS client certificate, when bound by subject."""

    @property
    def client_certificate_bound(self) -> bool:
        """Whether a client certificate is bound to this consumer (by thumbprint or subject)."""
        return bool(self.client_certificate_sha256) or self.client_certificate_subject is not None

    def binds_client_certificate(self, certificate: x509.Certificate) -> bool:
        """Whether ``certificate`` is one bound to this consumer (every registered binding
        holds); False when none is registered."""
        if not self.client_certificate_bound:
            return False
        if self.client_certificate_sha256:
            from xbsec.keys.fingerprints import cert_sha256_hex

            if cert_sha256_hex(certificate) not in self.client_certificate_sha256:
                return False
        if self.client_certificate_subject is not None:
            return certificate.subject.rfc4514_string() == self.client_certificate_subject
        return True

    def __post_init__(self) -> None:
        if not self.consumer_key:
            raise ConfigurationError("consumer_key must not be empty")
        if self.environment not in ENVIRONMENTS:
            raise ConfigurationError(f"consumer {self.consumer_key!r}: unknown environment "
                                     f"{self.environment!r}")
        if not self.partner_ids:
            raise ConfigurationError(f"consumer {self.consumer_key!r}: no partner_ids")
        if not 1 <= len(self.signing_certificates) <= 2:
            raise ConfigurationError(f"consumer {self.consumer_key!r}: one signing certificate, "
                                     "or two during a rotation")
        if self.mtls and not self.client_certificate_bound:
            # mtls alone let any certificate the client CA issued stand for this consumer.
            raise ConfigurationError(
                f"consumer {self.consumer_key!r}: mtls needs client_certificate_sha256 or "
                "client_certificate_subject, the certificate that is this consumer's")
        if any(not isinstance(t, str) or not _THUMBPRINT.fullmatch(t)
               for t in self.client_certificate_sha256):
            raise ConfigurationError(f"consumer {self.consumer_key!r}: "
                                     "client_certificate_sha256 must be SHA-256 thumbprints, "
                                     "64 lower-case hex digits each")
        if self.client_certificate_subject is not None and not (
                isinstance(self.client_certificate_subject, str)
                and self.client_certificate_subject.strip()):
            raise ConfigurationError(f"consumer {self.consumer_key!r}: "
                                     "client_certificate_subject must be a non-empty string")
        if self.encryption not in ENCRYPTION_MODES:
            raise ConfigurationError(f"consumer {self.consumer_key!r}: encryption must be one "
                                     f"of {', '.join(ENCRYPTION_MODES)}")
        if self.encryption != "off" and (not self.client_encryption_keys
                                         or self.mastercard_encryption_certificate is None):
            raise ConfigurationError(
                f"consumer {self.consumer_key!r}: encryption {self.encryption!r} needs "
                "client_encryption_keys and mastercard_encryption_certificate")


class Registry:
    """The consumers a gateway serves, by consumer key."""

    def __init__(self, consumers: Iterable[Consumer]) -> None:
        self._consumers: dict[str, Consumer] = {}
        for consumer in consumers:
            if consumer.consumer_key in self._consumers:
                raise ConfigurationError(f"consumer {consumer.consumer_key!r} is registered "
                                         "twice")
            self._consumers[consumer.consumer_key] = consumer

    def __len__(self) -> int:
        return len(self._consumers)

    def __iter__(self) -> Any:
        return iter(self._consumers.values())

    def get(self, consumer_key: str) -> Consumer | None:
        return self._consumers.get(consumer_key)

    def signing_certificates(self, consumer_key: str) -> tuple[x509.Certificate, ...] | None:
        """The verifiers' credential source: a consumer's signing certificates, or None."""
        consumer = self._consumers.get(consumer_key)
        return None if consumer is None else consumer.signing_certificates

    @classmethod
    def load(cls, path: str | os.PathLike[str], *,
             environ: Mapping[str, str] | None = None) -> Registry:
        """Read a registry file; every problem is a ``ConfigurationError`` naming the entry."""
        file = Path(path)
        environ = os.environ if environ is None else environ
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigurationError(f"{file}: no such registry file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{file}: cannot be read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"{file}: not valid TOML: {exc}") from None
        except ValueError as exc:  # an integer tomllib's int() refuses (over 4,300 digits)
            raise ConfigurationError(f"{file}: not valid TOML: {exc}") from None
        entries = data.get("consumers")
        if not isinstance(entries, list) or not entries:
            raise ConfigurationError(f"{file}: no [[consumers]] entries")
        consumers = []
        for index, entry in enumerate(entries):
            where = f"{file}: consumers[{index}]"
            if not isinstance(entry, Mapping):
                raise ConfigurationError(f"{where}: not a table")
            try:
                consumers.append(_consumer(entry, file.parent, environ, where))
            except KeyMaterialError as exc:
                raise ConfigurationError(f"{where}: {exc}") from None
            except ConfigurationError as exc:
                message = str(exc)
                raise ConfigurationError(message if message.startswith(where)
                                         else f"{where}: {message}") from None
        return cls(consumers)


class WatchedRegistry:
    """A registry file, read again when it changes: keys rotate without a restart.

    ``get``, ``signing_certificates``, iteration and ``len`` answer from the registry last
    read. At most every ``interval`` seconds a call looks at the file (its size, mtime and
    inode) and, when it changed, reads it again; a file that no longer reads (a half-written
    edit, a broken entry) leaves the previous registry in force and is logged, so a mistake
    never takes a running gateway down. Write the file whole and rename it into place, as
    ``xbsec sandbox keys`` does.
    """

    def __init__(self, path: str | os.PathLike[str], *, interval: float = 0.25,
                 environ: Mapping[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self.interval = interval
        self._environ = environ
        self._clock = clock
        self._lock = threading.Lock()
        self._version = self._stat()
        self._registry = Registry.load(self.path, environ=environ)  # a first failure is fatal
        self._checked = clock()

    def _stat(self) -> tuple[int, int, int] | None:
        return file_version(self.path)

    @property
    def current(self) -> Registry:
        """The registry in force, read again first if the file changed."""
        now = self._clock()
        if now - self._checked < self.interval:
            return self._registry
        with self._lock:
            if now - self._checked < self.interval:
                return self._registry
            self._checked = now
            version = self._stat()
            if version is not None and version != self._version:
                try:
                    self._registry = Registry.load(self.path, environ=self._environ)
                    self._version = version
                    _log.info("registry %s read again: %d consumers", self.path,
                              len(self._registry))
                except ConfigurationError as exc:
                    _log.error("registry %s changed but cannot be used; keeping the one in "
                               "force: %s", self.path, exc)
        return self._registry

    def __len__(self) -> int:
        return len(self.current)

    def __iter__(self) -> Any:
        return iter(self.current)

    def get(self, consumer_key: str) -> Consumer | None:
        return self.current.get(consumer_key)

    def signing_certificates(self, consumer_key: str) -> tuple[x509.Certificate, ...] | None:
        return self.current.signing_certificates(consumer_key)


_KNOWN = {"consumer_key", "environment", "partner_ids", "signing_certificates", "psd2",
          "mtls", "encryption", "client_encryption_keys", "mastercard_encryption_certificate",
          "redirect_uris", "client_certificate_sha256", "client_certificate_subject"}


def _field(entry: Mapping[str, Any], name: str, kind: type, where: str,
           default: Any = ...) -> Any:
    if name not in entry:
        if default is ...:
            raise ConfigurationError(f"{where}: {name}: missing")
        return default
    value = entry[name]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigurationError(f"{where}: {name}: expected {kind.__name__}, found "
                                 f"{type(value).__name__}")
    return value


def _strings(entry: Mapping[str, Any], name: str, where: str, default: Any = ...) -> list[str]:
    values = _field(entry, name, list, where, default)
    if not all(isinstance(v, str) and v for v in values):
        raise ConfigurationError(f"{where}: {name}: expected a list of non-empty strings")
    return cast("list[str]", values)


def _path(folder: Path, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else folder / path


def _consumer(entry: Mapping[str, Any], folder: Path, environ: Mapping[str, str],
              where: str) -> Consumer:
    from xbsec.keys.check import check_key_matches_certificate
    from xbsec.keys.fingerprints import cert_sha256_hex, spki_sha256_hex
    from xbsec.keys.loading import load_certificate, load_key_and_certificate

    unknown = sorted(set(entry) - _KNOWN)
    if unknown:
        raise ConfigurationError(f"{where}: {unknown[0]}: unknown entry")
    environment = _field(entry, "environment", str, where, "sandbox")
    certificates = tuple(load_certificate(_path(folder, p))
                         for p in _strings(entry, "signing_certificates", where))
    decryption: dict[str, PrivateKey] = {}
    for index, item in enumerate(_field(entry, "client_encryption_keys", list, where, [])):
        spec = {"path": item} if isinstance(item, str) else item
        if not isinstance(spec, Mapping) or not isinstance(spec.get("path"), str) or (
                not isinstance(spec.get("certificate", ""), str)):
            raise ConfigurationError(f"{where}: client_encryption_keys[{index}]: expected a "
                                     "path or {path = ..., password_env = ..., "
                                     "certificate = ...}")
        password = spec.get("password")
        variable = spec.get("password_env")
        if isinstance(variable, str):
            if variable not in environ:
                raise ConfigurationError(f"{where}: client_encryption_keys[{index}]: "
                                         f"environment variable {variable} is not set")
            password = environ[variable]
        key, cert = load_key_and_certificate(_path(folder, spec["path"]), password=password,
                                             alias=spec.get("alias"))
        if "certificate" in spec:  # a key file without its certificate (SPEC §3.4 kid)
            cert_path = _path(folder, spec["certificate"])
            cert = load_certificate(cert_path)
            check_key_matches_certificate(key, cert, source=str(cert_path))
        decryption[spki_sha256_hex(key)] = key
        if cert is not None:
            decryption[cert_sha256_hex(cert)] = key
    mastercard_cert = _field(entry, "mastercard_encryption_certificate", str, where, None)
    return Consumer(
        consumer_key=_field(entry, "consumer_key", str, where),
        environment=environment,
        partner_ids=frozenset(_strings(entry, "partner_ids", where)),
        signing_certificates=certificates,
        psd2=_field(entry, "psd2", bool, where, False),
        mtls=_field(entry, "mtls", bool, where, False),
        encryption=_field(entry, "encryption", str, where, "optional"),
        client_encryption_keys=decryption,
        mastercard_encryption_certificate=None if mastercard_cert is None
        else load_certificate(_path(folder, mastercard_cert)),
        redirect_uris=tuple(_strings(entry, "redirect_uris", where, [])),
        client_certificate_sha256=_thumbprints(entry, where),
        client_certificate_subject=_field(entry, "client_certificate_subject", str, where,
                                          None),
    )


def _thumbprints(entry: Mapping[str, Any], where: str) -> frozenset[str]:
    """``client_certificate_sha256``: one thumbprint or a list; colons and case are free."""
    name = "client_certificate_sha256"
    value = entry.get(name, [])
    values = _strings({name: [value]} if isinstance(value, str) else entry, name, where, [])
    thumbprints = frozenset(v.replace(":", "").lower() for v in values)
    bad = sorted(t for t in thumbprints if not _THUMBPRINT.fullmatch(t))
    if bad:
        raise ConfigurationError(f"{where}: {name}: {bad[0][:80]!r} is not a SHA-256 "
                                 "thumbprint (64 hex digits)")
    return thumbprints
