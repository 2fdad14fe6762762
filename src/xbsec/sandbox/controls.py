"""The sandbox's own controls: no counterpart at Mastercard, there to test every branch.

``POST /sandbox/payments/{payment_id}/status`` (JSON) moves a payment at once::

    {"status": "SUCCESS" | "REJECTED" | "RETURNED", "code": "...", "message": "..."}

``PENDING`` may become ``SUCCESS`` or ``REJECTED`` (``code`` and ``message`` become its
``rejected_status``), ``SUCCESS`` may become ``RETURNED`` (``message`` becomes its
``return_status``); anything else is a 409 ``DECLINE``. The answer is the payment as
``retrieve_payment`` answers it.

``GET /sandbox/payments/{payment_id}/rfi`` answers the RFI push the sandbox would have sent
for the payment's request for information (``xbsec.sandbox.rfi``), 404 if it has none.

Both are signed like any XBS call, by a partner the payment belongs to: the gateway says
which partners the caller acts for, and a payment of any other partner is unknown (404).
"""

from __future__ import annotations

import sqlite3
from typing import Final

from xbsec.sandbox.business_errors import DECLINE, RESOURCE_UNKNOWN, Refusal
from xbsec.sandbox.lifecycle import payment_view, state
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.rfi import request_row, transactions
from xbsec.sandbox.store import Store
from xbsec.sandbox.timestamps import iso_timestamp

__all__ = ["rfi_notification", "set_payment_status"]

_ALLOWED: Final = {("PENDING", "SUCCESS"), ("PENDING", "REJECTED"), ("SUCCESS", "RETURNED")}
_DEFAULT_CODE: Final = "REJECTED_IN_SANDBOX"
_DEFAULT_MESSAGE: Final = {"REJECTED": "Rejected by the sandbox's control endpoint",
                           "RETURNED": "Returned by the sandbox's control endpoint"}


def _owned_payment(db: sqlite3.Connection, request: Request) -> sqlite3.Row:
    payment_id = request.params["payment_id"]
    row: sqlite3.Row | None = db.execute("SELECT * FROM payments WHERE payment_id = ?",
                                         (payment_id,)).fetchone()
    if row is None or (request.partner_ids is not None
                       and row["partner_id"] not in request.partner_ids):
        raise Refusal.one(404, "payment_id", RESOURCE_UNKNOWN, "no such payment")
    return row


def set_payment_status(request: Request, store: Store) -> Reply:
    wanted = request.validated()
    status = wanted["status"]
    with store.transaction(write=True) as db:
        row = _owned_payment(db, request)
        current = state(row, request.now).status
        if (current, status) not in _ALLOWED:
            raise Refusal.one(409, "status", DECLINE,
                              f"a {current} payment cannot become {status}")
        message = wanted.get("message") or _DEFAULT_MESSAGE.get(status)
        db.execute("UPDATE payments SET status = ?, status_changed_at = ?, rejected_code = ?,"
                   " rejected_message = ?, return_message = ? WHERE payment_id = ?",
                   (status, request.now,
                    (wanted.get("code") or _DEFAULT_CODE) if status == "REJECTED" else None,
                    message if status == "REJECTED" else None,
                    message if status == "RETURNED" else None, row["payment_id"]))
        row = _owned_payment(db, request)
    return Reply({"payment": payment_view(row, request.now, retrieved=True)})


def rfi_notification(request: Request, store: Store) -> Reply:
    with store.transaction(write=False) as db:
        payment = _owned_payment(db, request)
        found = db.execute("SELECT request_id FROM rfi_requests WHERE payment_id = ?",
                           (payment["payment_id"],)).fetchone()
        if found is None:
            raise Refusal.one(404, "payment_id", RESOURCE_UNKNOWN,
                              "the payment has no request for information")
        row = request_row(db, payment["partner_id"], found["request_id"])
    return Reply({"eventRef": f"{row['request_id']}-1", "eventType": "REQUEST_CREATED",
                  "eventTimestamp": iso_timestamp(row["created_at"]),
                  "partnerId": row["partner_id"], "requestId": row["request_id"],
                  "requestStatus": row["status"], "transactions": transactions(row)})
