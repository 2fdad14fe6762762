"""The [profiles.NAME.oauth2] table, and what is built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.client.oauth2.conftest import CLIENT_ID
from xbsec.client.oauth2.from_profile import (
    login_command,
    oauth2_parts,
    oauth2_settings,
    token_store_for,
)
from xbsec.errors import ConfigurationError
from xbsec.profile import OAuth2Settings, load_profile
from xbsec.stores.tokens import FileTokenStore, MemoryTokenStore

HEAD = """
[profiles."{name}"]
environment = "sandbox"
edge = "{edge}"
base_url = "http://127.0.0.1:8080"
partner_id = "SANDBOX_PSD2_1"
consumer_key = "{client_id}"
auth = "{auth}"
signing_key = {{ path = "{keys}/signing.p12", alias = "keyalias", password = "keystorepassword" }}
"""


def write(folder: Path, keys: Path, table: str | None, *, name: str = "eu", edge: str = "eu",
          auth: str = "request-token") -> Path:
    text = HEAD.format(name=name, edge=edge, auth=auth, keys=keys, client_id=CLIENT_ID)
    if table is not None:
        text += f'\n[profiles."{name}".oauth2]\n{table}\n'
    path = folder / "xbsec.toml"
    path.write_text(text)
    return path


def test_an_empty_table_takes_every_default(tmp_path: Path, key_files: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    profile = load_profile(path=write(tmp_path, key_files, ""), environ={})
    assert profile.oauth2 == OAuth2Settings(
        authorize_url="http://127.0.0.1:8080/oauth2/authorize",
        token_url="http://127.0.0.1:8080/oauth2/token",
        redirect_uri="http://127.0.0.1:8765/callback", scope="balances", token_store="file",
        token_store_path=tmp_path / "home" / ".xbsec" / "tokens" / "eu.json",
        refresh_margin=60.0)


def test_every_entry_can_be_set(tmp_path: Path, key_files: Path) -> None:
    table = """
authorize_url = "https://auth.example/authorize?tenant=eu"
token_url = "https://auth.example/token"
redirect_uri = "http://127.0.0.1:9000/cb"
scope = ""
token_store = "redis://127.0.0.1:6379/2"
token_store_path = "state/tokens.json"
refresh_margin = 120
"""
    settings = oauth2_settings(load_profile(path=write(tmp_path, key_files, table), environ={}))
    assert settings.authorize_url == "https://auth.example/authorize?tenant=eu"
    assert settings.token_url == "https://auth.example/token"
    assert settings.redirect_uri == "http://127.0.0.1:9000/cb"
    assert settings.scope == ""
    assert settings.token_store == "redis://127.0.0.1:6379/2"
    assert settings.token_store_path == tmp_path / "state" / "tokens.json"  # beside the file
    assert settings.refresh_margin == 120.0


def test_no_table_means_no_access_tokens(tmp_path: Path, key_files: Path) -> None:
    profile = load_profile(path=write(tmp_path, key_files, None), environ={})
    assert profile.oauth2 is None
    with pytest.raises(ConfigurationError, match=r"no \[profiles.eu.oauth2\] table"):
        oauth2_settings(profile)


@pytest.mark.parametrize(("edge", "auth"), [("global", "oauth1"), ("eu", "oauth1"),
                                            ("global", "request-token")])
def test_the_table_is_for_mts_eu_uk_customers_only(tmp_path: Path, key_files: Path, edge: str,
                                                   auth: str) -> None:
    with pytest.raises(ConfigurationError, match="oauth2: access tokens are for the Balance"):
        load_profile(path=write(tmp_path, key_files, "", edge=edge, auth=auth), environ={})


@pytest.mark.parametrize(("table", "said"), [
    ('tokens = "x"', "oauth2.tokens: unknown entry"),
    ('token_url = "ftp://x/token"', "oauth2.token_url: 'ftp://x/token' is not an http"),
    ('authorize_url = "/oauth2/authorize"', "oauth2.authorize_url"),
    ('redirect_uri = "http://127.0.0.1:1/cb#x"', "oauth2.redirect_uri"),
    ('token_store = "s3://bucket"', "oauth2.token_store: must be memory, file, or a redis"),
    ("refresh_margin = 900", "oauth2.refresh_margin: must be 0 to 899"),
    ("refresh_margin = -1", "oauth2.refresh_margin"),
    ('refresh_margin = "60"', "oauth2.refresh_margin: expected int or float"),
    ("scope = 1", "oauth2.scope: expected str"),
])
def test_bad_entries_name_the_file_profile_and_entry(tmp_path: Path, key_files: Path,
                                                     table: str, said: str) -> None:
    path = write(tmp_path, key_files, table)
    with pytest.raises(ConfigurationError, match=f"^{path}: profile 'eu': ") as caught:
        load_profile(path=path, environ={})
    assert said in str(caught.value)


def test_a_name_that_cannot_be_a_file_needs_a_path(tmp_path: Path, key_files: Path) -> None:
    with pytest.raises(ConfigurationError, match="set token_store_path"):
        load_profile(path=write(tmp_path, key_files, "", name="eu/prod"), environ={})
    profile = load_profile(path=write(tmp_path, key_files, 'token_store_path = "t.json"',
                                      name="eu/prod"), environ={})
    assert oauth2_settings(profile).token_store_path == tmp_path / "t.json"


def test_the_parts_built_from_a_profile(tmp_path: Path, key_files: Path) -> None:
    table = 'token_store = "memory"\nrefresh_margin = 30'
    profile = load_profile(path=write(tmp_path, key_files, table), environ={})
    endpoint, store, margin = oauth2_parts(profile)
    assert endpoint.token_url == "http://127.0.0.1:8080/oauth2/token"
    assert endpoint.client_id == CLIENT_ID
    assert endpoint.assertion.algorithm == "RS256"
    assert isinstance(store, MemoryTokenStore)
    assert margin == 30.0


def test_the_store_follows_the_setting(tmp_path: Path, key_files: Path) -> None:
    profile = load_profile(path=write(tmp_path, key_files, 'token_store_path = "t.json"'),
                           environ={})
    store = token_store_for(profile)
    assert isinstance(store, FileTokenStore)
    assert store.path == tmp_path / "t.json"
    redis_profile = load_profile(path=write(tmp_path, key_files,
                                            'token_store = "redis://127.0.0.1:6379/0"'),
                                 environ={})
    redis_store = token_store_for(redis_profile)
    assert redis_store.location == "redis://127.0.0.1:6379/0 key xbsec:oauth2:tokens:eu"


def test_the_login_command_names_the_profile_and_a_file_elsewhere(
        tmp_path: Path, key_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, key_files, "")
    profile = load_profile(path=path, environ={})
    monkeypatch.chdir(tmp_path)
    assert login_command(profile) == "xbsec oauth2 login --profile eu"
    monkeypatch.chdir(key_files)
    assert login_command(profile) == f"xbsec oauth2 login --profile eu --profile-file {path}"
