"""A payment's life: PENDING, then SUCCESS, REJECTED or RETURNED, by the documented trigger
values and the clock, or at once by the sandbox's control endpoint."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import V1, body, new_payment, reasons, send, set_status
from xbsec.sandbox.triggers import RETURN_SECONDS, SETTLEMENT_SECONDS

pytestmark = pytest.mark.anyio


async def _status(client: httpx.AsyncClient, payment_id: str) -> dict[str, Any]:
    response = await client.get(f"{V1}/{payment_id}")
    assert response.status_code == 200
    return body(response)["payment"]  # type: ignore[no-any-return]


async def test_a_payment_succeeds_when_it_settles(client: httpx.AsyncClient,
                                                  clock: FakeClock) -> None:
    payment = await new_payment(client)
    clock.advance(SETTLEMENT_SECONDS - 1)
    assert (await _status(client, payment["id"]))["status"] == "PENDING"
    clock.advance(1)
    settled = await _status(client, payment["id"])
    assert settled["status"] == "SUCCESS"
    assert settled["status_timestamp"] == "2023-11-14T17:14:20-05:00"
    assert "pending_stage" not in settled
    assert "pending_max_completion_date" not in settled


@pytest.mark.parametrize(("reference", "amount"), [("R-REJ", "100.00"), ("R-1", "100.01")])
async def test_a_rejection_trigger_ends_rejected(client: httpx.AsyncClient, clock: FakeClock,
                                                 reference: str, amount: str) -> None:
    payment = await new_payment(client, reference,
                                payment_amount={"amount": amount, "currency": "USD"})
    clock.advance(SETTLEMENT_SECONDS)
    rejected = await _status(client, payment["id"])
    assert rejected["status"] == "REJECTED"
    assert set(rejected["rejected_status"]) == {"Code", "Message"}


@pytest.mark.parametrize(("reference", "amount"), [("R-RET", "100.00"), ("R-1", "100.02")])
async def test_a_return_trigger_succeeds_then_returns(client: httpx.AsyncClient,
                                                      clock: FakeClock, reference: str,
                                                      amount: str) -> None:
    payment = await new_payment(client, reference,
                                payment_amount={"amount": amount, "currency": "USD"})
    clock.advance(SETTLEMENT_SECONDS)
    assert (await _status(client, payment["id"]))["status"] == "SUCCESS"
    clock.advance(RETURN_SECONDS)
    returned = await _status(client, payment["id"])
    assert returned["status"] == "RETURNED"
    assert set(returned["return_status"]) == {"Message"}


@pytest.mark.parametrize(("reference", "amount"), [("R-HOLD", "100.00"), ("R-1", "100.03")])
async def test_a_hold_trigger_stays_pending(client: httpx.AsyncClient, clock: FakeClock,
                                            reference: str, amount: str) -> None:
    payment = await new_payment(client, reference,
                                payment_amount={"amount": amount, "currency": "USD"})
    clock.advance(365 * 24 * 3600)
    assert (await _status(client, payment["id"]))["status"] == "PENDING"


async def test_a_reference_ending_to_times_out_but_the_payment_is_made(
        client: httpx.AsyncClient) -> None:
    from tests.sandbox.samples import new_proposal, payment_request

    proposal_id = await new_proposal(client)
    response = await send(client, "POST", f"{V1}/payment",
                          payment_request(proposal_id, transaction_reference="PAY-TO"))
    assert response.status_code == 504
    assert reasons(response) == {("Service", "TIMEOUT")}
    found = await client.get(V1, params={"ref": "PAY-TO"})
    assert found.status_code == 200
    assert body(found)["payment"]["status"] == "PENDING"


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_control_endpoint_moves_a_payment_at_once(client: httpx.AsyncClient,
                                                            fmt: str) -> None:
    payment = await new_payment(client, "R-HOLD")
    response = await set_status(client, payment["id"], "REJECTED", code="AML",
                                message="Screening refused the payment")
    assert response.status_code == 200, response.text
    assert body(response)["payment"]["rejected_status"] == {
        "Code": "AML", "Message": "Screening refused the payment"}
    fetched = await send(client, "GET", f"{V1}/{payment['id']}", fmt=fmt)  # type: ignore[arg-type]
    assert body(fetched)["payment"]["status"] == "REJECTED"


async def test_success_then_returned_by_the_control_endpoint(
        client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, "R-HOLD")
    assert (await set_status(client, payment["id"], "SUCCESS")).status_code == 200
    returned = await set_status(client, payment["id"], "RETURNED", message="Account closed")
    assert body(returned)["payment"]["return_status"] == {"Message": "Account closed"}


@pytest.mark.parametrize(("first", "then"), [(None, "RETURNED"), ("REJECTED", "SUCCESS"),
                                             ("SUCCESS", "SUCCESS"), ("SUCCESS", "REJECTED")])
async def test_the_control_endpoint_refuses_what_the_lifecycle_does_not_allow(
        client: httpx.AsyncClient, first: str | None, then: str) -> None:
    payment = await new_payment(client, "R-HOLD")
    if first is not None:
        assert (await set_status(client, payment["id"], first)).status_code == 200
    response = await set_status(client, payment["id"], then)
    assert response.status_code == 409
    assert reasons(response) == {("status", "DECLINE")}


async def test_the_control_endpoint_checks_its_body(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client)
    response = await set_status(client, payment["id"], "CANCELLED")
    assert response.status_code == 400
    assert reasons(response) == {("status", "INVALID_INPUT_VALUE")}
    unknown = await set_status(client, "rem_unknown", "SUCCESS")
    assert unknown.status_code == 404
