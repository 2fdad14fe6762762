"""The sandbox's own controls: no counterpart at Mastercard, there to test every branch.

``POST /sandbox/payments/{payment_id}/status`` (JSON) moves a payment at once::

    {"status": "SUCCESS" | "REJECTED" | "RETURNED", "code": "...", "message": "..."}

``PENDING`` may become ``SUCCESS`` or ``REJECTED`` (``code`` and ``message`` become its
``rejected_status``), ``SUCCESS`` may become ``RETURNED`` (``message`` becomes its
``return_status``); anything else is a 409 ``DECLINE``. The answer is the payment as
``retrieve_payment`` answers it.

``GET /sandbox/payments/{payment_id}/rfi`` answers the first RFI push of the payment's
request for information (``xbsec.sandbox.rfi``), 404 if it has none.

``GET /sandbox/webhooks/deliveries[?state=&eventRef=&paymentId=]`` lists the push
notifications the sandbox made (``xbsec.sandbox.outbox``), newest first:
``{"deliveries": [{"eventRef", "type", "partnerId", "state", "attempts", "lastStatus",
"lastError", ...}]}``; a push whose every attempt failed is ``"state": "failed"``.

Each is signed like any XBS call, by a partner the payment belongs to: the gateway says
which partners the caller acts for, and a payment of any other partner is unknown (404);
the deliveries listed are those of the caller's partners.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from xbsec.sandbox.business_errors import (
    DECLINE,
    INVALID_INPUT_LENGTH,
    INVALID_INPUT_VALUE,
    RESOURCE_UNKNOWN,
    Refusal,
)
from xbsec.sandbox.lifecycle import payment_view, state
from xbsec.sandbox.outbox import STATES, deliveries
from xbsec.sandbox.pushes import status_pushed, statuses_caught_up
from xbsec.sandbox.request import Reply, Request
from xbsec.sandbox.rfi import rfi_document
from xbsec.sandbox.store import Store

__all__ = ["rfi_notification", "set_payment_status", "webhook_deliveries"]

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
        if request.pushes:
            statuses_caught_up(db, row, request.now)
        db.execute("UPDATE payments SET status = ?, status_changed_at = ?, rejected_code = ?,"
                   " rejected_message = ?, return_message = ? WHERE payment_id = ?",
                   (status, request.now,
                    (wanted.get("code") or _DEFAULT_CODE) if status == "REJECTED" else None,
                    message if status == "REJECTED" else None,
                    message if status == "RETURNED" else None, row["payment_id"]))
        if request.pushes:
            status_pushed(db, row["payment_id"], request.now)
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
        return Reply(rfi_document(db, payment["partner_id"], found["request_id"], 1))


_MAX_QUERY: Final = {"eventRef": 64, "paymentId": 31}


def webhook_deliveries(request: Request, store: Store) -> Reply:
    state = request.query_value("state", required=False)
    if state is not None and state not in STATES:
        raise Refusal.one(400, "state", INVALID_INPUT_VALUE,
                          f"state must be one of {', '.join(STATES)}")
    wanted = {name: request.query_value(name, required=False) for name in _MAX_QUERY}
    for name, value in wanted.items():
        if value is not None and len(value) > _MAX_QUERY[name]:
            raise Refusal.one(400, name, INVALID_INPUT_LENGTH,
                              f"{name} has at most {_MAX_QUERY[name]} characters")
    with store.transaction(write=False) as db:
        found = deliveries(db, request.partner_ids, state=state, event_ref=wanted["eventRef"],
                           payment_id=wanted["paymentId"])
    return Reply({"deliveries": found})
