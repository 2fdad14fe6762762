from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xbsec.keys import (
    generate_rsa_key,
    private_key_pem,
    self_signed_certificate,
    write_certificate_pem,
    write_pkcs12,
)


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project's key files: signing p12, client-encryption cert, Mastercard-encryption p12."""
    folder = tmp_path_factory.mktemp("project")
    signing = generate_rsa_key()
    write_pkcs12(folder / "signing.p12", signing, self_signed_certificate(signing))
    (folder / "signing-key.pem").write_bytes(private_key_pem(signing))
    other = generate_rsa_key()
    write_certificate_pem(folder / "other.pem", self_signed_certificate(other))
    client_enc = generate_rsa_key()
    write_certificate_pem(folder / "client-encryption.pem", self_signed_certificate(client_enc))
    (folder / "client-encryption-key.pem").write_bytes(private_key_pem(client_enc))
    mc_enc = generate_rsa_key()
    write_pkcs12(folder / "mastercard-encryption.p12", mc_enc, self_signed_certificate(mc_enc),
                 password="mc-secret")
    return folder


def write_profile(folder: Path, text: str, name: str = "xbsec.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


GOOD = """
default = "sandbox"

[profiles.sandbox]
environment = "sandbox"
partner_id = "SANDBOX_1234567"
consumer_key = "ck!123"
signing_key = {{ path = "{dir}/signing.p12", alias = "keyalias", password = "keystorepassword" }}

[profiles.sandbox.encryption]
client_encryption_certificate = "{dir}/client-encryption.pem"
mastercard_encryption_keys = [
    {{ path = "{dir}/mastercard-encryption.p12", password_env = "MC_PW" }},
]
"""


@pytest.fixture
def good_profile(key_dir: Path, tmp_path: Path) -> Any:
    return write_profile(tmp_path, GOOD.format(dir=key_dir))


LOOPBACK_PROFILE = """
[profiles.loop]
environment = "sandbox"
edge = "{edge}"
base_url = "{url}"
partner_id = "SANDBOX_1234567"
consumer_key = "ck!123"
auth = "{auth}"
format = "{format}"
signing_key = {{ path = "{dir}/signing.p12", alias = "keyalias", password = "keystorepassword" }}

[profiles.loop.encryption]
enabled = {encryption}
client_encryption_certificate = "{dir}/client-encryption.pem"
mastercard_encryption_keys = [
    {{ path = "{dir}/mastercard-encryption.p12", password = "mc-secret" }},
]
"""


@pytest.fixture(scope="session")
def loopback(key_dir: Path) -> Any:
    """A real server on 127.0.0.1 verifying and decrypting with the core (tests/loopback.py)."""
    from tests.loopback import LoopbackXBS
    from xbsec.keys import load_certificate, load_private_key

    server = LoopbackXBS(
        consumer_key="ck!123",
        signing_certificate=load_certificate(key_dir / "signing.p12",
                                             password="keystorepassword"),
        client_encryption_key=load_private_key(key_dir / "client-encryption-key.pem"),
        mastercard_encryption_certificate=load_certificate(
            key_dir / "mastercard-encryption.p12", password="mc-secret"),
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def make_profile(key_dir: Path, loopback: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """make_profile(auth=..., encryption=..., format=..., edge=...) -> a Profile on the loopback."""
    from xbsec.profile import load_profile

    folder = tmp_path_factory.mktemp("profiles")
    made: dict[tuple[str, bool, str, str], Any] = {}

    def make(auth: str = "oauth1", encryption: bool = True, format: str = "json",
             edge: str = "global", url: str | None = None) -> Any:
        key = (auth, encryption, format, edge + (url or ""))
        if key not in made:
            text = LOOPBACK_PROFILE.format(edge=edge, url=url or loopback.url, auth=auth,
                                           format=format, encryption=str(encryption).lower(),
                                           dir=key_dir)
            path = folder / f"p{len(made)}.toml"
            path.write_text(text)
            made[key] = load_profile(path=path, environ={})
        return made[key]

    return make
