"""Profiles: one name picks everything; every wrong entry says where and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from xbsec import ConfigurationError
from xbsec.environments import base_url, default_auth
from xbsec.keys import spki_sha256_hex
from xbsec.profile import find_profile_file, load_profile

from .conftest import GOOD, write_profile

ENV = {"MC_PW": "mc-secret"}


def test_a_good_profile_loads_its_keys(good_profile: Path, key_dir: Path) -> None:
    profile = load_profile(path=good_profile, environ=ENV)
    assert profile.name == "sandbox"
    assert profile.base_url == "https://sandbox.api.mastercard.com"
    assert profile.auth == "oauth1"
    assert profile.encryption is True
    assert profile.format == "json"
    assert profile.keys.consumer_key == "ck!123"
    assert profile.keys.signing_certificate is not None
    assert len(profile.keys.mastercard_encryption_keys) == 1
    assert profile.keys.encryption_kid == spki_sha256_hex(
        profile.keys.client_encryption_certificate)  # type: ignore[arg-type]


def test_the_file_is_found_by_argument_environment_or_working_directory(
        good_profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_profile_file(good_profile) == good_profile
    assert find_profile_file(environ={"XBSEC_PROFILE": str(good_profile)}) == good_profile
    monkeypatch.chdir(good_profile.parent)
    assert load_profile(environ=ENV).name == "sandbox"


@pytest.mark.parametrize(("edge", "url", "auth"), [
    ("eu", "https://sandbox.api.xbs.mastercard.eu", "request-token"),
    ("uk", "https://sandbox.api.xbs.mastercard.uk", "request-token"),
    ("global", "https://sandbox.api.mastercard.com", "oauth1"),
])
def test_edges_choose_hosts_and_auth(key_dir, tmp_path, edge, url, auth) -> None:
    text = GOOD.format(dir=key_dir).replace('environment = "sandbox"',
                                           f'environment = "sandbox"\nedge = "{edge}"')
    profile = load_profile(path=write_profile(tmp_path, text), environ=ENV)
    assert (profile.base_url, profile.auth) == (url, auth)


def test_every_environment_and_edge_has_a_url() -> None:
    assert base_url("production") == "https://api.mastercard.com"
    assert base_url("mtf", "eu") == "https://mtf.api.xbs.mastercard.eu"
    assert default_auth("uk") == "request-token"
    with pytest.raises(ConfigurationError, match="unknown environment"):
        base_url("staging")
    with pytest.raises(ConfigurationError, match="unknown edge"):
        base_url("sandbox", "us")


def test_base_url_override_and_options(key_dir, tmp_path) -> None:
    text = GOOD.format(dir=key_dir).replace(
        'partner_id', 'base_url = "http://127.0.0.1:8080/"\nformat = "xml"\ntimeout = 5\n'
        'auth = "request-token"\npartner_id')
    profile = load_profile(path=write_profile(tmp_path, text), environ=ENV)
    assert profile.base_url == "http://127.0.0.1:8080"
    assert (profile.format, profile.timeout, profile.auth) == ("xml", 5.0, "request-token")


def test_selection_by_name_and_environment(key_dir, tmp_path) -> None:
    text = GOOD.format(dir=key_dir) + GOOD.format(dir=key_dir).replace(
        "[profiles.sandbox", "[profiles.other").replace('default = "sandbox"', "")
    path = write_profile(tmp_path, text)
    assert load_profile("other", path, environ=ENV).name == "other"
    assert load_profile(path=path, environ={**ENV, "XBSEC_PROFILE_NAME": "other"}).name == "other"
    assert load_profile(path=path, environ=ENV).name == "sandbox"


def test_the_only_profile_needs_no_default(key_dir, tmp_path) -> None:
    text = GOOD.format(dir=key_dir).replace('default = "sandbox"', "")
    assert load_profile(path=write_profile(tmp_path, text), environ=ENV).name == "sandbox"


def test_mtls_entry(key_dir, tmp_path) -> None:
    text = GOOD.format(dir=key_dir) + (
        f'\n[profiles.sandbox.mtls]\np12 = "{key_dir}/signing.p12"\n'
        'password = "tls-secret-value"\n')
    profile = load_profile(path=write_profile(tmp_path, text), environ=ENV)
    assert profile.mtls is not None
    assert profile.mtls.p12 == key_dir / "signing.p12"
    assert profile.mtls.password == "tls-secret-value"
    assert "tls-secret-value" not in repr(profile)


def test_relative_paths_are_read_from_the_profile_folder(key_dir) -> None:
    text = GOOD.format(dir=".")
    path = write_profile(key_dir, text, "relative.toml")
    assert load_profile(path=path, environ=ENV).keys.consumer_key == "ck!123"


def test_plain_string_key_paths_and_no_encryption(key_dir, tmp_path) -> None:
    text = (f'[profiles.p]\nenvironment = "production"\npartner_id = "P"\n'
            f'consumer_key = "ck"\nsigning_key = "{key_dir}/signing-key.pem"\n')
    profile = load_profile(path=write_profile(tmp_path, text))
    assert profile.encryption is False
    assert profile.keys.signing_certificate is None


def _error(tmp_path: Path, text: str, environ: dict[str, str] | None = None,
           name: str | None = None) -> str:
    with pytest.raises(ConfigurationError) as info:
        load_profile(name, write_profile(tmp_path, text),
                     environ=ENV if environ is None else environ)
    return str(info.value)


@pytest.mark.parametrize(("change", "expected"), [
    (("partner_id = \"SANDBOX_1234567\"", ""), "partner_id: missing. add `partner_id = ...`"),
    (("partner_id = \"SANDBOX_1234567\"", "partner_id = 42"),
     "partner_id: expected str, found int"),
    (("partner_id = \"SANDBOX_1234567\"", "partner_id = \"a/b\""), "cannot go in a URL path"),
    (('environment = "sandbox"', 'environment = "staging"'),
     "environment: 'staging' is not one of sandbox, mtf, production"),
    (('environment = "sandbox"', 'environment = "sandbox"\nedge = "us"'),
     "edge: 'us' is not one of global, eu, uk"),
    (('environment = "sandbox"', 'environment = "sandbox"\ncolour = "blue"'),
     "colour: unknown entry"),
    (('environment = "sandbox"', 'environment = "sandbox"\nauth = "basic"'),
     "auth: 'basic' is not one of"),
    (('environment = "sandbox"', 'environment = "sandbox"\ntimeout = 0'), "timeout: must be"),
    (('environment = "sandbox"', 'environment = "sandbox"\ntimeout = true'),
     "timeout: expected int or float, found bool"),
    (('environment = "sandbox"', 'environment = "sandbox"\nbase_url = "ftp://x"'),
     "is not an http(s) URL"),
    (("signing.p12", "missing.p12"), "signing_key.path: no such file"),
    (('consumer_key = "ck!123"', 'consumer_key = "has space"'), "keys: consumer_key"),
    (('password = "keystorepassword"', 'password = "x", password_env = "Y"'), "not both"),
    (("password_env = \"MC_PW\"", "password_env = \"NOT_SET_ANYWHERE\""),
     "environment variable NOT_SET_ANYWHERE is not set. export NOT_SET_ANYWHERE"),
    (("mastercard_encryption_keys = [", "mastercard_encryption_keys_x = ["),
     "encryption: encryption is on but"),
    (("signing_key = {", "signing_key = 7 #"), "signing_key: expected str or Mapping"),
])
def test_each_bad_entry_names_file_profile_and_entry(key_dir, tmp_path, change,
                                                     expected) -> None:
    text = GOOD.format(dir=key_dir).replace(*change)
    message = _error(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'xbsec.toml'}: profile 'sandbox': ")
    assert expected in message


def test_wrong_password_names_the_keystore_without_the_password(key_dir, tmp_path) -> None:
    text = GOOD.format(dir=key_dir).replace('password = "keystorepassword"',
                                           'password = "not-the-password"')
    message = _error(tmp_path, text)
    assert "signing.p12" in message
    assert "wrong password" in message
    assert "not-the-password" not in message


def test_key_that_does_not_match_its_certificate(key_dir, tmp_path) -> None:
    text = GOOD.format(dir=key_dir).replace(
        "consumer_key", f'signing_certificate = "{key_dir}/other.pem"\nconsumer_key')
    message = _error(tmp_path, text)
    assert "keys: " in message
    assert "other.pem: the private key does not belong to the certificate" in message


def test_request_tokens_need_the_signing_certificate(key_dir, tmp_path) -> None:
    text = (f'[profiles.p]\nenvironment = "sandbox"\nedge = "eu"\npartner_id = "P"\n'
            f'consumer_key = "ck"\nsigning_key = "{key_dir}/signing-key.pem"\n')
    assert "signing_certificate: request tokens carry" in _error(tmp_path, text, {})


def test_file_level_problems(tmp_path, key_dir) -> None:
    with pytest.raises(ConfigurationError,
                       match=r"no profile file at .*--profile-file PATH.*\$XBSEC_PROFILE"):
        load_profile(path=tmp_path / "none.toml")
    with pytest.raises(ConfigurationError, match=r"named by \$XBSEC_PROFILE"):
        load_profile(environ={"XBSEC_PROFILE": str(tmp_path / "none.toml")})
    assert "not valid TOML" in _error(tmp_path, "[profiles\n")
    assert "not valid TOML" in _error(tmp_path, "x = " + "9" * 5_000 + "\n")  # over int()'s
    assert "no [profiles.NAME] table" in _error(tmp_path, "x = 1\n")
    two = GOOD.format(dir=key_dir).replace('default = "sandbox"', "") + GOOD.format(
        dir=key_dir).replace("[profiles.sandbox", "[profiles.b").replace('default = "sandbox"',
                                                                        "")
    assert "several profiles (sandbox, b) and no default" in _error(tmp_path, two)
    assert "no profile 'nope'; the file has b, sandbox" in _error(tmp_path, two, name="nope")
    bad = tmp_path / "binary.toml"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigurationError, match="cannot be read"):
        load_profile(path=bad)


def test_an_expired_signing_certificate_loads_with_a_warning_naming_the_fix(
        key_dir, tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from xbsec.errors import CertificateExpiryWarning
    from xbsec.keys import (
        generate_rsa_key,
        self_signed_certificate,
        write_certificate_pem,
        write_pkcs12,
    )

    key = generate_rsa_key()
    old = self_signed_certificate(key, days=10, now=datetime.now(UTC) - timedelta(days=40))
    write_pkcs12(tmp_path / "old.p12", key, old)
    write_certificate_pem(tmp_path / "cert.pem", old)
    text = (f'[profiles.p]\nenvironment = "sandbox"\npartner_id = "P"\n'
            f'consumer_key = "ck"\nsigning_key = {{ path = "{tmp_path}/old.p12", '
            'password = "keystorepassword" }\n')
    with pytest.warns(CertificateExpiryWarning) as caught:
        profile = load_profile(path=write_profile(tmp_path, text), environ={})
    assert profile.keys.signing_certificate == old
    message = str(caught[0].message)
    assert "profile 'p': signing_certificate: the certificate expired on" in message
    assert "refused (DECLINED)" in message
    assert "xbsec keys csr" in message
