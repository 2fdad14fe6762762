"""A gzip-encoded answer (plain or an encrypted envelope) reads as plaintext, decoded once."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from xbsec.documents import dumps
from xbsec.integrations.httpx import async_client_from_profile, client_from_profile, exchange_of
from xbsec.integrations.requests import XBSSession
from xbsec.keys import load_certificate
from xbsec.payload import encrypt_payload

ANSWER = {"quote": {"id": "q-1", "note": "Zoë"}}


@pytest.fixture(scope="module")
def gzip_server(key_dir: Path) -> Iterator[str]:
    """Answers every request with ANSWER, gzip-encoded; encrypted when the request was."""
    partner = load_certificate(key_dir / "mastercard-encryption.p12", password="mc-secret")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = dumps(ANSWER, "json")
            if self.headers.get("x-encrypted") == "true":
                body = encrypt_payload(body, partner, content_type="application/json")
            compressed = gzip.compress(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(compressed)))
            self.end_headers()
            self.wfile.write(compressed)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


ENCRYPTION = pytest.mark.parametrize("encryption", [True, False])


def check_httpx(response: Any, encryption: bool) -> None:
    assert response.json() == ANSWER
    assert "Content-Encoding" not in response.headers  # decoded already: not to be undone twice
    assert response.headers["Content-Length"] == str(len(response.content))
    assert exchange_of(response).response.encrypted is encryption


@ENCRYPTION
def test_httpx_sync(make_profile: Any, gzip_server: str, encryption: bool) -> None:
    with client_from_profile(make_profile(encryption=encryption, url=gzip_server)) as client:
        response = client.post("/x", content=b"{}")
    check_httpx(response, encryption)


@ENCRYPTION
@pytest.mark.anyio
async def test_httpx_async(make_profile: Any, gzip_server: str, encryption: bool) -> None:
    profile = make_profile(encryption=encryption, url=gzip_server)
    async with async_client_from_profile(profile) as client:
        response = await client.post("/x", content=b"{}")
    check_httpx(response, encryption)


@ENCRYPTION
def test_requests(make_profile: Any, gzip_server: str, encryption: bool) -> None:
    with XBSSession(make_profile(encryption=encryption, url=gzip_server)) as session:
        response = session.post("/x", data=b"{}")
    assert response.json() == ANSWER
    if encryption:
        assert "Content-Encoding" not in response.headers
        assert response.headers["Content-Length"] == str(len(response.content))
