"""Fixtures of the OAuth 2.0 client tests: keys, a fake authorization server, a clock, profiles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.client.oauth2.fake_server import FakeAuthorizationServer
from tests.clocks import Clock
from xbsec.keys import generate_rsa_key, self_signed_certificate, write_pkcs12
from xbsec.oauth2.client_assertion import ClientAssertionMinter
from xbsec.oauth2.token_endpoint import TokenEndpoint
from xbsec.oauth2.token_set import TokenSet

CLIENT_ID = "ck-oauth2!0123456789abcdef"

__all__ = ["CLIENT_ID", "Clock", "tokens_from", "write_psd2_profile"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def signing_key() -> Any:
    return generate_rsa_key()


@pytest.fixture
def server(signing_key: Any) -> Iterator[FakeAuthorizationServer]:
    """A fresh server per test, so that counts and families start from zero."""
    fake = FakeAuthorizationServer(CLIENT_ID, signing_key.public_key()).start()
    yield fake
    fake.stop()


@pytest.fixture
def endpoint(server: FakeAuthorizationServer, signing_key: Any, clock: Clock) -> TokenEndpoint:
    return TokenEndpoint(server.token_url, ClientAssertionMinter(CLIENT_ID, signing_key),
                         login_command="xbsec oauth2 login --profile eu", clock=clock)


def tokens_from(server: FakeAuthorizationServer, clock: Clock, *,
                expires_in: float = 900, refresh_in: float | None = 90 * 86400) -> TokenSet:
    """A token set as a login would have stored it, issued by ``server`` now."""
    answer = server.issue()
    now = clock()
    return TokenSet(access_token=answer["access_token"], expires_at=now + expires_in,
                    obtained_at=now, refresh_token=answer["refresh_token"],
                    refresh_expires_at=None if refresh_in is None else now + refresh_in,
                    scope="balances", token_url=server.token_url, client_id=CLIENT_ID)


@pytest.fixture(scope="session")
def key_files(tmp_path_factory: pytest.TempPathFactory, signing_key: Any) -> Path:
    folder = tmp_path_factory.mktemp("oauth2-keys")
    write_pkcs12(folder / "signing.p12", signing_key, self_signed_certificate(signing_key),
                 alias="keyalias", password="keystorepassword")
    return folder


PSD2_PROFILE = """
default = "eu"

[profiles.eu]
environment = "sandbox"
edge = "eu"
base_url = "{url}"
partner_id = "SANDBOX_PSD2_1"
consumer_key = "{client_id}"
auth = "request-token"
signing_key = {{ path = "{keys}/signing.p12", alias = "keyalias", password = "keystorepassword" }}

[profiles.eu.oauth2]
token_store_path = "{store}"
{extra}
"""


def write_psd2_profile(folder: Path, url: str, keys: Path, *, extra: str = "",
                       store: Path | None = None) -> Path:
    path = folder / "xbsec.toml"
    path.write_text(PSD2_PROFILE.format(url=url, client_id=CLIENT_ID, keys=keys,
                                        store=store or folder / "tokens" / "eu.json",
                                        extra=extra))
    return path
