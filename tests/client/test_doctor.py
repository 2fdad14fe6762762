"""``xbsec doctor``'s key checks: each problem named, with its fix."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from xbsec.cli.app import cli
from xbsec.client.doctor import check_profile, worst
from xbsec.sandbox.project import init_project


def project(tmp_path: Path, **options: object) -> Path:
    return init_project(tmp_path / "project", **options).profile  # type: ignore[arg-type]


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_sandbox_profile_is_healthy(tmp_path: Path) -> None:
    _, checks = check_profile(path=str(project(tmp_path)))
    assert worst(checks) == "ok"
    assert [c.name for c in checks] == ["profile", "signing certificate",
                                        "client-encryption certificate",
                                        "mastercard-encryption certificate 1"]


def test_a_certificate_expiring_soon_is_a_warning_with_the_fix(tmp_path: Path) -> None:
    _, checks = check_profile(path=str(project(tmp_path, days=10)), warn_days=30)
    assert worst(checks) == "warning"
    signing = next(c for c in checks if c.name == "signing certificate")
    assert "in 9 days" in signing.detail or "in 10 days" in signing.detail
    assert "xbsec keys csr" in signing.fix


def test_an_expired_certificate_is_a_problem(tmp_path: Path) -> None:
    later = datetime.now(UTC) + timedelta(days=400)
    _, checks = check_profile(path=str(project(tmp_path)), now=later)
    assert worst(checks) == "problem"
    assert all("expired on" in c.detail for c in checks if c.outcome == "problem")


def test_swapped_encryption_pairs_are_named(tmp_path: Path) -> None:
    profile = project(tmp_path)
    folder = profile.parent
    (folder / "mc-public.pem").write_bytes((folder / "server" /
                                            "mastercard-encryption.pem").read_bytes())
    rewrite(profile, 'client_encryption_certificate = "client-encryption.pem"',
            'client_encryption_certificate = "mc-public.pem"')
    loaded, checks = check_profile(path=str(profile))
    assert loaded is None
    assert checks[0].outcome == "problem"
    assert "the two pairs are swapped" in checks[0].detail
    assert "Mastercard's certificate" in checks[0].fix


def test_a_key_that_does_not_match_its_certificate(tmp_path: Path) -> None:
    profile = project(tmp_path)
    rewrite(profile, "[profiles.sandbox.encryption]",
            'signing_certificate = "client-encryption.pem"\n\n[profiles.sandbox.encryption]')
    loaded, checks = check_profile(path=str(profile))
    assert loaded is None
    assert checks[0].outcome == "problem"
    assert "does not belong to the certificate" in checks[0].detail
    assert "client-encryption.pem" in checks[0].detail


def test_a_wrong_password_is_a_problem_naming_the_entry(tmp_path: Path) -> None:
    profile = project(tmp_path)
    rewrite(profile, 'password = "keystorepassword" }\n\n[profiles',
            'password = "wrong" }\n\n[profiles')
    loaded, checks = check_profile(path=str(profile))
    assert loaded is None
    assert checks[0].outcome == "problem"
    assert "password" in checks[0].detail


@pytest.mark.parametrize(("days", "warn", "code"), [(365, 30, 0), (10, 30, 3)])
def test_the_exit_status_tells_ok_warning_and_problem(tmp_path: Path, days: int, warn: int,
                                                      code: int) -> None:
    profile = project(tmp_path, days=days)
    result = CliRunner().invoke(cli, ["doctor", "--profile-file", str(profile), "--warn-days",
                                      str(warn), "--offline"])
    assert result.exit_code == code, result.output
    missing = CliRunner().invoke(cli, ["doctor", "--profile-file",
                                       str(tmp_path / "nowhere.toml")])
    assert missing.exit_code == 1
    assert "no profile file" in missing.output


def test_keys_inspect_warns_before_expiry_and_fails_after(tmp_path: Path) -> None:
    from xbsec.keys import generate_rsa_key, self_signed_certificate, write_certificate_pem

    key = generate_rsa_key()
    soon, gone = tmp_path / "soon.pem", tmp_path / "gone.pem"
    write_certificate_pem(soon, self_signed_certificate(key, days=5))
    write_certificate_pem(gone, self_signed_certificate(
        key, days=5, now=datetime.now(UTC) - timedelta(days=30)))
    runner = CliRunner()
    fine = runner.invoke(cli, ["keys", "inspect", str(soon), "--warn-days", "1"])
    assert fine.exit_code == 0
    warned = runner.invoke(cli, ["keys", "inspect", str(soon)])
    assert warned.exit_code == 3
    assert "warning: the certificate expires on" in warned.output
    expired = runner.invoke(cli, ["keys", "inspect", str(gone), "--json"])
    assert expired.exit_code == 1
    assert '"expiry": "problem"' in expired.output
    assert os.path.exists(gone)


def test_a_keystore_given_for_mastercards_certificate_says_where_it_belongs(
        tmp_path: Path) -> None:
    profile = project(tmp_path)
    rewrite(profile, 'client_encryption_certificate = "client-encryption.pem"',
            'client_encryption_certificate = "mastercard-encryption.p12"')
    loaded, checks = check_profile(path=str(profile))
    assert loaded is None
    detail, fix = checks[0].detail, checks[0].fix
    assert "mastercard-encryption.p12" in detail
    assert "is a password-protected keystore" in detail
    assert "belongs in mastercard_encryption_keys" in fix
    assert "a password is required" not in detail + fix
