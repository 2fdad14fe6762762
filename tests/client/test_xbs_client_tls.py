"""XBSClient and AsyncXBSClient TLS options: ``cafile`` for the httpx client they make.

Over real TLS (a test CA, mutual TLS) in tests/e2e/test_mutual_tls.py; here, what is checked
before any connection.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx
import pytest

from xbsec import ConfigurationError
from xbsec.client import ClientPipeline
from xbsec.client.tls import client_ssl_context
from xbsec.client.xbs import AsyncXBSClient, XBSClient

trustme = pytest.importorskip("trustme")

PIPELINE: Any = ClientPipeline(auth=None)  # type: ignore[arg-type]
TARGET = {"pipeline": PIPELINE, "base_url": "https://127.0.0.1:1", "partner_id": "P"}


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return path


def test_cafile_cannot_apply_to_a_given_http_client(ca_file: Path) -> None:
    with httpx.Client() as http, pytest.raises(ConfigurationError, match="cafile"):
        XBSClient(**TARGET, http=http, cafile=ca_file)


@pytest.mark.anyio
async def test_cafile_cannot_apply_to_a_given_async_http_client(ca_file: Path) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(ConfigurationError, match="cafile"):
            AsyncXBSClient(**TARGET, http=http, cafile=ca_file)


@pytest.mark.parametrize("content", [None, b"not a certificate"], ids=["missing", "garbage"])
def test_a_cafile_that_is_not_a_ca_is_a_configuration_error(tmp_path: Path,
                                                            content: bytes | None) -> None:
    path = tmp_path / "ca.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigurationError, match="not a readable CA file"):
        XBSClient(**TARGET, cafile=path)
    with pytest.raises(ConfigurationError, match=str(path)):
        client_ssl_context(cafile=path)


def test_a_cafile_is_trusted(ca_file: Path) -> None:
    context = client_ssl_context(cafile=ca_file)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert len(context.get_ca_certs()) == 1


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
