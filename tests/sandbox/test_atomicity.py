"""One transaction per request: a request that fails half-way leaves nothing behind."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.sandbox.samples import (
    V1,
    body,
    count_rows,
    new_payment,
    new_proposal,
    payment_request,
    send,
)
from xbsec.sandbox import SandboxApp

pytestmark = pytest.mark.anyio

LARGE = {"amount": "20000.00", "currency": "USD"}  # opens a request for information


def _fail(*args: object, **kwargs: object) -> None:
    raise RuntimeError("disk went away")


async def test_a_payment_that_fails_after_its_insert_leaves_no_row(
        client: httpx.AsyncClient, database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proposal_id = await new_proposal(client, payment_amount=LARGE)
    # The RFI request is written after the payment row, in the same transaction.
    monkeypatch.setattr("xbsec.sandbox.payments.open_rfi_request", _fail)
    failed = await send(client, "POST", f"{V1}/payment",
                        payment_request(proposal_id, payment_amount=LARGE))
    assert failed.status_code == 500
    assert count_rows(database, "payments") == 0
    assert count_rows(database, "rfi_requests") == 0

    monkeypatch.undo()
    retried = await send(client, "POST", f"{V1}/payment",
                         payment_request(proposal_id, payment_amount=LARGE))
    assert retried.status_code == 200
    assert count_rows(database, "payments") == 1
    assert count_rows(database, "rfi_requests") == 1


async def test_a_cancel_that_fails_half_way_changes_nothing(
        app: SandboxApp, client: httpx.AsyncClient, database: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    payment = await new_payment(client, payment_amount=LARGE,
                                recipient_account_uri="tel:+254700000001")
    real_execute = sqlite3.Connection.execute

    class FailingRfiUpdate(sqlite3.Connection):
        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
            if sql.startswith("UPDATE rfi_requests"):
                raise sqlite3.OperationalError("disk I/O error")
            return real_execute(self, sql, *args)  # type: ignore[arg-type]

    original_connect = sqlite3.connect

    def connect(*args: object, **kwargs: object) -> sqlite3.Connection:
        return original_connect(*args, factory=FailingRfiUpdate, **kwargs)  # type: ignore[call-overload, no-any-return]

    # The cancel updates the payment, then its open RFI request; the second update fails.
    app.close()  # drop pooled connections, so that new ones use the failing factory
    monkeypatch.setattr("xbsec.sandbox.store.sqlite3.connect", connect)
    failed = await client.post(f"{V1}/{payment['id']}/cancel")
    assert failed.status_code == 500

    monkeypatch.undo()
    app.close()
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT status FROM payments").fetchall() == [("PENDING",)]
        assert connection.execute("SELECT status FROM rfi_requests").fetchall() == [("OPEN",)]
    after = body(await client.get(f"{V1}/{payment['id']}"))["payment"]
    assert after["status"] == "PENDING"


async def test_a_refused_request_writes_nothing(client: httpx.AsyncClient,
                                                database: Path) -> None:
    proposal_id = await new_proposal(client)
    for document in (payment_request(proposal_id, payment_type="B2B"),
                     payment_request("pen_unknown"),
                     {"paymentrequest": {}}):
        response = await send(client, "POST", f"{V1}/payment", document)
        assert response.status_code in (400, 402)
    assert count_rows(database, "payments") == 0
