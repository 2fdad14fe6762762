"""``xbsec sandbox init``: a complete test project, as Mastercard would issue it, on disk.

Layout of the project folder::

    xbsec.toml                    the client's profile ("sandbox")
    signing.p12                   signing key + certificate (alias keyalias,
                                  password keystorepassword: Mastercard's sandbox defaults)
    client-encryption.pem         Mastercard's Client Encryption certificate (public half):
                                  the client encrypts requests to it
    mastercard-encryption.p12     the partner's Mastercard Encryption key (private half):
                                  the client decrypts responses with it
    server/registry.toml          the sandbox's registry (a request-token project's consumer
                                  is PSD2 and has the redirect URI of the Balance APIs'
                                  authorization code flow)
    server/signing.pem            the consumer's signing certificate
    server/client-encryption-key.pem      private half only the sandbox holds
    server/client-encryption.pem          its certificate, so that a JWE kid may name
                                          either fingerprint (SPEC §3.4)
    server/mastercard-encryption.pem      public half responses are encrypted to
    server/sandbox.db             the sandbox's SQLite state (created by ``serve``)
    server/oauth2.db              the Balance APIs' authorization server: consents, codes,
                                  token hashes (created by ``serve``)

Files that hold a private key or a password (the PKCS#12 files, the server's private key,
the profile with its password, the databases) are created mode 0600 from their first byte,
never written readable and then restricted. Nothing here is a secret worth much (a local
test project, with Mastercard's public sandbox password), but it is how a real one is kept.
"""

from __future__ import annotations

import json
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xbsec.errors import ConfigurationError
from xbsec.keys.generate import DEFAULT_ALIAS, DEFAULT_PASSWORD

__all__ = ["SandboxProject", "init_project", "new_consumer_key"]

# Mastercard's sandbox defaults: alias keyalias, password keystorepassword (SPEC §2.2).
ALIAS = DEFAULT_ALIAS
SIGNING_PASSWORD = DEFAULT_PASSWORD
REDIRECT_URI = "http://127.0.0.1:8765/callback"
"""Where the authorization server sends the browser back to (request-token projects)."""


@dataclass(frozen=True, slots=True)
class SandboxProject:
    """What ``init_project`` made; ``to_dict`` is the ``--json`` output of the command."""

    folder: Path
    consumer_key: str
    partner_id: str
    auth: str

    @property
    def profile(self) -> Path:
        return self.folder / "xbsec.toml"

    @property
    def registry(self) -> Path:
        return self.folder / "server" / "registry.toml"

    @property
    def database(self) -> Path:
        return self.folder / "server" / "sandbox.db"

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": str(self.profile),
            "registry": str(self.registry),
            "partner_id": self.partner_id,
            "consumer_key": self.consumer_key,
            "signing_p12": str(self.folder / "signing.p12"),
            "signing_alias": ALIAS,
            "signing_password": SIGNING_PASSWORD,
            "client_encryption_cert": str(self.folder / "client-encryption.pem"),
            "mastercard_encryption_key": str(self.folder / "mastercard-encryption.p12"),
            "mastercard_encryption_key_password": SIGNING_PASSWORD,
        }


