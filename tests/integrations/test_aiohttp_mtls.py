"""aiohttp sessions from profiles over mutual TLS, against a loopback gateway that demands it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

aiohttp = pytest.importorskip("aiohttp")

from tests.integrations.mtls_fixture import MtlsWorld, mtls_world  # noqa: E402
from xbsec import ConfigurationError  # noqa: E402
from xbsec.integrations.aiohttp import exchange_of, session_from_profile  # noqa: E402

pytestmark = pytest.mark.anyio

QUOTE = {"quoterequest": {"transaction_reference": "0999999034810154901"}}
QUOTES = "send/v1/partners/P/crossborder/quotes"


@pytest.fixture(scope="module")
def world(key_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MtlsWorld]:
    with mtls_world(key_dir, tmp_path_factory.mktemp("mtls")) as made:
        yield made


async def test_with_the_client_certificate_the_call_is_served(world: MtlsWorld,
                                                              tmp_path: Path) -> None:
    async with (session_from_profile(world.profile(tmp_path), cafile=world.ca_file) as session,
                session.post(QUOTES, json=QUOTE) as response):
        answer = exchange_of(response).document()
    assert answer["echo"]["received"] == QUOTE
    assert answer["echo"]["auth"] == "request-token"
    assert world.server.seen[-1].tls_client_cert is True


async def test_without_the_client_certificate_the_server_refuses(world: MtlsWorld,
                                                                 tmp_path: Path) -> None:
    before = len(world.server.seen)
    partner = world.profile(tmp_path, with_certificate=False)
    async with session_from_profile(partner, cafile=world.ca_file) as session:
        with pytest.raises(aiohttp.ClientError):
            await session.post(QUOTES, json=QUOTE)
    assert len(world.server.seen) == before


async def test_the_server_is_verified(world: MtlsWorld, tmp_path: Path) -> None:
    async with session_from_profile(world.profile(tmp_path)) as session:  # not our test CA
        with pytest.raises(aiohttp.ClientConnectorCertificateError):
            await session.get("send/v1/partners/P/crossborder?ref=1")


async def test_a_connector_cannot_be_combined_with_mtls(world: MtlsWorld,
                                                        tmp_path: Path) -> None:
    connector = aiohttp.TCPConnector()
    try:
        with pytest.raises(ConfigurationError, match="connector"):
            session_from_profile(world.profile(tmp_path), connector=connector)
    finally:
        await connector.close()
