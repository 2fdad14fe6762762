"""Key rotation rehearsed end to end: every key renewed, deployed and retired under traffic.

A client with a watched profile sends signed, encrypted requests without pause for more
than twenty seconds while, in turn, the signing key, the client-encryption key and the
Mastercard-encryption key are renewed through ``xbsec sandbox keys``, the client switched
by editing its profile, and the old keys retired: no request may fail. Afterwards a request
made with each retired key is refused as the portal says it will be.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.documents import new_reference, quote_for
from tests.e2e.sandbox_process import Project, Servers, init_project, xbsec_command
from tests.redis_server import free_port
from xbsec.client.xbs import XBSClient
from xbsec.errors import ApiError, DecryptionError, GatewayError
from xbsec.keys import (
    generate_rsa_key,
    load_certificate,
    pkcs12_bytes,
    private_key_pem,
    spki_sha256_hex,
)
from xbsec.profile import load_profile

pytestmark = pytest.mark.slow

PASSWORD = "keystorepassword"


def xbsec(*args: str) -> dict[str, Any]:
    done = subprocess.run([xbsec_command(), *args, "--json"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def openssl_csr(folder: Path, name: str) -> tuple[Path, Path]:
    """A new RSA key and a CSR for it, made by openssl (not by xbsec)."""
    key, csr = folder / f"{name}-key.pem", folder / f"{name}.csr"
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(csr), "-subj", f"/CN={name}"], check=True,
                   capture_output=True)
    return key, csr


@dataclasses.dataclass
class ClientFiles:
    """The client's side of the project: what its profile points at."""

    folder: Path
    base_url: str
    partner_id: str
    consumer_key: str
    signing_p12: str
    client_certificate: str
    mastercard_keys: list[str]

    def write(self) -> None:
        """The profile, replaced whole (written beside it, renamed), as a deployment does."""
        keys = "".join(f'    {{ path = "{p}", alias = "keyalias", password = "{PASSWORD}" }},\n'
                       for p in self.mastercard_keys)
        text = f"""default = "sandbox"

[profiles.sandbox]
environment = "sandbox"
base_url = "{self.base_url}"
partner_id = "{self.partner_id}"
consumer_key = "{self.consumer_key}"
signing_key = {{ path = "{self.signing_p12}", alias = "keyalias", password = "{PASSWORD}" }}

[profiles.sandbox.encryption]
enabled = true
client_encryption_certificate = "{self.client_certificate}"
mastercard_encryption_keys = [
{keys}]
"""
        temporary = self.folder / ".xbsec.toml.tmp"
        temporary.write_text(text)
        os.replace(temporary, self.folder / "xbsec.toml")


class Traffic:
    """Requests sent one after another from a thread until stopped; every failure kept."""

    def __init__(self, profile_file: Path) -> None:
        self.client = XBSClient.from_profile(path=str(profile_file), watch_profile=True)
        self.sent = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                quote = self.client.create_quote(quote_for(new_reference()))
                assert quote["proposals"]
            except Exception as exc:  # every failure is the test's business
                self.failures.append(f"{type(exc).__name__}: {exc}")
            self.sent += 1
            time.sleep(0.02)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(30)
        self.client.close()


def settle(seconds: float = 2.0) -> None:
    """Let traffic run: the client and the sandbox look at their files twice a second."""
    time.sleep(seconds)


