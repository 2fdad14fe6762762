"""Requests for information (RFI): JSON only, in the shapes of Mastercard's RFI API (REF).

At Mastercard an RFI is raised by the RFI team and announced by the RFI push. The sandbox
raises one itself for every payment of ``RFI_THRESHOLD`` or more (``xbsec.sandbox.triggers``),
asking for ``ASKED``; as it cannot push, ``GET /sandbox/payments/{payment_id}/rfi`` answers
the push it would have sent (``xbsec.sandbox.controls``), whose ``requestId`` is the UUID the
APIs below take.

=========================================  ==============================================
GET  .../rfi/requests/{request_id}          ``{"retrieveResponse": {"requestId",
                                            "requestStatus", "transactions", "sender":
                                            {"fullName": {"request": {"label", "kind"},
                                            "review": {"status"}, "response": {"value"}}},
                                            ...}, "requestStatus": {"requestHistory"}}``
POST .../rfi/requests/{request_id}          ``{"updateRequest": {"sender", "recipient",
                                            "paymentAndDocs", "other"}}`` ->
                                            ``{"updateResponse": {"referenceId",
                                            "requestStatus": "REVIEW"}}``
POST .../rfi/documents                      ``{"uploadDocumentRequest": {"fileName", "file":
                                            <base64, at most 1 MiB decoded>}}`` ->
                                            ``{"uploadDocumentResponse": {"referenceId",
                                            "documentId"}}``
GET  .../rfi/documents/{document_id}        ``{"downloadDocumentResponse": {"file",
                                            "fileName", "referenceId"}}``
=========================================  ==============================================

A request is ``OPEN`` until answered, then ``REVIEW``; cancelling its payment cancels it.
Answering a request that is not ``OPEN`` is a 409 ``DECLINE``; an unknown request or
document is declined as REF's tests expect (402 ``DECLINE``, Source ``request_id`` or
``document_id``).
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
from typing import Any, Final

from xbsec.sandbox.business_errors import (
    DECLINE,
    INVALID_INPUT_LENGTH,
    INVALID_INPUT_VALUE,
    MISSING_REQUIRED_INPUT,
    Refusal,
)
from xbsec.sandbox.identifiers import new_uuid
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp

__all__ = ["ASKED", "MAX_DOCUMENT_BYTES", "download_document", "open_rfi_request",
           "request_row", "retrieve_rfi_request", "transactions", "update_rfi_request",
           "upload_document"]

ASKED: Final = {
    ("sender", "fullName"): "Full name of the sender",
    ("sender", "sourceOfIncome"): "Source of the sender's funds",
    ("paymentAndDocs", "paymentPurpose"): "Purpose of the payment",
    ("paymentAndDocs", "senderRecipientRelation"): "Relationship of the sender and the "
                                                   "recipient",
}
"""What the sandbox's RFIs ask: (section, item) -> the question's label."""
MAX_DOCUMENT_BYTES: Final = 1024 * 1024
CREATOR: Final = "Mastercard RFI team"
_INSTRUCTION: Final = ("Answer each item of this request for information; attach documents "
                       "by uploading them first.")


def open_rfi_request(db: sqlite3.Connection, partner_id: str, request_id: str,
                     payment_id: str, now: float) -> None:
    """Open a request for a new payment, inside the payment's transaction."""
    history = [["REQUEST_CREATED", CREATOR, now]]
    db.execute("INSERT INTO rfi_requests (request_id, partner_id, payment_id, status,"
               " created_at, updated_at, answers, history) VALUES (?, ?, ?, 'OPEN', ?, ?,"
               " '{}', ?)", (request_id, partner_id, payment_id, now, now, json.dumps(history)))


