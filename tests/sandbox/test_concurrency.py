"""The same payment posted at once, from threads and from processes: exactly one is made."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox.samples import (
    V1,
    count_rows,
    new_proposal,
    payment_request,
    reasons,
    send,
)
from xbsec.documents import dumps_json
from xbsec.sandbox import SandboxApp, create_sandbox_app

pytestmark = pytest.mark.anyio


async def test_one_payment_from_many_concurrent_requests(
        client: httpx.AsyncClient, database: Path) -> None:
    proposal_id = await new_proposal(client)
    document = payment_request(proposal_id)
    responses = await asyncio.gather(*(send(client, "POST", f"{V1}/payment", document)
                                       for _ in range(25)))
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: 24}
    for response in responses:
        if response.status_code == 409:
            assert reasons(response) == {("transaction_reference", "DUPLICATE_VALUE")}
    assert count_rows(database, "payments") == 1


async def test_concurrent_different_payments_all_succeed(
        client: httpx.AsyncClient, database: Path) -> None:
    proposals = [await new_proposal(client, transaction_reference=f"R{i}") for i in range(20)]
    responses = await asyncio.gather(*(
        send(client, "POST", f"{V1}/payment",
             payment_request(proposal_id, transaction_reference=f"R{i}"))
        for i, proposal_id in enumerate(proposals)))
    assert [r.status_code for r in responses] == [200] * 20
    assert count_rows(database, "payments") == 20


def _post_from_a_process(database: str, body: bytes, attempts: int,
                         start: Any, results: Any) -> None:
    """In a fresh process: a sandbox of its own on the shared file, several posts at once."""
    async def run() -> list[int]:
        app = create_sandbox_app(database)
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://sandbox") as client:
                start.wait()
                responses = await asyncio.gather(*(
                    client.post(f"{V1}/payment", content=body,
                                headers={"content-type": "application/json"})
                    for _ in range(attempts)))
                return [r.status_code for r in responses]
        finally:
            app.close()

    results.put(asyncio.run(run()))


@pytest.mark.slow
async def test_one_payment_from_many_processes(database: Path) -> None:
    app: SandboxApp = create_sandbox_app(database)  # the real clock, as the processes use
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://sandbox") as client:
            proposal_id = await new_proposal(client)
    finally:
        app.close()
    context = multiprocessing.get_context("spawn")
    processes_count, attempts = 6, 4
    start = context.Barrier(processes_count)
    results = context.Queue()
    body = dumps_json(payment_request(proposal_id))
    processes = [context.Process(target=_post_from_a_process,
                                 args=(str(database), body, attempts, start, results))
                 for _ in range(processes_count)]
    for process in processes:
        process.start()
    statuses: Counter[int] = Counter()
    for _ in processes:
        statuses.update(await asyncio.to_thread(results.get, timeout=60))
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert statuses == {200: 1, 409: processes_count * attempts - 1}
    assert count_rows(database, "payments") == 1
