"""Requests for information (RFI): JSON only, documents without a root member.

A payment of ``RFI_THRESHOLD`` or more opens one RFI request (its id is the payment's
``rfi_request_id``) with three fixed questions. The partner answers, and may attach
documents, while the request is ``OPEN``; once every question has an answer it is
``SUBMITTED``; cancelling the payment cancels an open request.

=========================================  ==============================================
GET  .../rfi/requests/{request_id}          ``{"request_id", "payment_id",
                                            "transaction_reference", "status", "created",
                                            "updated", "questions": [{"question_id",
                                            "question", ["answer"]}], "document_ids": [...]}``
POST .../rfi/requests/{request_id}          ``{"answers": [{"question_id": "Q1", "answer":
                                            "..."}]}`` -> the request as GET shows it
POST .../rfi/documents                      ``{"request_id", "file_name", "document":
                                            <base64, at most 1 MiB decoded>}`` ->
                                            ``{"document_id", "request_id", "file_name",
                                            "size", "created"}``
GET  .../rfi/documents/{document_id}        the same, with ``"document"`` (base64)
=========================================  ==============================================

Answering a submitted request is a 409 ``DUPLICATE_VALUE``; answering or attaching to a
cancelled one, or naming an unknown request in an upload, is a 400 ``INVALID_INPUT_VALUE``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import sqlite3
from decimal import Decimal
from typing import Any, Final

from xbsec.sandbox.business_errors import (
    DUPLICATE_VALUE,
    INVALID_INPUT_LENGTH,
    INVALID_INPUT_VALUE,
    RESOURCE_UNKNOWN,
    Refusal,
)
from xbsec.sandbox.identifiers import new_id
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp

__all__ = ["QUESTIONS", "RFI_THRESHOLD", "download_document", "open_rfi_request",
           "retrieve_rfi_request", "update_rfi_request", "upload_document"]

RFI_THRESHOLD: Final = Decimal(10_000)
QUESTIONS: Final = {
    "Q1": "What is the source of the funds?",
    "Q2": "What is the purpose of the payment?",
    "Q3": "What is the relationship between the sender and the recipient?",
}
MAX_DOCUMENT_BYTES: Final = 1024 * 1024
_FILE_NAME: Final = re.compile(r"[^/\\\x00-\x1f\x7f]+")
_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,40}")


def open_rfi_request(db: sqlite3.Connection, partner_id: str, request_id: str,
                     payment_id: str, now: float) -> None:
    """Open a request for a new payment, inside the payment's transaction."""
    db.execute("INSERT INTO rfi_requests (request_id, partner_id, payment_id, status,"
               " created_at, updated_at, answers) VALUES (?, ?, ?, 'OPEN', ?, ?, '{}')",
               (request_id, partner_id, payment_id, now, now))


def _request_row(db: sqlite3.Connection, partner_id: str, request_id: str) -> sqlite3.Row:
    row: sqlite3.Row | None = db.execute(
        "SELECT r.*, p.transaction_reference FROM rfi_requests AS r"
        " JOIN payments AS p ON p.payment_id = r.payment_id"
        " WHERE r.partner_id = ? AND r.request_id = ?", (partner_id, request_id)).fetchone()
    if row is None:
        raise Refusal.one(404, "request_id", RESOURCE_UNKNOWN, "no such request for information")
    return row


