"""Quote confirmation, its cancellation, and retrieving a confirmed quote."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import V0, V1, body, new_proposal, payment_request, reasons, send
from xbsec.documents import Format

pytestmark = pytest.mark.anyio

REFERENCE = "0999999034810154901"


def _ids(proposal_id: str, reference: str = REFERENCE) -> dict[str, str]:
    return {"transaction_reference": reference, "proposal_id": proposal_id}


async def _confirm(client: httpx.AsyncClient, proposal_id: str, fmt: Format = "json",
                   reference: str = REFERENCE) -> httpx.Response:
    return await send(client, "POST", f"{V0}/quotes/confirmations",
                      {"quoteconfirmation": _ids(proposal_id, reference)}, fmt)


async def _cancel(client: httpx.AsyncClient, proposal_id: str) -> httpx.Response:
    return await send(client, "POST", f"{V0}/quotes/cancellations",
                      {"quotecancellation": _ids(proposal_id)})


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_confirm_retrieve_and_cancel(client: httpx.AsyncClient, fmt: Format) -> None:
    proposal_id = await new_proposal(client)
    confirmed = await _confirm(client, proposal_id, fmt)
    assert confirmed.status_code == 200
    confirmation: dict[str, Any] = body(confirmed)["quoteconfirmation"]
    assert confirmation["status"] == "CONFIRMED"
    assert confirmation["proposal_id"] == proposal_id
    assert confirmation["charged_amount"] == {"amount": "103.00", "currency": "USD"}

    retrieved = await client.get(f"{V0}/quotes/{REFERENCE}/proposals/{proposal_id}")
    assert retrieved.status_code == 200
    assert body(retrieved) == {"quoteconfirmation": confirmation}

    cancelled = await _cancel(client, proposal_id)
    assert cancelled.status_code == 200
    assert body(cancelled)["quotecancellation"]["status"] == "CANCELLED"
    after = body(await client.get(f"{V0}/quotes/{REFERENCE}/proposals/{proposal_id}"))
    assert after["quoteconfirmation"]["status"] == "CANCELLED"


async def test_a_confirmed_proposal_can_be_paid(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    await _confirm(client, proposal_id)
    paid = await send(client, "POST", f"{V1}/payment", payment_request(proposal_id))
    assert paid.status_code == 200
    cancel = await _cancel(client, proposal_id)
    assert cancel.status_code == 400
    assert reasons(cancel) == {("proposal_id", "INVALID_INPUT_VALUE")}


async def test_a_cancelled_confirmation_cannot_be_paid_or_confirmed(
        client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    await _confirm(client, proposal_id)
    await _cancel(client, proposal_id)
    paid = await send(client, "POST", f"{V1}/payment", payment_request(proposal_id))
    assert paid.status_code == 402
    assert reasons(paid) == {("proposal_id", "DECLINE")}
    again = await _confirm(client, proposal_id)
    assert again.status_code == 400
    assert reasons(again) == {("proposal_id", "INVALID_INPUT_VALUE")}


async def test_repeating_a_change_is_a_conflict(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    await _confirm(client, proposal_id)
    twice = await _confirm(client, proposal_id)
    assert twice.status_code == 409
    assert reasons(twice) == {("proposal_id", "DUPLICATE_VALUE")}
    await _cancel(client, proposal_id)
    cancelled_twice = await _cancel(client, proposal_id)
    assert cancelled_twice.status_code == 409


async def test_refusals(client: httpx.AsyncClient, clock: FakeClock) -> None:
    proposal_id = await new_proposal(client)
    unconfirmed = await _cancel(client, proposal_id)
    assert unconfirmed.status_code == 400
    assert reasons(unconfirmed) == {("proposal_id", "INVALID_INPUT_VALUE")}
    wrong_reference = await _confirm(client, proposal_id, reference="OTHER")
    assert reasons(wrong_reference) == {("transaction_reference", "INVALID_INPUT_VALUE")}
    unknown = await _confirm(client, "pen_1")
    assert unknown.status_code == 400
    assert reasons(unknown) == {("proposal_id", "INVALID_INPUT_VALUE")}
    missing = await send(client, "POST", f"{V0}/quotes/confirmations",
                         {"quoteconfirmation": {}})
    assert reasons(missing) == {("transaction_reference", "MISSING_REQUIRED_INPUT"),
                                ("proposal_id", "MISSING_REQUIRED_INPUT")}
    clock.advance(3600)
    expired = await _confirm(client, proposal_id)
    assert expired.status_code == 402
    assert reasons(expired) == {("proposal_id", "DECLINE")}


async def test_only_a_confirmed_quote_is_retrieved(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    for url in (f"{V0}/quotes/{REFERENCE}/proposals/{proposal_id}",
                f"{V0}/quotes/{REFERENCE}/proposals/pen_1"):
        response = await client.get(url)
        assert response.status_code == 404
        assert reasons(response) == {("proposal_id", "RESOURCE_UNKNOWN")}
    await _confirm(client, proposal_id)
    wrong = await client.get(f"{V0}/quotes/OTHER/proposals/{proposal_id}")
    assert wrong.status_code == 404
