"""Requests for information: opened by large payments, answered, documents attached."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.sandbox.samples import V0, V1, body, new_payment, reasons, send

pytestmark = pytest.mark.anyio

LARGE = {"amount": "10000.00", "currency": "USD"}


async def _rfi_payment(client: httpx.AsyncClient, reference: str = "RFI-1") -> dict[str, Any]:
    return await new_payment(client, reference, payment_amount=LARGE)


async def _answer(client: httpx.AsyncClient, request_id: str,
                  answers: Any) -> httpx.Response:
    return await send(client, "POST", f"{V0}/rfi/requests/{request_id}", {"answers": answers})


async def _upload(client: httpx.AsyncClient, rfi_request_id: str,
                  content: bytes = b"%PDF-1.7", **changes: Any) -> httpx.Response:
    document = {"request_id": rfi_request_id, "file_name": "passport.pdf",
                "document": base64.b64encode(content).decode(), **changes}
    return await send(client, "POST", f"{V0}/rfi/documents", document)


async def test_a_small_payment_opens_no_request(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, payment_amount={"amount": "9999.99",
                                                        "currency": "USD"})
    assert "rfi_request_id" not in payment


async def test_the_request_lifecycle(client: httpx.AsyncClient) -> None:
    payment = await _rfi_payment(client)
    request_id = payment["rfi_request_id"]
    opened = body(await client.get(f"{V0}/rfi/requests/{request_id}"))
    assert opened["status"] == "OPEN"
    assert opened["payment_id"] == payment["id"]
    assert opened["transaction_reference"] == "RFI-1"
    assert [q["question_id"] for q in opened["questions"]] == ["Q1", "Q2", "Q3"]
    assert opened["document_ids"] == []

    partly = await _answer(client, request_id, [{"question_id": "Q1", "answer": "Salary"}])
    assert partly.status_code == 200
    assert body(partly)["status"] == "OPEN"
    assert body(partly)["questions"][0]["answer"] == "Salary"

    uploaded = await _upload(client, request_id)
    assert uploaded.status_code == 200
    document_id = body(uploaded)["document_id"]
    assert body(uploaded)["size"] == "8"

    done = await _answer(client, request_id, [{"question_id": "Q2", "answer": "Family"},
                                              {"question_id": "Q3", "answer": "Brother"}])
    assert body(done)["status"] == "SUBMITTED"
    assert body(done)["document_ids"] == [document_id]

    again = await _answer(client, request_id, [{"question_id": "Q1", "answer": "x"}])
    assert again.status_code == 409
    assert reasons(again) == {("request_id", "DUPLICATE_VALUE")}
    closed = await _upload(client, request_id)
    assert reasons(closed) == {("request_id", "INVALID_INPUT_VALUE")}

    downloaded = body(await client.get(f"{V0}/rfi/documents/{document_id}"))
    assert base64.b64decode(downloaded["document"]) == b"%PDF-1.7"
    assert downloaded["file_name"] == "passport.pdf"


async def test_cancelling_the_payment_cancels_an_open_request(
        client: httpx.AsyncClient) -> None:
    payment = await _rfi_payment(client)
    await client.post(f"{V1}/{payment['id']}/cancel")
    request_id = payment["rfi_request_id"]
    assert body(await client.get(f"{V0}/rfi/requests/{request_id}"))["status"] == "CANCELLED"
    answer = await _answer(client, request_id, [{"question_id": "Q1", "answer": "x"}])
    assert answer.status_code == 400
    assert reasons(answer) == {("request_id", "INVALID_INPUT_VALUE")}


@pytest.mark.parametrize(("answers", "expected"), [
    (None, {("answers", "MISSING_REQUIRED_INPUT")}),
    ([], {("answers", "MISSING_REQUIRED_INPUT")}),
    (["Q1"], {("answers[0]", "INVALID_INPUT_VALUE")}),
    ([{"question_id": "Q9", "answer": "x"}], {("answers[0].question_id", "INVALID_INPUT_VALUE")}),
    ([{"question_id": "Q1"}], {("answers[0].answer", "MISSING_REQUIRED_INPUT")}),
    ([{"question_id": "Q1", "answer": "x" * 1001}],
     {("answers[0].answer", "INVALID_INPUT_LENGTH")}),
    ([{"question_id": "Q1", "answer": "a"}, {"question_id": "Q1", "answer": "b"}],
     {("answers[1].question_id", "INVALID_INPUT_VALUE")}),
    ([{"question_id": "Q1", "answer": "a"}] * 4, {("answers", "INVALID_INPUT_LENGTH")}),
])
async def test_answer_refusals(client: httpx.AsyncClient, answers: Any,
                               expected: set[tuple[str, str]]) -> None:
    payment = await _rfi_payment(client)
    response = await _answer(client, payment["rfi_request_id"], answers)
    assert response.status_code == 400
    assert reasons(response) == expected


async def test_an_answer_document_must_be_an_object(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{V0}/rfi/requests/rfi_1", content=b"[1]",
                                 headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert reasons(response) == {("Body", "INVALID_INPUT_FORMAT")}


@pytest.mark.parametrize(("changes", "content", "source", "reason"), [
    ({"document": "not base64!"}, b"", "document", "INVALID_INPUT_VALUE"),
    ({"document": ""}, b"", "document", "MISSING_REQUIRED_INPUT"),
    ({}, b"x" * (1024 * 1024 + 1), "document", "INVALID_INPUT_LENGTH"),
    ({"file_name": "../etc/passwd"}, b"x", "file_name", "INVALID_INPUT_VALUE"),
    ({"file_name": "x" * 256}, b"x", "file_name", "INVALID_INPUT_LENGTH"),
    ({"request_id": "rfi_0"}, b"x", "request_id", "INVALID_INPUT_VALUE"),
])
async def test_upload_refusals(client: httpx.AsyncClient, changes: dict[str, str],
                               content: bytes, source: str, reason: str) -> None:
    payment = await _rfi_payment(client)
    response = await _upload(client, payment["rfi_request_id"], content, **changes)
    assert response.status_code == 400
    assert reasons(response) == {(source, reason)}


async def test_unknown_requests_and_documents(client: httpx.AsyncClient) -> None:
    for url, source in ((f"{V0}/rfi/requests/rfi_1", "request_id"),
                        (f"{V0}/rfi/documents/doc_1", "document_id")):
        response = await client.get(url)
        assert response.status_code == 404
        assert reasons(response) == {(source, "RESOURCE_UNKNOWN")}
