"""Quote -> payment -> retrieve (by id and by reference) -> cancel, and the payment refusals."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import (
    KYC,
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


MOBILE = "tel:+254700000001"  # a mobile-money recipient: its payments can be cancelled


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_whole_flow(client: httpx.AsyncClient, fmt: Format) -> None:
    proposal_id = await new_proposal(client, fmt, recipient_account_uri=MOBILE)
    # As Mastercard's reference app pays: a new reference, the proposal, the KYC (GEN).
    created = await send(client, "POST", f"{V1}/payment", {"paymentrequest": {
        "transaction_reference": "PAY-1", "proposal_id": proposal_id, **KYC}}, fmt)
    assert created.status_code == 200, created.text
    payment = body(created)["payment"]
    assert payment["id"].startswith("rem_")
    assert len(payment["id"]) == 31
    assert payment["status"] == "PENDING"
    assert payment["pending_stage"] == "Processing"
    assert payment["pending_max_completion_date"] == (
        "2023-11-16T17:13:20.000-05:00" if fmt == "xml" else "2023-11-16T17:13:20-05:00")
    assert payment["proposal_id"] == proposal_id
    assert payment["transaction_reference"] == "PAY-1"
    assert payment["recipient_account_uri"] == MOBILE
    assert payment["charged_amount"] == {"amount": "102.00", "currency": "USD"}
    assert payment["fees_amount"] == {"amount": "2.00", "currency": "USD"}
    assert payment["fx_type"] == {"forward": {"fees_included": "false",
                                              "receiver_currency": "EUR"}}
    assert payment["sender"]["first_name"] == "Pat"

    by_id = await send(client, "GET", f"{V1}/{payment['id']}", fmt=fmt)
    assert by_id.status_code == 200
    assert body(by_id) == {"payment": payment}
    by_reference = await send(client, "GET", V1, fmt=fmt, params={"ref": "PAY-1"})
    assert body(by_reference) == {"payment": payment}

    cancelled = await send(client, "POST", f"{V1}/{payment['id']}/cancel",
                           {"cancelpaymentrequest": {}}, fmt)
    assert cancelled.status_code == 200
    assert body(cancelled) == {"cancelpayment": {"status": "SUCCESS"}}
    after = body(await send(client, "GET", f"{V1}/{payment['id']}", fmt=fmt))["payment"]
    assert after["status"] == "REJECTED"
    assert after["rejected_status"]["Code"] == "CANCELLED"
    assert "pending_stage" not in after

    again = await send(client, "POST", f"{V1}/{payment['id']}/cancel",
                       {"cancelpaymentrequest": {}}, fmt)
    assert again.status_code == 409
    assert reasons(again) == {("payment_id", "DUPLICATE_VALUE")}


async def test_a_bank_payment_cannot_be_cancelled(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client)  # to a ban: account
    response = await client.post(f"{V1}/{payment['id']}/cancel")
    assert response.status_code == 409
    assert reasons(response) == {("payment_id", "DECLINE")}
    assert "Cancellation not permitted" in errors(response)[0].description


async def test_a_settled_payment_cannot_be_cancelled(client: httpx.AsyncClient,
                                                     clock: FakeClock) -> None:
    payment = await new_payment(client, recipient_account_uri=MOBILE)
    clock.advance(60)
    response = await client.post(f"{V1}/{payment['id']}/cancel")
    assert response.status_code == 409
    assert reasons(response) == {("payment_id", "DECLINE")}


async def test_the_reference_apps_cancel_body_has_no_root(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, recipient_account_uri=MOBILE)
    response = await client.post(f"{V1}/{payment['id']}/cancel",
                                 content=b'{"TransactionReference":null,"additional_data":null}',
                                 headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert body(response) == {"cancelpayment": {"status": "SUCCESS"}}


async def test_a_get_with_an_xml_content_type_is_answered_in_xml(
        client: httpx.AsyncClient) -> None:
    payment = await new_payment(client)
    # Mastercard's reference application sends its Content-Type on GET too (SPEC §10.1).
    response = await client.get(f"{V1}/{payment['id']}",
                                headers={"content-type": "application/xml"})
    assert response.headers["content-type"].startswith("application/xml")
    assert body(response)["payment"]["id"] == payment["id"]


async def test_cancel_accepts_an_empty_body(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, recipient_account_uri=MOBILE)
    response = await client.post(f"{V1}/{payment['id']}/cancel")
    assert response.status_code == 200
    assert body(response)["cancelpayment"]["status"] == "SUCCESS"


async def test_a_repeated_transaction_reference_is_a_conflict(
        client: httpx.AsyncClient, database: Path) -> None:
    await new_payment(client, "REF-1")
    proposal_id = await new_proposal(client, transaction_reference="REF-2")
    response = await send(client, "POST", f"{V1}/payment",
                          payment_request(proposal_id, transaction_reference="REF-1"))
    assert response.status_code == 409
    assert reasons(response) == {("transaction_reference", "DUPLICATE_VALUE")}
    assert count_rows(database, "payments") == 1


async def test_an_unknown_proposal_is_declined_as_the_reference_app_expects(
        client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/payment", payment_request("BadProposalId"))
    assert response.status_code == 402
    (error,) = errors(response)
    assert (error.source, error.reason_code) == ("proposal_id", "DECLINE")
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
    ({"payment_amount": {"amount": "100.05", "currency": "USD"}}, "payment_amount.amount"),
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


async def test_a_payment_without_a_quote_needs_every_transfer_member(
        client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/payment", {"paymentrequest": {
        "transaction_reference": "R", "payment_type": "P2P"}})
    assert response.status_code == 400
    assert ("payment_amount", "MISSING_REQUIRED_INPUT") in reasons(response)
    assert ("sender_account_uri", "MISSING_REQUIRED_INPUT") in reasons(response)
    assert ("proposal_id", "MISSING_REQUIRED_INPUT") not in reasons(response)


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
