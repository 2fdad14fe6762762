"""Quote -> payment -> retrieve (by id and by reference) -> cancel, and the payment refusals."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import (
    PARTNER,
    V1,
    body,
    count_rows,
    errors,
    new_payment,
    new_proposal,
    payment_request,
    reasons,
    scoped_client,
    send,
)
from xbsec.documents import Format
from xbsec.sandbox import SandboxApp

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_whole_flow(client: httpx.AsyncClient, fmt: Format) -> None:
    proposal_id = await new_proposal(client, fmt)
    created = await send(client, "POST", f"{V1}/payment",
                         payment_request(proposal_id), fmt)
    assert created.status_code == 200
    payment = body(created)["payment"]
    assert payment["id"].startswith("rem_")
    assert payment["status"] == "PENDING"
    assert payment["proposal_id"] == proposal_id
    assert payment["transaction_reference"] == "0999999034810154901"
    assert payment["charged_amount"] == {"amount": "103.00", "currency": "USD"}
    assert "rfi_request_id" not in payment

    by_id = await send(client, "GET", f"{V1}/{payment['id']}", fmt=fmt)
    assert by_id.status_code == 200
    assert body(by_id) == {"payment": payment}
    by_reference = await send(client, "GET", V1, fmt=fmt,
                              params={"ref": "0999999034810154901"})
    assert body(by_reference) == {"payment": payment}

    cancelled = await send(client, "POST", f"{V1}/{payment['id']}/cancel",
                           {"cancelpaymentrequest": {}}, fmt)
    assert cancelled.status_code == 200
    assert body(cancelled)["cancelpayment"]["status"] == "CANCELLED"
    assert body(cancelled)["cancelpayment"]["id"] == payment["id"]
    after = body(await send(client, "GET", f"{V1}/{payment['id']}", fmt=fmt))["payment"]
    assert after["status"] == "CANCELLED"

    again = await send(client, "POST", f"{V1}/{payment['id']}/cancel",
                       {"cancelpaymentrequest": {}}, fmt)
    assert again.status_code == 409
    assert reasons(again) == {("payment_id", "DUPLICATE_VALUE")}


async def test_a_get_with_an_xml_content_type_is_answered_in_xml(
        client: httpx.AsyncClient) -> None:
    payment = await new_payment(client)
    # Mastercard's reference application sends its Content-Type on GET too (SPEC §10.1).
    response = await client.get(f"{V1}/{payment['id']}",
                                headers={"content-type": "application/xml"})
    assert response.headers["content-type"].startswith("application/xml")
    assert body(response)["payment"]["id"] == payment["id"]


async def test_cancel_accepts_an_empty_body(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client)
    response = await client.post(f"{V1}/{payment['id']}/cancel")
    assert response.status_code == 200
    assert body(response)["cancelpayment"]["status"] == "CANCELLED"


async def test_a_repeated_transaction_reference_is_a_conflict(
        client: httpx.AsyncClient, database: Path) -> None:
    await new_payment(client, "REF-1")
    proposal_id = await new_proposal(client, transaction_reference="REF-1")
    response = await send(client, "POST", f"{V1}/payment",
                          payment_request(proposal_id, transaction_reference="REF-1"))
    assert response.status_code == 409
    assert reasons(response) == {("transaction_reference", "DUPLICATE_VALUE")}
    assert count_rows(database, "payments") == 1


async def test_an_unknown_proposal_is_the_spec_example(client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/payment", payment_request("pen_404"))
    assert response.status_code == 400
    (error,) = errors(response)
    assert (error.source, error.reason_code) == ("proposal_id", "INVALID_INPUT_VALUE")
    assert [(d.name, d.value) for d in error.details] == [("ErrorDetailCode", "082000")]
    assert response.json()["Errors"]["Error"]["Recoverable"] == "false"


async def test_a_proposal_is_paid_once(client: httpx.AsyncClient, database: Path) -> None:
    proposal_id = await new_proposal(client)
    first = await send(client, "POST", f"{V1}/payment",
                       payment_request(proposal_id, transaction_reference="A"))
    assert first.status_code == 200
    second = await send(client, "POST", f"{V1}/payment",
                        payment_request(proposal_id, transaction_reference="B"))
    assert second.status_code == 409
    assert reasons(second) == {("proposal_id", "DUPLICATE_VALUE")}
    assert count_rows(database, "payments") == 1


@pytest.mark.parametrize(("changes", "source"), [
    ({"payment_amount": {"amount": "100.01", "currency": "USD"}}, "payment_amount.amount"),
    ({"payment_amount": {"amount": "100.00", "currency": "EUR"}}, "payment_amount.currency"),
    ({"recipient_account_uri": "tel:+4412345"}, "recipient_account_uri"),
    ({"sender_account_uri": "tel:+4412345"}, "sender_account_uri"),
    ({"payment_type": "B2B"}, "payment_type"),
    ({"payment_origination_country": "GBR"}, "payment_origination_country"),
])
async def test_the_payment_must_be_the_quoted_transfer(
        client: httpx.AsyncClient, database: Path, changes: dict[str, object],
        source: str) -> None:
    proposal_id = await new_proposal(client)
    response = await send(client, "POST", f"{V1}/payment",
                          payment_request(proposal_id, **changes))
    assert response.status_code == 400
    assert reasons(response) == {(source, "INVALID_INPUT_VALUE")}
    assert count_rows(database, "payments") == 0


async def test_an_equal_amount_written_differently_is_the_same(
        client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    response = await send(client, "POST", f"{V1}/payment", payment_request(
        proposal_id, payment_amount={"amount": "100", "currency": "USD"}))
    assert response.status_code == 200


async def test_an_expired_proposal_is_declined(client: httpx.AsyncClient, clock: FakeClock,
                                               database: Path) -> None:
    proposal_id = await new_proposal(client)
    clock.advance(30 * 60)
    response = await send(client, "POST", f"{V1}/payment", payment_request(proposal_id))
    assert response.status_code == 402
    assert reasons(response) == {("proposal_id", "DECLINE")}
    assert count_rows(database, "payments") == 0


async def test_a_proposal_can_be_paid_until_it_expires(client: httpx.AsyncClient,
                                                       clock: FakeClock) -> None:
    proposal_id = await new_proposal(client)
    clock.advance(30 * 60 - 1)
    response = await send(client, "POST", f"{V1}/payment", payment_request(proposal_id))
    assert response.status_code == 200


async def test_the_decline_amount_is_declined(client: httpx.AsyncClient,
                                              database: Path) -> None:
    amount = {"amount": "402.00", "currency": "USD"}
    proposal_id = await new_proposal(client, payment_amount=amount)
    response = await send(client, "POST", f"{V1}/payment",
                          payment_request(proposal_id, payment_amount=amount))
    assert response.status_code == 402
    assert reasons(response) == {("payment_amount.amount", "DECLINE")}
    assert count_rows(database, "payments") == 0


async def test_payment_request_members_are_checked(client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/payment", {"paymentrequest": {
        "transaction_reference": "R", "payment_type": "P2P"}})
    assert response.status_code == 400
    assert ("proposal_id", "MISSING_REQUIRED_INPUT") in reasons(response)
    assert ("payment_amount", "MISSING_REQUIRED_INPUT") in reasons(response)


async def test_unknown_payments_are_not_found(client: httpx.AsyncClient) -> None:
    by_id = await client.get(f"{V1}/rem_1")
    assert by_id.status_code == 404
    assert reasons(by_id) == {("payment_id", "RESOURCE_UNKNOWN")}
    by_reference = await client.get(V1, params={"ref": "nope"})
    assert by_reference.status_code == 404
    assert reasons(by_reference) == {("ref", "RESOURCE_UNKNOWN")}
    cancel = await client.post(f"{V1}/rem_1/cancel")
    assert cancel.status_code == 404
    assert reasons(cancel) == {("payment_id", "RESOURCE_UNKNOWN")}


async def test_retrieve_by_reference_needs_one_ref(client: httpx.AsyncClient) -> None:
    missing = await client.get(V1)
    assert missing.status_code == 400
    assert reasons(missing) == {("ref", "MISSING_REQUIRED_INPUT")}
    repeated = await client.get(f"{V1}?ref=a&ref=b")
    assert repeated.status_code == 400
    assert reasons(repeated) == {("ref", "INVALID_INPUT_VALUE")}


async def test_a_refusal_carries_the_gateway_request_id(app: SandboxApp) -> None:
    async with scoped_client(app, [PARTNER], request_id="req-42") as client:
        response = await client.get(f"{V1}/rem_1")
    assert [e.request_id for e in errors(response)] == ["req-42"]