def request_row(db: sqlite3.Connection, partner_id: str, request_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = db.execute(
        "SELECT r.*, p.document FROM rfi_requests AS r"
        " JOIN payments AS p ON p.payment_id = r.payment_id"
        " WHERE r.partner_id = ? AND r.request_id = ?", (partner_id, request_id)).fetchone()
    if row is None:
        raise Refusal.one(402, "request_id", DECLINE, "no such request for information")
    return row


def transactions(row: sqlite3.Row) -> list[dict[str, Any]]:
    """The payment a request is about, as the RFI APIs list it."""
    payment = json.loads(row["document"])
    return [{"recipientUri": payment["recipient_account_uri"],
             "senderUri": payment["sender_account_uri"],
             "paymentDateTime": payment["created"],
             "transactionReference": payment["transaction_reference"]}]


def _retrieve_document(row: sqlite3.Row) -> dict[str, Any]:
    answers: dict[str, Any] = json.loads(row["answers"])
    sections: dict[str, dict[str, Any]] = {}
    for (section, item), label in ASKED.items():
        answer = answers.get(section, {}).get(item)
        entry: dict[str, Any] = {"request": {"label": label, "kind": "TEXT"},
                                 "review": {"status": "SUBMITTED" if answer is not None
                                            else "PENDING"}}
        if answer is not None:
            entry["response"] = {"value": answer}
        sections.setdefault(section, {})[item] = entry
    history: list[list[Any]] = json.loads(row["history"])
    request: dict[str, Any] = {
        "requestId": row["request_id"], "requestStatus": row["status"],
        "requestCreateDate": iso_timestamp(row["created_at"]),
        "lastUpdatedDate": iso_timestamp(row["updated_at"]),
        "creator": CREATOR, "requestInstruction": _INSTRUCTION, "responseType": "TEXT",
        "transactions": transactions(row), **sections, "other": {"comments": []}}
    answered = [when for kind, _, when in history if kind == "REQUEST_UPDATED"]
    if answered:
        request["firstResponseDate"] = iso_timestamp(answered[0])
    if row["status"] in ("CLOSED", "CANCELLED"):
        request["closureDate"] = iso_timestamp(row["updated_at"])
    events = [{"eventRef": f"{row['request_id']}-{index}", "eventType": kind,
               "eventActor": actor, "timestamp": iso_timestamp(when)}
              for index, (kind, actor, when) in enumerate(history, start=1)]
    return {"retrieveResponse": request, "requestStatus": {"requestHistory": events}}


def retrieve_rfi_request(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        row = request_row(db, request.partner_id, request.params["request_id"])
    return Reply(_retrieve_document(row))


def _given(update: dict[str, Any]) -> dict[str, dict[str, Any]]:
    given: dict[str, dict[str, Any]] = {}
    for section, items in update.items():
        if isinstance(items, dict):
            kept = {k: v for k, v in items.items() if v not in (None, "", [], {})}
            if kept:
                given[section] = kept
    return given


def update_rfi_request(request: Request, store: Store) -> Reply:
    update = request.validated()["updateRequest"]
    given = _given(update if isinstance(update, dict) else {})
    if not given:
        raise Refusal.one(400, "updateRequest", MISSING_REQUIRED_INPUT,
                          "updateRequest answers nothing")
    with store.transaction(write=True) as db:
        row = request_row(db, request.partner_id, request.params["request_id"])
        if row["status"] != "OPEN":
            raise Refusal.one(409, "request_id", DECLINE, "the request for information is "
                              f"{row['status']}, not OPEN")
        answers: dict[str, dict[str, Any]] = json.loads(row["answers"])
        for section, items in given.items():
            answers.setdefault(section, {}).update(items)
        history = [*json.loads(row["history"]), ["REQUEST_UPDATED", "PARTNER", request.now]]
        db.execute("UPDATE rfi_requests SET answers = ?, history = ?, status = 'REVIEW',"
                   " updated_at = ? WHERE request_id = ?",
                   (json.dumps(answers), json.dumps(history), request.now,
                    row["request_id"]))
    return Reply({"updateResponse": {"referenceId": new_uuid(), "requestStatus": "REVIEW"}})


def _decoded(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return None


def upload_document(request: Request, store: Store) -> Reply:
    upload = request.validated()["uploadDocumentRequest"]
    content = _decoded(upload["file"])
    if content is None:
        raise Refusal.one(400, "uploadDocumentRequest.file", INVALID_INPUT_VALUE,
                          "file is not valid base64")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise Refusal.one(400, "uploadDocumentRequest.file", INVALID_INPUT_LENGTH,
                          f"file is larger than {MAX_DOCUMENT_BYTES} bytes")
    document_id, reference_id = new_uuid(), new_uuid()
    with store.transaction(write=True) as db:
        db.execute("INSERT INTO rfi_documents (document_id, partner_id, reference_id,"
                   " file_name, content, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (document_id, request.partner_id, reference_id, upload["fileName"],
                    content, request.now))
    return Reply({"uploadDocumentResponse": {"referenceId": reference_id,
                                             "documentId": document_id}})


def download_document(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        row = db.execute("SELECT * FROM rfi_documents WHERE partner_id = ? AND document_id = ?",
                         (request.partner_id, request.params["document_id"])).fetchone()
    if row is None:
        raise Refusal.one(402, "document_id", DECLINE, "no such document")
    return Reply({"downloadDocumentResponse": {
        "file": base64.b64encode(row["content"]).decode("ascii"),
        "fileName": row["file_name"], "referenceId": row["reference_id"]}})
