"""Requests for information in Mastercard's shapes (REF): opened by large payments and
announced as the RFI push would, retrieved, answered, documents uploaded and downloaded."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.sandbox.samples import V0, V1, body, new_payment, reasons, rfi_request_id, send

pytestmark = pytest.mark.anyio

LARGE = {"amount": "10000.00", "currency": "USD"}
MOBILE = "tel:+254700000001"


async def _rfi(client: httpx.AsyncClient, reference: str = "RFI-1", **changes: Any) -> str:
    payment = await new_payment(client, reference, payment_amount=LARGE, **changes)
    return await rfi_request_id(client, payment["id"])


async def _update(client: httpx.AsyncClient, request_id: str, update: Any) -> httpx.Response:
    return await send(client, "POST", f"{V0}/rfi/requests/{request_id}",
                      {"updateRequest": update})


async def test_a_small_payment_opens_no_request(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, payment_amount={"amount": "9999.99",
                                                        "currency": "USD"})
    response = await client.get(f"/sandbox/payments/{payment['id']}/rfi")
    assert response.status_code == 404


async def test_the_push_the_sandbox_would_send(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, "RFI-1", payment_amount=LARGE)
    push = body(await client.get(f"/sandbox/payments/{payment['id']}/rfi"))
    assert push["eventType"] == "REQUEST_CREATED"
    assert push["requestStatus"] == "OPEN"
    assert push["transactions"] == [{"recipientUri": payment["recipient_account_uri"],
                                     "senderUri": payment["sender_account_uri"],
                                     "paymentDateTime": payment["created"],
                                     "transactionReference": "RFI-1"}]
    assert len(push["requestId"]) == 36  # a UUID


async def test_the_request_lifecycle(client: httpx.AsyncClient) -> None:
    request_id = await _rfi(client)
    opened = body(await client.get(f"{V0}/rfi/requests/{request_id}"))
    request = opened["retrieveResponse"]
    assert request["requestId"] == request_id
    assert request["requestStatus"] == "OPEN"
    assert request["sender"]["fullName"]["request"]["label"]
    assert request["sender"]["fullName"]["review"]["status"] == "PENDING"
    assert request["transactions"][0]["transactionReference"] == "RFI-1"
    assert [e["eventType"] for e in opened["requestStatus"]["requestHistory"]] == [
        "REQUEST_CREATED"]

    updated = await _update(client, request_id, {"sender": {"fullName": "Joseph Bloggs"},
                                                 "recipient": None})
    assert updated.status_code == 200
    assert body(updated)["updateResponse"]["requestStatus"] == "REVIEW"
    answered = body(await client.get(f"{V0}/rfi/requests/{request_id}"))
    assert answered["retrieveResponse"]["requestStatus"] == "REVIEW"
    assert answered["retrieveResponse"]["sender"]["fullName"]["response"] == {
        "value": "Joseph Bloggs"}
    assert "firstResponseDate" in answered["retrieveResponse"]

    again = await _update(client, request_id, {"other": {"comment": "more"}})
    assert again.status_code == 409
    assert reasons(again) == {("request_id", "DECLINE")}


async def test_cancelling_the_payment_cancels_its_request(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, "RFI-2", payment_amount=LARGE,
                                recipient_account_uri=MOBILE)
    request_id = await rfi_request_id(client, payment["id"])
    assert (await client.post(f"{V1}/{payment['id']}/cancel")).status_code == 200
    cancelled = body(await client.get(f"{V0}/rfi/requests/{request_id}"))["retrieveResponse"]
    assert cancelled["requestStatus"] == "CANCELLED"
    assert "closureDate" in cancelled


async def test_an_empty_update_is_refused(client: httpx.AsyncClient) -> None:
    request_id = await _rfi(client)
    response = await _update(client, request_id, {"sender": {"fullName": None}})
    assert response.status_code == 400
    assert reasons(response) == {("updateRequest", "MISSING_REQUIRED_INPUT")}


async def test_unknown_requests_and_documents_are_declined(client: httpx.AsyncClient) -> None:
    unknown = "22f6eca0-0000-4000-8000-000000000000"
    retrieve = await client.get(f"{V0}/rfi/requests/{unknown}")
    assert retrieve.status_code == 402
    assert reasons(retrieve) == {("request_id", "DECLINE")}
    update = await _update(client, unknown, {"sender": {"fullName": "x"}})
    assert reasons(update) == {("request_id", "DECLINE")}
    download = await client.get(f"{V0}/rfi/documents/{unknown}")
    assert reasons(download) == {("document_id", "DECLINE")}


async def test_a_document_round_trip(client: httpx.AsyncClient) -> None:
    content = b"%PDF-1.7 sandbox"
    uploaded = await send(client, "POST", f"{V0}/rfi/documents", {"uploadDocumentRequest": {
        "fileName": "passport.pdf", "file": base64.b64encode(content).decode()}})
    assert uploaded.status_code == 200
    answer = body(uploaded)["uploadDocumentResponse"]
    downloaded = body(await client.get(f"{V0}/rfi/documents/{answer['documentId']}"))
    assert downloaded == {"downloadDocumentResponse": {
        "file": base64.b64encode(content).decode(), "fileName": "passport.pdf",
        "referenceId": answer["referenceId"]}}


@pytest.mark.parametrize(("upload", "source", "reason"), [
    ({"fileName": "a.pdf"}, "uploadDocumentRequest.file", "MISSING_REQUIRED_INPUT"),
    ({"fileName": "a.pdf", "file": "not base64!"}, "uploadDocumentRequest.file",
     "INVALID_INPUT_VALUE"),
    ({"fileName": "a.pdf", "file": "QQ="}, "uploadDocumentRequest.file",
     "INVALID_INPUT_VALUE"),
    ({"fileName": "a.pdf", "file": base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()},
     "uploadDocumentRequest.file", "INVALID_INPUT_LENGTH"),
])
async def test_upload_refusals(client: httpx.AsyncClient, upload: dict[str, str], source: str,
                               reason: str) -> None:
    response = await send(client, "POST", f"{V0}/rfi/documents",
                          {"uploadDocumentRequest": upload})
    assert response.status_code == 400
    assert reasons(response) == {(source, reason)}
