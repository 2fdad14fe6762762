"""Fixtures: consumers and keys, a store on a real SQLite file, the server on a moved clock."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from tests.sandbox.authorization_server.flow import REDIRECT_URI, assertion
from xbsec.keys import generate_rsa_key, self_signed_certificate
from xbsec.sandbox.authorization_server import (
    AuthorizationServer,
    AuthorizationServerSettings,
    AuthorizationStore,
    StoredAccessTokenValidator,
)
from xbsec.server.registry import Consumer, Registry

PARTNER = "PSD2_EU_1"
OTHER_PARTNER = "PSD2_EU_2"
REGISTERED_WITH_QUERY = "https://client.example/cb?tenant=7&lang=en"
ACCOUNTS = ("ACC000000000000001 (USD)", "ACC000000000000002 (EUR)")


class FakeClock:
    """A clock the test moves by hand; starts now, so that fresh certificates are valid."""

    def __init__(self) -> None:
        self.now = time.time() + 5

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Client:
    consumer_key: str
    key: Any

    def assertion(self, now: float, **claims: Any) -> str:
        return assertion(self.key, self.consumer_key, now=now, **claims)


@dataclass
class Keys:
    psd2: Client          # RSA, one partner, the loopback redirect URI
    ec: Client            # ES256, one partner
    multi: Client         # two partners
    oauth1: Client        # not PSD2
    registry: Registry


def _consumer(client: Client, partners: set[str], *, psd2: bool = True,
              redirect_uris: tuple[str, ...] = (REDIRECT_URI,)) -> Consumer:
    return Consumer(consumer_key=client.consumer_key, environment="sandbox",
                    partner_ids=frozenset(partners), psd2=psd2, encryption="off",
                    signing_certificates=(self_signed_certificate(client.key),),
                    redirect_uris=redirect_uris)


@pytest.fixture(scope="session")
def keys() -> Keys:
    psd2 = Client("psd2-consumer-key-0123456789!abcdef", generate_rsa_key())
    ec_client = Client("ec-consumer-key-0123456789!abcdef", ec.generate_private_key(
        ec.SECP256R1()))
    multi = Client("multi-partner-consumer!abcdef", generate_rsa_key())
    oauth1 = Client("oauth1-consumer-key!abcdef", generate_rsa_key())
    registry = Registry([
        _consumer(psd2, {PARTNER}, redirect_uris=(REDIRECT_URI,
                                                  REGISTERED_WITH_QUERY)),
        _consumer(ec_client, {PARTNER}),
        _consumer(multi, {PARTNER, OTHER_PARTNER}),
        _consumer(oauth1, {"SANDBOX_1"}, psd2=False),
    ])
    return Keys(psd2, ec_client, multi, oauth1, registry)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "oauth2.db"


@pytest.fixture
def store(database: Path) -> Iterator[AuthorizationStore]:
    opened = AuthorizationStore(database)
    yield opened
    opened.close()


@pytest.fixture
def settings() -> AuthorizationServerSettings:
    return AuthorizationServerSettings(issuer="http://testserver", environment="sandbox")


@pytest.fixture
def server(keys: Keys, store: AuthorizationStore, clock: FakeClock,
           settings: AuthorizationServerSettings) -> AuthorizationServer:
    return AuthorizationServer(keys.registry, store, settings=settings, clock=clock,
                               accounts=lambda partner: ACCOUNTS if partner == PARTNER else ())


@pytest.fixture
def validator(keys: Keys, store: AuthorizationStore,
              clock: FakeClock) -> StoredAccessTokenValidator:
    return StoredAccessTokenValidator(store, registry=keys.registry, clock=clock)


@pytest.fixture
async def http(server: AuthorizationServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server),
                                 base_url="http://testserver") as client:
        yield client