def _request_document(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    answers: dict[str, str] = json.loads(row["answers"])
    questions: list[dict[str, Any]] = []
    for question_id, question in QUESTIONS.items():
        entry = {"question_id": question_id, "question": question}
        if question_id in answers:
            entry["answer"] = answers[question_id]
        questions.append(entry)
    documents = [r["document_id"] for r in db.execute(
        "SELECT document_id FROM rfi_documents WHERE partner_id = ? AND request_id = ?"
        " ORDER BY created_at, document_id", (row["partner_id"], row["request_id"]))]
    return {"request_id": row["request_id"], "payment_id": row["payment_id"],
            "transaction_reference": row["transaction_reference"], "status": row["status"],
            "created": iso_timestamp(row["created_at"]),
            "updated": iso_timestamp(row["updated_at"]),
            "questions": questions, "document_ids": documents}


def retrieve_rfi_request(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        row = _request_row(db, request.partner_id, request.params["request_id"])
        return Reply(_request_document(db, row))


def update_rfi_request(request: Request, store: Store) -> Reply:
    fields = request.object_document()
    given: dict[str, str] = {}
    for answer in fields.sections("answers", max_items=len(QUESTIONS)) or []:
        question_id = answer.text("question_id", choices=QUESTIONS)
        text = answer.text("answer", max_length=1000)
        if question_id is not None and question_id in given:
            answer.problems.add(answer.source("question_id"), INVALID_INPUT_VALUE,
                                f"{question_id} is answered twice")
        elif question_id is not None and text is not None:
            given[question_id] = text
    fields.problems.check()
    with store.transaction(write=True) as db:
        row = _request_row(db, request.partner_id, request.params["request_id"])
        if row["status"] == "SUBMITTED":
            raise Refusal.one(409, "request_id", DUPLICATE_VALUE,
                              "the request for information is already answered")
        if row["status"] != "OPEN":
            raise Refusal.one(400, "request_id", INVALID_INPUT_VALUE,
                              f"the request for information is {row['status']}")
        answers = {**json.loads(row["answers"]), **given}
        status = "SUBMITTED" if set(answers) == set(QUESTIONS) else "OPEN"
        db.execute("UPDATE rfi_requests SET answers = ?, status = ?, updated_at = ?"
                   " WHERE request_id = ?",
                   (json.dumps(answers), status, request.now, row["request_id"]))
        return Reply(_request_document(db, _request_row(db, request.partner_id,
                                                        row["request_id"])))


def _decoded(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return None


def _document_view(row: sqlite3.Row) -> dict[str, Any]:
    return {"document_id": row["document_id"], "request_id": row["request_id"],
            "file_name": row["file_name"], "size": str(len(row["content"])),
            "created": iso_timestamp(row["created_at"])}


def upload_document(request: Request, store: Store) -> Reply:
    fields = request.object_document()
    request_id = fields.text("request_id", max_length=40, pattern=_REQUEST_ID)
    file_name = fields.text("file_name", max_length=255, pattern=_FILE_NAME)
    # base64 of MAX_DOCUMENT_BYTES, rounded up to whole quanta
    encoded = fields.text("document", max_length=4 * -(-MAX_DOCUMENT_BYTES // 3))
    content = None if encoded is None else _decoded(encoded)
    if encoded is not None and content is None:
        fields.problems.add("document", INVALID_INPUT_VALUE, "document is not valid base64")
    elif content is not None and len(content) > MAX_DOCUMENT_BYTES:
        fields.problems.add("document", INVALID_INPUT_LENGTH,
                            f"document is larger than {MAX_DOCUMENT_BYTES} bytes")
    fields.problems.check()
    if request_id is None or file_name is None or content is None:  # not reached
        raise Refusal.one(400, "Body", INVALID_INPUT_VALUE, "incomplete upload")
    document_id = new_id("doc")
    with store.transaction(write=True) as db:
        owner = db.execute("SELECT status FROM rfi_requests WHERE partner_id = ?"
                           " AND request_id = ?", (request.partner_id, request_id)).fetchone()
        if owner is None:
            raise Refusal.one(400, "request_id", INVALID_INPUT_VALUE,
                              "no such request for information")
        if owner["status"] != "OPEN":
            raise Refusal.one(400, "request_id", INVALID_INPUT_VALUE,
                              f"the request for information is {owner['status']}")
        db.execute("INSERT INTO rfi_documents (document_id, partner_id, request_id, file_name,"
                   " content, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (document_id, request.partner_id, request_id, file_name, content,
                    request.now))
        row = db.execute("SELECT * FROM rfi_documents WHERE document_id = ?",
                         (document_id,)).fetchone()
    return Reply(_document_view(row))


def download_document(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        row = db.execute("SELECT * FROM rfi_documents WHERE partner_id = ? AND document_id = ?",
                         (request.partner_id, request.params["document_id"])).fetchone()
    if row is None:
        raise Refusal.one(404, "document_id", RESOURCE_UNKNOWN, "no such document")
    return Reply({**_document_view(row),
                  "document": base64.b64encode(row["content"]).decode("ascii")})
