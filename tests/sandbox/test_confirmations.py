"""Quote confirmation in Mastercard's shape (REF, REF2): camelCase bodies without a root,
reserved funds, an asynchronous cancellation, and retrieving a confirmed quote."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import (
    V0,
    V1,
    body,
    confirmation,
    new_proposal,
    payment_request,
    reasons,
    send,
)
from xbsec.documents import Format
from xbsec.sandbox.proposals import CANCELLATION_SECONDS, CONFIRMATION_WINDOW

pytestmark = pytest.mark.anyio

REFERENCE = "0999999034810154901"


async def _confirm(client: httpx.AsyncClient, proposal_id: str, fmt: Format = "json",
                   reference: str = REFERENCE) -> httpx.Response:
    document = confirmation(reference, proposal_id)
    return await send(client, "POST", f"{V0}/quotes/confirmations",
                      {"quoteconfirmationrequest": document} if fmt == "xml" else document, fmt)


async def _cancel(client: httpx.AsyncClient, proposal_id: str,
                  wrapped: bool = False) -> httpx.Response:
    document = confirmation(REFERENCE, proposal_id)
    return await send(client, "POST", f"{V0}/quotes/cancellations",
                      {"cancelConfirmedQuoteRequest": document} if wrapped else document)


async def _reserved(client: httpx.AsyncClient) -> str:
    accounts = body(await client.get(f"{V0}/accounts", params={"include_balance": "true"}))
    usd = next(a for a in accounts if a["settlementCurrency"] == "USD")
    return str(usd["balanceDetails"]["reservedBalance"]["amount"])


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_confirm_answers_in_the_real_shape(client: httpx.AsyncClient, fmt: Format) -> None:
    proposal_id = await new_proposal(client)
    confirmed = await _confirm(client, proposal_id, fmt)
    assert confirmed.status_code == 200, confirmed.text
    answer = body(confirmed)
    if fmt == "xml":
        answer = answer["quoteconfirmationresponse"]
    assert answer["transactionReference"] == REFERENCE
    assert answer["proposalId"] == proposal_id
    assert answer["status"] == "CONFIRMED"
    assert answer["paymentSubmissionExpiryTime"].startswith("2023-11-14T17:43:20")


async def test_a_confirmation_reserves_funds_until_cancelled(client: httpx.AsyncClient,
                                                             clock: FakeClock) -> None:
    proposal_id = await new_proposal(client)
    assert await _reserved(client) == "0.00"
    await _confirm(client, proposal_id)
    assert await _reserved(client) == "102.00"

    cancelled = await _cancel(client, proposal_id)
    assert cancelled.status_code == 200
    assert body(cancelled) == {"transactionReference": REFERENCE, "status": "PENDING",
                               "proposalId": proposal_id}
    url = f"{V0}/quotes/{REFERENCE}/proposals/{proposal_id}"
    pending = body(await client.get(url))["quote"]
    assert pending["cancelStatus"]["status"] == "PENDING"
    assert "releasedReservedAmount" not in pending

    clock.advance(CANCELLATION_SECONDS)
    done = body(await client.get(url))
    assert done["resourceType"] == "quote"
    assert done["quote"]["confirmStatus"]["status"] == "CONFIRMED"
    assert done["quote"]["cancelStatus"]["status"] == "CANCELLED"
    assert done["quote"]["releasedReservedAmount"] == {"amount": "102.00", "currency": "USD"}
    assert done["quote"]["proposals"][0]["feesIncluded"] is False
    assert await _reserved(client) == "0.00"


async def test_the_wrapped_cancellation_body_is_accepted(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    await _confirm(client, proposal_id)
    assert (await _cancel(client, proposal_id, wrapped=True)).status_code == 200


async def test_a_cancelled_confirmation_cannot_be_paid(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    await _confirm(client, proposal_id)
    await _cancel(client, proposal_id)
    paid = await send(client, "POST", f"{V1}/payment", payment_request(proposal_id))
    assert paid.status_code == 402
    assert reasons(paid) == {("proposal_id", "DECLINE")}


async def test_a_confirmed_proposal_can_be_paid_and_then_not_cancelled(
        client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    await _confirm(client, proposal_id)
    paid = await send(client, "POST", f"{V1}/payment", payment_request(proposal_id))
    assert paid.status_code == 200
    assert await _reserved(client) == "102.00"  # now as a pending payment
    refused = await _cancel(client, proposal_id)
    assert refused.status_code == 402
    assert reasons(refused) == {("proposalId", "DECLINE")}


async def test_an_unconfirmed_quote_cannot_be_cancelled(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    response = await _cancel(client, proposal_id)
    assert response.status_code == 402
    assert response.json()["Errors"]["Error"]["Description"] == \
        "Cancellation not permitted on this transaction"


async def test_confirmation_must_come_within_its_window(client: httpx.AsyncClient,
                                                        clock: FakeClock) -> None:
    proposal_id = await new_proposal(client)
    clock.advance(CONFIRMATION_WINDOW)
    response = await _confirm(client, proposal_id)
    assert response.status_code == 402
    assert reasons(response) == {("proposalId", "DECLINE")}


async def test_repeating_is_a_conflict(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    await _confirm(client, proposal_id)
    assert reasons(await _confirm(client, proposal_id)) == {("proposalId", "DUPLICATE_VALUE")}
    await _cancel(client, proposal_id)
    assert reasons(await _cancel(client, proposal_id)) == {("proposalId", "DUPLICATE_VALUE")}


async def test_refusals(client: httpx.AsyncClient) -> None:
    unknown = await _confirm(client, "pen_0")
    assert unknown.status_code == 402
    assert reasons(unknown) == {("proposalId", "DECLINE")}
    proposal_id = await new_proposal(client)
    wrong = await _confirm(client, proposal_id, reference="OTHER")
    assert reasons(wrong) == {("transactionReference", "INVALID_INPUT_VALUE")}
    missing = await send(client, "POST", f"{V0}/quotes/confirmations",
                         {"transactionReference": REFERENCE})
    assert reasons(missing) == {("proposalId", "MISSING_REQUIRED_INPUT")}
    # the shape xbsec once invented, with a root and snake_case, is not Mastercard's
    invented = await send(client, "POST", f"{V0}/quotes/confirmations", {
        "quoteconfirmation": {"transaction_reference": REFERENCE, "proposal_id": proposal_id}})
    assert invented.status_code == 400
    never = await client.get(f"{V0}/quotes/{REFERENCE}/proposals/{proposal_id}")
    assert never.status_code == 404
