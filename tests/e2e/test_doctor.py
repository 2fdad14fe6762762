"""``xbsec doctor`` end to end, against a served sandbox: a correct profile passes, and each
of eight broken ones is named with its fix and a non-zero exit status."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sandbox_process import Project, Servers, free_port, init_project, xbsec_command
from xbsec.client.doctor import Check, check_profile, worst
from xbsec.keys import generate_rsa_key, self_signed_certificate, write_pkcs12


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("doctor")
    project = init_project(folder / "project", port=free_port())
    servers = Servers(folder)
    server = servers.start(project, port=int(project.profile().base_url.rsplit(":", 1)[1]))
    yield project, server
    servers.close()


@pytest.fixture
def xbsec_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([xbsec_command(), *args], capture_output=True, text=True,
                              timeout=60, check=False)

    return run


def copy_of(project: Project, tmp_path: Path) -> Path:
    """The project's client side (profile and key files) in a folder of the test's own."""
    folder = tmp_path / "client"
    folder.mkdir()
    for name in ("xbsec.toml", "signing.p12", "client-encryption.pem",
                 "mastercard-encryption.p12"):
        shutil.copy(project.folder / name, folder / name)
    return folder / "xbsec.toml"


def edit(profile: Path, old: str, new: str) -> None:
    text = profile.read_text()
    assert old in text, old
    profile.write_text(text.replace(old, new, 1))


def problem(checks: list[Check]) -> Check:
    assert worst(checks) == "problem", checks
    return next(c for c in checks if c.outcome == "problem")


def test_a_correct_sandbox_profile_passes(served: Any, tmp_path: Path, xbsec_cli: Any) -> None:
    project, _ = served
    profile, checks = check_profile(path=str(copy_of(project, tmp_path)), live=True)
    assert profile is not None
    assert worst(checks) == "ok", checks
    names = [c.name for c in checks]
    assert names[-4:] == ["endpoint", "clock", "signed call", "answers"]
    assert "the signature was accepted" in checks[-2].detail
    assert checks[-1].detail == "an encrypted answer decrypted with mastercard_encryption_keys"
    result = xbsec_cli("doctor", "--profile-file", str(project.folder / "xbsec.toml"),
                       "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["outcome"] == "ok"


def _wrong_password(profile: Path) -> None:
    edit(profile, 'password = "keystorepassword" }\n\n[profiles',
         'password = "not-the-password" }\n\n[profiles')


def _wrong_alias(profile: Path) -> None:
    edit(profile, 'alias = "keyalias", password = "keystorepassword" }\n\n[profiles',
         'alias = "signing", password = "keystorepassword" }\n\n[profiles')


def _swapped(profile: Path) -> None:
    folder = profile.parent
    from xbsec.keys import load_certificate, write_certificate_pem

    write_certificate_pem(folder / "own.pem", load_certificate(
        folder / "mastercard-encryption.p12", password="keystorepassword"))
    edit(profile, 'client_encryption_certificate = "client-encryption.pem"',
         'client_encryption_certificate = "own.pem"')


def _expired(profile: Path) -> None:
    key = generate_rsa_key()
    old = self_signed_certificate(key, days=30, now=datetime.now(UTC) - timedelta(days=60))
    write_pkcs12(profile.parent / "expired.p12", key, old, password="keystorepassword")
    edit(profile, 'path = "signing.p12"', 'path = "expired.p12"')


def _not_matching(profile: Path) -> None:
    edit(profile, "[profiles.sandbox.encryption]",
         'signing_certificate = "client-encryption.pem"\n\n[profiles.sandbox.encryption]')


def _missing_file(profile: Path) -> None:
    (profile.parent / "mastercard-encryption.p12").unlink()


def _another_mastercard_key(profile: Path) -> None:
    key = generate_rsa_key()
    write_pkcs12(profile.parent / "mastercard-encryption.p12", key,
                 self_signed_certificate(key), password="keystorepassword")


def _unreachable(profile: Path) -> None:
    text = profile.read_text()
    start = text.index('base_url = "') + len('base_url = "')
    end = text.index('"', start)
    profile.write_text(text[:start] + f"http://127.0.0.1:{free_port()}" + text[end:])


BROKEN: dict[str, tuple[Callable[[Path], None], tuple[str, ...], tuple[str, ...]]] = {
    # name: (break it, words the problem says, words its fix says)
    "wrong password": (_wrong_password, ("signing.p12", "password"), ()),
    "wrong alias": (_wrong_alias, ("signing", "keyalias"), ()),
    "swapped encryption pairs": (_swapped, ("the two pairs are swapped",),
                                 ("Mastercard's certificate",)),
    "expired certificate": (_expired, ("expired on",), ("renew the signing key",)),
    "key not matching its certificate": (_not_matching, ("does not belong to the certificate",),
                                         ()),
    "missing file": (_missing_file, ("mastercard-encryption.p12",), ()),
    "unreachable host": (_unreachable, ("cannot reach http://127.0.0.1:",),
                         ("check base_url",)),
    "a Mastercard-encryption key not registered": (
        _another_mastercard_key, ("encrypted to a key this profile does not hold",),
        ("mastercard_encryption_keys",)),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_profile_is_named_with_its_fix(served: Any, tmp_path: Path, case: str,
                                                xbsec_cli: Any) -> None:
    project, _ = served
    profile = copy_of(project, tmp_path)
    breaks, says, fix_says = BROKEN[case]
    breaks(profile)
    found = problem(check_profile(path=str(profile), live=True)[1])
    for words in says:
        assert words in found.detail, found
    for words in fix_says:
        assert words in found.fix, found
    assert found.fix, found
    result = xbsec_cli("doctor", "--profile-file", str(profile))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[problem]" in result.stdout
    assert "fix: " in result.stdout


def test_a_clock_ten_minutes_off_is_named(served: Any, tmp_path: Path) -> None:
    project, _ = served
    profile = copy_of(project, tmp_path)
    _, checks = check_profile(path=str(profile), live=True, clock=lambda: time.time() - 600)
    clock = next(c for c in checks if c.name == "clock")
    assert clock.outcome == "problem"
    assert "this machine's clock is 600 s behind the server's" in clock.detail or (
        "this machine's clock is 599 s behind" in clock.detail
        or "this machine's clock is 601 s behind" in clock.detail), clock
    assert "NTP" in clock.fix
    call = next(c for c in checks if c.name == "signed call")
    assert (call.outcome, call.fix) == ("problem", "set this machine's clock (NTP)")
    assert "INVALID_TIMESTAMP" in call.detail
    assert "behind the server's clock" in call.detail
