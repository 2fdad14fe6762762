"""``xbsec sandbox keys``: the sandbox plays Mastercard's key portal for one project.

A project has three kinds of key per environment (SPEC §7.1)::

    kind                    private key held by   the portal keeps
    signing                 the partner           its certificate, under a consumer key
    client-encryption       Mastercard (sandbox)  the pair; publishes the certificate
    mastercard-encryption   the partner           its certificate; encrypts answers to it

and three operations, as the portal's *Actions > Renew* and the retirement of the old key:

- ``list``: every key, with its fingerprint (SPKI SHA-256, lower-case hex: the JWE ``kid``),
  its consumer key (signing keys), ``not_after`` and status;
- ``renew``: a signing or Mastercard-encryption key from the partner's CSR (the portal issues
  a certificate for the CSR's key); a client-encryption key made here (the sandbox keeps the
  private half and publishes the certificate). The new key works beside the old one;
- ``retire``: the key stops working. A request signed with a retired signing key is refused
  ``DECLINED`` (its consumer key is gone); a request encrypted to a retired client-encryption
  key ``DECRYPT_PRIVATE_KEY_NOT_FOUND``; answers are no longer encrypted to a retired
  Mastercard-encryption key. The last key of a kind cannot be retired.

Statuses: of the keys of a kind that are not retired, the newest is ``active`` and the
others ``retiring``; both work until retired. Answers are encrypted to the *oldest*
Mastercard-encryption key not retired, so that a partner can renew first and deploy the new
private key next: nothing breaks whatever the order, and retiring the old key is what moves
the answers to the new one.

Known and chosen (SPEC §13 item 8: the portal's rules are not documented beyond *Renew*):
chosen, a renewed signing key gets **a consumer key of its own**, as the portal lists each
key with its own consumer key; the old consumer key works until its key is retired. Chosen,
certificates are issued by a sandbox "portal CA" kept in the project (``server/portal-ca*``),
for the CSR's subject, for ``days`` (365 unless told: short lives test expiry). CSRs must
verify and hold an RSA key of 2048 bits or more.

State: ``server/keys.json`` (the keys and their history) and ``server/registry.toml`` (what
the gateway reads), both rewritten whole under a lock; a running sandbox reads the registry
again within a second (``WatchedRegistry``). A project made before this ledger existed gets
one from its registry the first time.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
import time
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Final, Literal

from xbsec.errors import ConfigurationError
from xbsec.sandbox.registry_toml import write_registry

__all__ = ["KINDS", "KeyPortal", "PortalKey", "Status"]

Kind = Literal["signing", "client-encryption", "mastercard-encryption"]
Status = Literal["active", "retiring", "retired"]
KINDS: Final[tuple[Kind, ...]] = ("signing", "client-encryption", "mastercard-encryption")
_LEDGER: Final = "keys.json"
_CA_CERT: Final = "portal-ca.pem"
_CA_KEY: Final = "portal-ca-key.pem"
_CA_NAME: Final = "xbsec sandbox key portal"


@dataclass(frozen=True, slots=True)
class PortalKey:
    """One key of the project, as the ledger keeps it (file names relative to ``server/``)."""

    kind: Kind
    fingerprint: str
    certificate: str
    not_after: str
    created: float
    consumer_key: str | None = None
    private_key: str | None = None
    """The sandbox's private half (client-encryption keys only)."""
    published: str | None = None
    """The partner's copy of the certificate, in the project folder."""
    retired_at: float | None = None