def new_consumer_key() -> str:
    """A consumer key of the shape Mastercard issues: 48 characters, ``!``, 48 hex (SPEC
    §2.2)."""
    random = secrets.SystemRandom()
    alphabet = string.ascii_letters + string.digits + "_-"
    part = "".join(random.choice(alphabet) for _ in range(48))
    return f"{part}!{secrets.token_hex(24)}"


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def _write_private_text(path: Path, text: str) -> None:
    """``text`` to ``path``, created 0600 (a file that existed keeps being replaced whole)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ConfigurationError(f"{path}: cannot be written: {exc.strerror or exc}") from None


def init_project(folder: str | os.PathLike[str], *, port: int = 8080,
                 auth: str = "oauth1", force: bool = False,
                 days: int = 365) -> SandboxProject:
    """Create keys, a profile and a registry in ``folder`` (which must be empty or absent).

    ``days``: how long the certificates are valid (short lives test expiry warnings).
    """
    from xbsec.keys import (
        generate_rsa_key,
        self_signed_certificate,
        write_certificate_pem,
        write_pkcs12,
        write_private_key_pem,
    )

    if auth not in ("oauth1", "request-token"):
        raise ConfigurationError("auth must be oauth1 or request-token")
    root = Path(folder)
    if root.exists() and any(root.iterdir()) and not force:
        raise ConfigurationError(f"{root} is not empty; choose an empty folder (or --force)")
    server = root / "server"
    server.mkdir(parents=True, exist_ok=True)

    random = secrets.SystemRandom()
    consumer_key = new_consumer_key()
    partner_id = f"SANDBOX_{random.randrange(10**6, 10**7)}"

    signing = generate_rsa_key()
    signing_cert = self_signed_certificate(signing, common_name="xbsec sandbox signing",
                                           days=days)
    write_pkcs12(root / "signing.p12", signing, signing_cert, alias=ALIAS,
                 password=SIGNING_PASSWORD)
    write_certificate_pem(server / "signing.pem", signing_cert)

    client = generate_rsa_key()
    client_cert = self_signed_certificate(client, common_name="xbsec sandbox client encryption",
                                          days=days)
    write_certificate_pem(root / "client-encryption.pem", client_cert)
    write_certificate_pem(server / "client-encryption.pem", client_cert)
    write_private_key_pem(server / "client-encryption-key.pem", client)

    mastercard = generate_rsa_key()
    mastercard_cert = self_signed_certificate(mastercard, common_name="xbsec sandbox "
                                              "mastercard encryption", days=days)
    write_pkcs12(root / "mastercard-encryption.p12", mastercard, mastercard_cert, alias=ALIAS,
                 password=SIGNING_PASSWORD)
    write_certificate_pem(server / "mastercard-encryption.pem", mastercard_cert)

    edge = "global" if auth == "oauth1" else "eu"
    profile = f"""# xbsec client profile, made by `xbsec sandbox init`.
default = "sandbox"

[profiles.sandbox]
environment = "sandbox"
edge = "{edge}"
base_url = "http://127.0.0.1:{port}"
partner_id = {_toml_string(partner_id)}
consumer_key = {_toml_string(consumer_key)}
auth = "{auth}"
signing_key = {{ path = "signing.p12", alias = "{ALIAS}", password = "{SIGNING_PASSWORD}" }}

[profiles.sandbox.encryption]
enabled = true
client_encryption_certificate = "client-encryption.pem"
mastercard_encryption_keys = [
    {{ path = "mastercard-encryption.p12", alias = "{ALIAS}", password = "{SIGNING_PASSWORD}" }},
]
"""
    registry = f"""# xbsec sandbox registry, made by `xbsec sandbox init`.
[[consumers]]
consumer_key = {_toml_string(consumer_key)}
environment = "sandbox"
partner_ids = [{_toml_string(partner_id)}]
signing_certificates = ["signing.pem"]
psd2 = {"true" if auth == "request-token" else "false"}
encryption = "optional"
client_encryption_keys = [
    {{ path = "client-encryption-key.pem", certificate = "client-encryption.pem" }},
]
mastercard_encryption_certificate = "mastercard-encryption.pem"
"""
    if auth == "request-token":
        # The Balance APIs' authorization code flow (SPEC §6) sends the browser back to the
        # client's loopback listener; any port of this loopback URI is accepted (RFC 8252 §7.3).
        registry += f"redirect_uris = [{_toml_string(REDIRECT_URI)}]\n"
        # The Balance APIs' access tokens, kept inside the project: each project its own.
        profile += """
[profiles.sandbox.oauth2]
token_store = "file"
token_store_path = "tokens.json"
"""
    _write_private_text(root / "xbsec.toml", profile)  # it holds the key passwords
    (server / "registry.toml").write_text(registry)
    return SandboxProject(root, consumer_key, partner_id, auth)
