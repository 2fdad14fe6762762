"""Durability: every payment a real uvicorn server acknowledged is there after a restart."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox.samples import KYC, V0, V1, payment_request, quote_request
from xbsec.documents import dumps_json

ROOT = Path(__file__).resolve().parents[2]
JSON = {"content-type": "application/json"}

pytestmark = pytest.mark.slow


class Server:
    """The sandbox in a uvicorn process of its own, on a loopback port it picked."""

    def __init__(self, database: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.sandbox.serve", str(database)], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert self.process.stdout is not None
        self.errors = b""
        port = int(self.process.stdout.readline())
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{self.base_url}/", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self, sig: int) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout=20)
        if self.process.stderr is not None and not self.process.stderr.closed:
            self.errors = self.process.stderr.read()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return code


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:  # whatever the test did, no process outlives it
        server.stop(signal.SIGKILL)


def _pay(http: httpx.Client, reference: str) -> dict[str, Any]:
    quote = http.post(f"{V1}/quotes", headers=JSON, content=dumps_json(quote_request(
        transaction_reference=reference, recipient_account_uri="tel:+254700000001")))
    assert quote.status_code == 200
    proposal_id = quote.json()["quote"]["proposals"]["proposal"][0]["id"]
    payment = http.post(f"{V1}/payment", headers=JSON, content=dumps_json({"paymentrequest": {
        "transaction_reference": reference, "proposal_id": proposal_id, **KYC}}))
    assert payment.status_code == 200
    return payment.json()["payment"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGKILL],
                         ids=["graceful-stop", "killed"])
def test_acknowledged_payments_survive_a_restart(tmp_path: Path, servers: list[Server],
                                                 stop_signal: int) -> None:
    database = tmp_path / "sandbox.db"
    servers.append(Server(database))
    with httpx.Client(base_url=servers[0].base_url, timeout=10) as http:
        acknowledged = [_pay(http, f"DURABLE-{i}") for i in range(10)]
        cancelled = http.post(f"{V1}/{acknowledged[0]['id']}/cancel")
        assert cancelled.status_code == 200
    # uvicorn shuts down gracefully on SIGTERM, then dies of the signal it caught
    assert servers[0].stop(stop_signal) == -stop_signal
    assert b"Traceback" not in servers[0].errors

    servers.append(Server(database))
    with httpx.Client(base_url=servers[1].base_url, timeout=10) as http:
        for payment in acknowledged:
            by_id = http.get(f"{V1}/{payment['id']}")
            assert by_id.status_code == 200
            stored = by_id.json()["payment"]
            assert stored["transaction_reference"] == payment["transaction_reference"]
            assert stored["charged_amount"] == payment["charged_amount"]
            by_reference = http.get(V1, params={"ref": payment["transaction_reference"]})
            assert by_reference.json()["payment"]["id"] == payment["id"]
        assert http.get(f"{V1}/{acknowledged[0]['id']}").json()["payment"]["status"] == \
            "REJECTED"
        # a reference paid before the restart is still taken after it
        quote = http.post(f"{V1}/quotes", headers=JSON, content=dumps_json(
            quote_request(transaction_reference="DURABLE-NEW")))
        proposal_id = quote.json()["quote"]["proposals"]["proposal"][0]["id"]
        again = http.post(f"{V1}/payment", headers=JSON, content=dumps_json(
            payment_request(proposal_id, transaction_reference="DURABLE-3")))
        assert again.status_code == 409
        # nine pending payments of 102.00 USD are still reserved in the settlement account
        usd = http.get(f"{V0}/accounts/acct_1001", params={"include_balance": "true"}).json()
        assert usd["balanceDetails"]["reservedBalance"] == {"amount": "918.00",
                                                            "currency": "USD"}