class KeyPortal:
    """The keys of one sandbox project (a folder made by ``xbsec sandbox init``)."""

    def __init__(self, folder: str | os.PathLike[str], *,
                 clock: Any = time.time) -> None:
        self.folder = Path(folder)
        self.server = self.folder / "server"
        self.registry_file = self.server / "registry.toml"
        if not self.registry_file.is_file():
            raise ConfigurationError(f"{self.folder} is not a sandbox project (no "
                                     "server/registry.toml); make one with `xbsec sandbox "
                                     "init --dir DIR`")
        self._clock = clock

    # -- reading ------------------------------------------------------------------------------

    def keys(self) -> list[PortalKey]:
        """Every key, oldest first."""
        with self._locked():
            return self._ledger()

    def status(self, key: PortalKey, keys: list[PortalKey]) -> Status:
        if key.retired_at is not None:
            return "retired"
        live = [k for k in keys if k.kind == key.kind and k.retired_at is None]
        return "active" if key == max(live, key=lambda k: k.created) else "retiring"

    def listing(self) -> list[dict[str, Any]]:
        """What ``keys list --json`` prints: one object per key, oldest first."""
        keys = self.keys()
        return [self._describe(key, keys) for key in keys]

    def _describe(self, key: PortalKey, keys: list[PortalKey]) -> dict[str, Any]:
        return {"kind": key.kind, "fingerprint": key.fingerprint,
                "consumer_key": key.consumer_key, "not_after": key.not_after,
                "status": self.status(key, keys),
                "certificate": str(self.folder / key.published) if key.published
                else str(self.server / key.certificate)}

    # -- renewing and retiring ------------------------------------------------------------------

    def renew(self, kind: str, csr: bytes | None = None, *, csr_source: str = "<csr>",
              days: int = 365) -> dict[str, Any]:
        """Renew a key of ``kind``; what ``keys renew --json`` prints."""
        from xbsec.keys import load_csr

        chosen = next((k for k in KINDS if k == kind), None)
        if chosen is None:
            raise ConfigurationError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if days < 1:
            raise ConfigurationError("--days must be at least 1")
        if kind == "client-encryption":
            if csr is not None:
                raise ConfigurationError("a client-encryption key is made by Mastercard (here, "
                                         "by the sandbox): renew it without --csr")
        elif csr is None:
            raise ConfigurationError(f"a {kind} key is renewed from your CSR: give --csr FILE "
                                     "(`xbsec keys csr` or `openssl req` makes one)")
        request = None if csr is None else load_csr(csr, source=csr_source)
        with self._locked():
            keys = self._ledger()
            number = self._next_number()
            if request is None:  # client-encryption: the sandbox makes the pair
                key = self._new_client_encryption(number, days)
            else:
                key = self._issue(chosen, request, number, days)
            if any(k.fingerprint == key.fingerprint for k in keys):
                raise ConfigurationError("this key is already in the project: a renewal needs "
                                         "a new key pair")
            keys.append(key)
            self._save(keys)
            return self._describe(key, keys)

    def retire(self, fingerprint: str) -> dict[str, Any]:
        """Retire the key with this fingerprint; what ``keys retire --json`` prints."""
        wanted = fingerprint.replace(":", "").strip().lower()
        with self._locked():
            keys = self._ledger()
            found = [k for k in keys if k.fingerprint == wanted]
            if not found:
                known = ", ".join(f"{k.fingerprint[:16]}… ({k.kind})" for k in keys)
                raise ConfigurationError(f"no key with fingerprint {fingerprint!r} in "
                                         f"{self.folder}; the project has {known}")
            key = found[0]
            if key.retired_at is not None:
                raise ConfigurationError(f"the {key.kind} key {wanted[:16]}… is already retired")
            live = [k for k in keys if k.kind == key.kind and k.retired_at is None]
            if len(live) == 1:
                raise ConfigurationError(
                    f"the {key.kind} key {wanted[:16]}… is the last one of its kind: renew it "
                    f"first (`xbsec sandbox keys renew --kind {key.kind}`), then retire it")
            retired = replace(key, retired_at=self._clock())
            keys[keys.index(key)] = retired
            self._save(keys)
            return self._describe(retired, keys)

    # -- making keys and certificates -----------------------------------------------------------

    def _authority(self) -> tuple[Any, Any]:
        from xbsec.keys import (
            certificate_authority,
            load_certificate,
            load_private_key,
            write_certificate_pem,
            write_private_key_pem,
        )

        cert_file, key_file = self.server / _CA_CERT, self.server / _CA_KEY
        if cert_file.is_file() and key_file.is_file():
            return load_private_key(key_file), load_certificate(cert_file)
        key, cert = certificate_authority(_CA_NAME)
        write_private_key_pem(key_file, key)
        write_certificate_pem(cert_file, cert)
        return key, cert

    def _next_number(self) -> int:
        used = {int(part) for path in list(self.server.iterdir()) + list(self.folder.iterdir())
                for part in path.stem.split("-") if part.isdigit()}
        return max(used | {1}) + 1

    def _issue(self, kind: Kind, request: Any, number: int, days: int) -> PortalKey:
        from xbsec.keys import issue_certificate, spki_sha256_hex, write_certificate_pem

        ca_key, ca_cert = self._authority()
        certificate = issue_certificate(request.public_key(), request.subject, issuer_key=ca_key,
                                        issuer_certificate=ca_cert, days=days)
        name = f"{kind}-{number}.pem"
        write_certificate_pem(self.server / name, certificate)
        write_certificate_pem(self.folder / name, certificate)  # the partner's download
        consumer_key = None
        if kind == "signing":
            from xbsec.sandbox.project import new_consumer_key

            consumer_key = new_consumer_key()
        return PortalKey(kind, spki_sha256_hex(certificate), name,
                         certificate.not_valid_after_utc.isoformat(), self._clock(),
                         consumer_key=consumer_key, published=name)

    def _new_client_encryption(self, number: int, days: int) -> PortalKey:
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        from xbsec.keys import (
            generate_rsa_key,
            issue_certificate,
            spki_sha256_hex,
            write_certificate_pem,
            write_private_key_pem,
        )

        ca_key, ca_cert = self._authority()
        key = generate_rsa_key()
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                f"xbsec sandbox client encryption {number}")])
        certificate = issue_certificate(key.public_key(), subject, issuer_key=ca_key,
                                        issuer_certificate=ca_cert, days=days)
        base = f"client-encryption-{number}"
        write_private_key_pem(self.server / f"{base}-key.pem", key)
        write_certificate_pem(self.server / f"{base}.pem", certificate)
        write_certificate_pem(self.folder / f"{base}.pem", certificate)  # the download
        return PortalKey("client-encryption", spki_sha256_hex(certificate), f"{base}.pem",
                         certificate.not_valid_after_utc.isoformat(), self._clock(),
                         private_key=f"{base}-key.pem", published=f"{base}.pem")

    # -- the ledger and the registry -------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One portal operation at a time, across processes (POSIX)."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        fd = os.open(self.server / "keys.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _registry(self) -> list[dict[str, Any]]:
        try:
            data = tomllib.loads(self.registry_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
            raise ConfigurationError(f"{self.registry_file}: cannot be read: {exc}") from None
        consumers = data.get("consumers")
        if not isinstance(consumers, list) or not consumers or not all(
                isinstance(c, dict) for c in consumers):
            raise ConfigurationError(f"{self.registry_file}: no [[consumers]] entries")
        return consumers

    def _ledger(self) -> list[PortalKey]:
        ledger = self.server / _LEDGER
        try:
            raw = json.loads(ledger.read_text(encoding="utf-8"))
            return [PortalKey(**entry) for entry in raw["keys"]]
        except FileNotFoundError:
            return self._from_registry()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(f"{ledger}: not a key ledger: {exc}") from None

    def _from_registry(self) -> list[PortalKey]:
        """The ledger of a project that has none yet: its first consumer's keys, active."""
        from xbsec.keys import load_certificate, load_private_key, spki_sha256_hex

        consumer = self._registry()[0]
        now = self._clock()
        keys = []
        for name in consumer.get("signing_certificates", []):
            cert = load_certificate(self.server / name)
            keys.append(PortalKey("signing", spki_sha256_hex(cert), name,
                                  cert.not_valid_after_utc.isoformat(), now,
                                  consumer_key=str(consumer["consumer_key"])))
        for entry in consumer.get("client_encryption_keys", []):
            spec = {"path": entry} if isinstance(entry, str) else dict(entry)
            certificate = spec.get("certificate")
            if certificate:
                cert = load_certificate(self.server / certificate)
                fingerprint, not_after = (spki_sha256_hex(cert),
                                          cert.not_valid_after_utc.isoformat())
            else:
                fingerprint = spki_sha256_hex(load_private_key(self.server / spec["path"],
                                                               password=spec.get("password")))
                not_after = ""
            published = "client-encryption.pem" if (
                self.folder / "client-encryption.pem").is_file() else None
            keys.append(PortalKey("client-encryption", fingerprint,
                                  certificate or spec["path"], not_after, now,
                                  private_key=spec["path"], published=published))
        name = consumer.get("mastercard_encryption_certificate")
        if name:
            cert = load_certificate(self.server / name)
            keys.append(PortalKey("mastercard-encryption", spki_sha256_hex(cert), name,
                                  cert.not_valid_after_utc.isoformat(), now))
        return keys

    def _save(self, keys: list[PortalKey]) -> None:
        self._sync_registry(keys)
        payload = json.dumps({"version": 1, "keys": [asdict(k) for k in keys]}, indent=2)
        handle, temporary = tempfile.mkstemp(dir=self.server, prefix=".keys-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(payload + "\n")
        os.replace(temporary, self.server / _LEDGER)

    def _sync_registry(self, keys: list[PortalKey]) -> None:
        """Make the registry say what the ledger says, for the project's consumers.

        Consumers added by hand keep everything but the project's encryption keys, which
        follow the ledger wherever they are named (they are the project's, not the
        consumer's).
        """
        consumers = self._registry()
        signing = [k for k in keys if k.kind == "signing"]
        retired_keys = {k.consumer_key for k in signing if k.retired_at is not None}
        live = [k for k in signing if k.retired_at is None]
        by_key = {str(c.get("consumer_key")): c for c in consumers}
        template = next((by_key[k.consumer_key] for k in signing
                         if k.consumer_key in by_key), consumers[0])
        consumers = [c for c in consumers if c.get("consumer_key") not in retired_keys]
        for key in live:
            if key.consumer_key not in by_key:
                entry = copy.deepcopy(template)
                entry["consumer_key"] = key.consumer_key
                entry["signing_certificates"] = [key.certificate]
                consumers.append(entry)
        encryption = [k for k in keys if k.kind == "client-encryption"]
        own_files = {k.private_key for k in encryption}
        live_entries = [{"path": k.private_key, "certificate": k.certificate}
                        for k in sorted(encryption, key=lambda k: k.created)
                        if k.retired_at is None]
        mastercard = [k for k in keys if k.kind == "mastercard-encryption"]
        own_certificates = {k.certificate for k in mastercard}
        serving = min((k for k in mastercard if k.retired_at is None),
                      key=lambda k: k.created, default=None)
        for consumer in consumers:
            entries = consumer.get("client_encryption_keys") or []
            paths = {e if isinstance(e, str) else e.get("path") for e in entries}
            if paths & own_files:
                consumer["client_encryption_keys"] = copy.deepcopy(live_entries)
            if serving is not None and (consumer.get("mastercard_encryption_certificate")
                                        in own_certificates):
                consumer["mastercard_encryption_certificate"] = serving.certificate
        write_registry(self.registry_file, consumers)