def test_every_key_is_rotated_under_traffic_without_a_failed_request(
        tmp_path: Path, servers: Servers) -> None:
    project: Project = init_project(tmp_path / "project", port=free_port())
    server = servers.start(project)
    folder = project.folder
    original = load_profile(path=project.made["profile"], environ={})
    files = ClientFiles(folder, server.url, project.partner_id, project.consumer_key,
                        "signing.p12", "client-encryption.pem", ["mastercard-encryption.p12"])
    files.write()
    before = {k["kind"]: k for k in xbsec("sandbox", "keys", "list", "--dir", str(folder))}
    started = time.monotonic()

    with Traffic(folder / "xbsec.toml") as traffic:
        settle()
        # 1. Signing: a key and CSR made by openssl, a certificate and consumer key from the
        #    portal, the client switched to both, the old key retired.
        key_file, csr = openssl_csr(tmp_path, "signing-next")
        renewed = xbsec("sandbox", "keys", "renew", "--dir", str(folder), "--kind", "signing",
                        "--csr", str(csr))
        from cryptography.hazmat.primitives import serialization

        key = serialization.load_pem_private_key(key_file.read_bytes(), None)
        (folder / "signing-next.p12").write_bytes(pkcs12_bytes(
            key, load_certificate(renewed["certificate"]), password=PASSWORD))  # type: ignore[arg-type]
        settle()
        files.consumer_key, files.signing_p12 = renewed["consumer_key"], "signing-next.p12"
        files.write()
        settle()
        xbsec("sandbox", "keys", "retire", "--dir", str(folder), "--fingerprint",
              before["signing"]["fingerprint"])
        settle()
        # 2. Client encryption: a new pair the sandbox keeps; the client encrypts to it.
        client_key = xbsec("sandbox", "keys", "renew", "--dir", str(folder), "--kind",
                           "client-encryption")
        settle()
        files.client_certificate = client_key["certificate"]
        files.write()
        settle()
        xbsec("sandbox", "keys", "retire", "--dir", str(folder), "--fingerprint",
              before["client-encryption"]["fingerprint"])
        settle()
        # 3. Mastercard encryption: the partner's new key deployed beside the old one, then
        #    renewed from its CSR (made by xbsec), then the old one retired.
        mastercard = generate_rsa_key()
        (tmp_path / "mc-next-key.pem").write_bytes(private_key_pem(mastercard))
        subprocess.run([xbsec_command(), "keys", "csr", "--key", str(tmp_path / "mc-next-key.pem"),
                        "--cn", "partner mastercard encryption", "--out",
                        str(tmp_path / "mc-next.csr")], check=True, capture_output=True)
        mc_renewed = xbsec("sandbox", "keys", "renew", "--dir", str(folder), "--kind",
                           "mastercard-encryption", "--csr", str(tmp_path / "mc-next.csr"))
        (folder / "mastercard-encryption-next.p12").write_bytes(pkcs12_bytes(
            mastercard, load_certificate(mc_renewed["certificate"]), password=PASSWORD))
        files.mastercard_keys = ["mastercard-encryption.p12", "mastercard-encryption-next.p12"]
        files.write()
        settle()
        xbsec("sandbox", "keys", "retire", "--dir", str(folder), "--fingerprint",
              before["mastercard-encryption"]["fingerprint"])
        settle()
        listing = xbsec("sandbox", "keys", "list", "--dir", str(folder))
        # Traffic on the new keys alone, to the end of the 20 seconds at least.
        settle(max(2.0, 20.5 - (time.monotonic() - started)))

    assert traffic.failures == []
    assert traffic.sent > 100
    assert time.monotonic() - started >= 20
    statuses = sorted((k["kind"], k["status"]) for k in listing)
    assert statuses == [("client-encryption", "active"), ("client-encryption", "retired"),
                        ("mastercard-encryption", "active"), ("mastercard-encryption", "retired"),
                        ("signing", "active"), ("signing", "retired")]

    # Afterwards, each retired key is refused as the portal says.
    def call(**changes: Any) -> Any:
        profile = dataclasses.replace(load_profile(path=str(folder / "xbsec.toml"),
                                                   environ={}), base_url=server.url)
        keys = dataclasses.replace(profile.keys, **changes)
        with XBSClient(dataclasses.replace(profile, keys=keys)) as client:
            return client.create_quote(quote_for(new_reference()))

    with pytest.raises(GatewayError) as signing:
        call(consumer_key=original.keys.consumer_key, signing_key=original.keys.signing_key,
             signing_certificate=original.keys.signing_certificate)
    assert (signing.value.status, signing.value.reason_code) == (401, "DECLINED")

    old_client = original.keys.client_encryption_certificate
    with pytest.raises(ApiError) as encryption:  # Source encrypted_payload.data (SPEC §3.8)
        call(client_encryption_certificate=old_client,
             client_encryption_kid=spki_sha256_hex(old_client))
    assert (encryption.value.status, encryption.value.reason_code) == (
        400, "DECRYPT_PRIVATE_KEY_NOT_FOUND")

    with pytest.raises(DecryptionError):  # answers now go to the new key only
        call(mastercard_encryption_keys=original.keys.mastercard_encryption_keys,
             mastercard_encryption_certificates=original.keys.mastercard_encryption_certificates)
    assert call()["proposals"]  # the new keys, all three, work
