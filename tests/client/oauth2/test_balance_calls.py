"""The Balance calls of an MTS EU/UK profile with [oauth2] carry the access token; every
other call keeps its request token. Real HTTP to a fake server that records each header."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.client.oauth2.conftest import CLIENT_ID, write_psd2_profile
from tests.client.oauth2.fake_server import FakeAuthorizationServer
from xbsec.client.oauth2.access_token import AccessTokenAuth, AsyncAccessTokenAuth
from xbsec.client.pipeline import ClientPipeline
from xbsec.client.xbs import AsyncXBSClient, XBSClient
from xbsec.errors import LoginRequiredError
from xbsec.jose.jws import jws_verify
from xbsec.oauth2.token_set import TokenSet
from xbsec.profile import Profile, load_profile
from xbsec.stores.tokens import FileTokenStore

ACCOUNTS = "/send/partners/SANDBOX_PSD2_1/crossborder/accounts"


class Fixed:
    def __init__(self, value: str) -> None:
        self.value = value

    def authorization(self, method: str, url: str, body: bytes) -> str:
        return self.value


def test_a_per_call_auth_replaces_the_pipelines_for_that_call_only() -> None:
    pipeline = ClientPipeline(Fixed("OAuth default"))
    assert pipeline.request("GET", "https://x/a").headers["Authorization"] == "OAuth default"
    other = pipeline.request("GET", "https://x/a", auth=Fixed("Bearer other"))
    assert other.headers["Authorization"] == "Bearer other"
    assert pipeline.request("GET", "https://x/a").headers["Authorization"] == "OAuth default"


def psd2_profile(server: FakeAuthorizationServer, tmp_path: Path, key_files: Path, *,
                 expires_in: float = 900) -> Profile:
    path = write_psd2_profile(tmp_path, server.url, key_files)
    answer = server.issue()
    now = time.time()
    FileTokenStore(tmp_path / "tokens" / "eu.json").save(TokenSet(
        access_token=answer["access_token"], refresh_token=answer["refresh_token"],
        expires_at=now + expires_in, obtained_at=now, refresh_expires_at=now + 86400,
        token_url=server.token_url, client_id=CLIENT_ID))
    return load_profile(path=path, environ={})


def is_request_token(header: str | None, signing_key: Any) -> bool:
    assert header is not None
    scheme, _, token = header.partition(" ")
    header_members, _ = jws_verify(token, signing_key.public_key(), algorithms={"RS256"})
    return scheme == "Bearer" and header_members["kid"] == CLIENT_ID


def test_balance_calls_carry_the_access_token_and_others_the_request_token(
        server: FakeAuthorizationServer, tmp_path: Path, key_files: Path,
        signing_key: Any) -> None:
    profile = psd2_profile(server, tmp_path, key_files)
    stored = FileTokenStore(tmp_path / "tokens" / "eu.json").load()
    assert stored is not None
    with XBSClient(profile) as xbs:
        assert isinstance(xbs.balance_auth, AccessTokenAuth)
        assert xbs.balances() == {"accounts": {"path": ACCOUNTS}}  # type: ignore[comparison-overlap]
        xbs.balance("acc 1", include_balance=True)
        xbs.create_quote({"transaction_reference": "1"})
        # under /accounts, but not a Balance call
        xbs.validate_account({"accountUri": {"type": "IBAN", "value": "DE89"}})
    balance, one, quote, validation = server.seen
    assert (balance.method, balance.path) == ("GET", ACCOUNTS)
    assert balance.authorization == "Bearer " + stored.access_token
    assert one.path == ACCOUNTS + "/acc%201?include_balance=true"
    assert one.authorization == "Bearer " + stored.access_token
    assert is_request_token(quote.authorization, signing_key)
    assert (validation.method, validation.path) == ("POST", ACCOUNTS + "/validations")
    assert is_request_token(validation.authorization, signing_key)
    assert server.refreshes == 0


def test_a_due_token_is_refreshed_over_the_clients_own_connection(
        server: FakeAuthorizationServer, tmp_path: Path, key_files: Path) -> None:
    profile = psd2_profile(server, tmp_path, key_files, expires_in=30)
    sent: list[str] = []
    http = httpx.Client(event_hooks={"request": [lambda r: sent.append(str(r.url))]})
    with http, XBSClient(profile, http=http) as xbs:
        xbs.balances()
        xbs.balances()
    assert server.refreshes == 1
    assert sent == [server.token_url, server.url + ACCOUNTS, server.url + ACCOUNTS]
    renewed = FileTokenStore(tmp_path / "tokens" / "eu.json").load()
    assert renewed is not None
    assert server.seen[-1].authorization == "Bearer " + renewed.access_token


def test_without_tokens_a_balance_call_says_to_log_in(server: FakeAuthorizationServer,
                                                      tmp_path: Path,
                                                      key_files: Path) -> None:
    profile = psd2_profile(server, tmp_path, key_files)
    (tmp_path / "tokens" / "eu.json").unlink()
    with XBSClient(profile) as xbs, pytest.raises(LoginRequiredError,
                                                  match="xbsec oauth2 login --profile eu"):
        xbs.balances()
    assert server.seen == []


def test_a_profile_without_oauth2_keeps_request_tokens_for_balances(
        server: FakeAuthorizationServer, tmp_path: Path, key_files: Path,
        signing_key: Any) -> None:
    path = write_psd2_profile(tmp_path, server.url, key_files)
    path.write_text(path.read_text().split("[profiles.eu.oauth2]")[0])
    with XBSClient(load_profile(path=path, environ={})) as xbs:
        assert xbs.balance_auth is None
        xbs.balances()
    assert is_request_token(server.seen[-1].authorization, signing_key)


def test_balance_auth_can_be_given(server: FakeAuthorizationServer, tmp_path: Path,
                                   key_files: Path) -> None:
    profile = psd2_profile(server, tmp_path, key_files)
    with XBSClient(profile, balance_auth=Fixed("Bearer given")) as xbs:
        xbs.balances()
    assert server.seen[-1].authorization == "Bearer given"


@pytest.mark.anyio
async def test_async_balance_calls_refresh_on_the_event_loop(
        server: FakeAuthorizationServer, tmp_path: Path, key_files: Path,
        signing_key: Any) -> None:
    import asyncio

    profile = psd2_profile(server, tmp_path, key_files, expires_in=30)
    async with AsyncXBSClient(profile) as xbs:
        assert isinstance(xbs.balance_auth, AsyncAccessTokenAuth)
        results = await asyncio.gather(*(xbs.balances() for _ in range(20)))
        await xbs.create_quote({"transaction_reference": "1"})
    assert results == [{"accounts": {"path": ACCOUNTS}}] * 20
    assert server.refreshes == 1
    renewed = json.loads((tmp_path / "tokens" / "eu.json").read_bytes())["access_token"]
    balances, quote = server.seen[:-1], server.seen[-1]
    assert {seen.authorization for seen in balances} == {"Bearer " + renewed}
    assert is_request_token(quote.authorization, signing_key)
