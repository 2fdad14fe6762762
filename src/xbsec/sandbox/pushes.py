"""What the sandbox pushes, and when: the bodies of the four push notifications.

Pushes are on when the project names a webhook URL (``server/webhooks.toml``, made by
``xbsec sandbox init --webhook-url``); each is written to the outbox
(``xbsec.sandbox.outbox``) in the transaction of its event (the RFI pushes by
``xbsec.sandbox.rfi``). The bodies are the contract's ``webhooks``
(``StatusChangeNotification``, ...), whose shapes are chosen where Mastercard's pages are
unreadable (FIDELITY §2 rows 20-23; SPEC §9, §13 item 7)::

    event                                         push          eventRef
    a payment becomes SUCCESS, REJECTED or        statusChange  <payment id>-<status>
    RETURNED: by its schedule, by the control
    endpoint, or by a cancellation
    a confirmed quote's cancellation is done      statusChange  <proposal id>-CANCELLED
                                                  (QUOTE)
    a request for information is opened,          rfi           <request id>-<n>, n its
    answered, or cancelled with its payment       (encrypted)   event in the history
    an account validation answers                 accountValidation  <refId>
    a partner's carded rates of a new UTC day     cardedRate    rates-<partner>-<YYYYMMDD>

Chosen: a new payment (``PENDING``) is not pushed, as the answer to its creation says as
much, and neither is a quote's confirmation or the asking of its cancellation (``PENDING``),
for the same reason. A payment's push carries the payment as ``retrieve_payment`` answers
it at the time of the change, a quote's the confirmed quote as its retrieval does. The
status a schedule reaches is pushed when the sandbox's push loop sees it
(``due_status_changes``, ``due_quote_cancellations``, within a second), with the time of
the change as its ``eventTimestamp``; a payment made, or a cancellation asked, while
pushes were off is never pushed by its schedule.
Every push of an event has one ``eventRef``: a push is in the outbox once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Final

from xbsec.sandbox.carded_rates import rates_document
from xbsec.sandbox.confirmations import QUOTE_CANCELLATION, confirmed_quote_view
from xbsec.sandbox.lifecycle import payment_view
from xbsec.sandbox.outbox import enqueue, mark, set_mark
from xbsec.sandbox.proposals import CANCELLATION_SECONDS, find_proposal
from xbsec.sandbox.timestamps import iso_timestamp
from xbsec.sandbox.triggers import RETURN_SECONDS

__all__ = ["account_validation_pushed", "carded_rates_due", "due_quote_cancellations",
           "due_status_changes", "status_pushed", "statuses_caught_up"]

_SCHEDULE: Final = {"SUCCESS": ("SUCCESS",), "REJECTED": ("REJECTED",),
                    "RETURNED": ("SUCCESS", "RETURNED"), "HOLD": ()}


def _status_document(row: sqlite3.Row, at: float) -> dict[str, Any]:
    payment = payment_view(row, at, retrieved=True)
    return {"eventRef": f"{row['payment_id']}-{payment['status']}", "eventType": "PAYMENT",
            "eventTimestamp": payment["status_timestamp"], "partnerId": row["partner_id"],
            "transactionReference": row["transaction_reference"], "payment": payment}


def _push_status(db: sqlite3.Connection, row: sqlite3.Row, at: float, now: float) -> str:
    document = _status_document(row, at)
    enqueue(db, "statusChange", row["partner_id"], document, now, payment_id=row["payment_id"])
    status: str = document["payment"]["status"]
    db.execute("UPDATE payments SET pushed_status = ? WHERE payment_id = ?",
               (status, row["payment_id"]))
    return status


def _scheduled(row: sqlite3.Row) -> list[tuple[str, float]]:
    """The statuses the payment's schedule takes it through, with their times."""
    times = (row["settles_at"], row["settles_at"] + RETURN_SECONDS)
    return list(zip(_SCHEDULE[row["outcome"]], times, strict=False))


def statuses_caught_up(db: sqlite3.Connection, row: sqlite3.Row, now: float) -> None:
    """Push the statuses the payment's schedule reached by ``now`` and were not pushed yet
    (before a status is set explicitly, and from the push loop)."""
    if row["pushed_status"] is None or row["status"] != "PENDING":
        return
    steps = _scheduled(row)
    names = ["PENDING", *(status for status, _ in steps)]
    done = names.index(row["pushed_status"]) if row["pushed_status"] in names else 0
    for _, at in steps[done:]:
        if at > now:
            return
        _push_status(db, row, at, now)


def status_pushed(db: sqlite3.Connection, payment_id: str, now: float) -> None:
    """Push a status just set explicitly (the control endpoint, a cancellation)."""
    row = db.execute("SELECT * FROM payments WHERE payment_id = ?", (payment_id,)).fetchone()
    _push_status(db, row, now, now)


def due_status_changes(db: sqlite3.Connection, now: float) -> int:
    """Push every status a payment's schedule reached and that was not pushed; how many
    payments had one."""
    rows = db.execute(
        "SELECT * FROM payments WHERE pushed_status IS NOT NULL AND status = 'PENDING'"
        " AND outcome != 'HOLD' AND settles_at <= ? AND pushed_status != CASE"
        " WHEN outcome = 'RETURNED' AND settles_at + ? <= ? THEN 'RETURNED'"
        " WHEN outcome = 'RETURNED' THEN 'SUCCESS' ELSE outcome END",
        (now, RETURN_SECONDS, now)).fetchall()
    for row in rows:
        statuses_caught_up(db, row, now)
    return len(rows)


def due_quote_cancellations(db: sqlite3.Connection, now: float) -> int:
    """Push every confirmed quote's cancellation that is done and was not pushed; how many."""
    rows = db.execute(
        "SELECT p.partner_id, p.proposal_id, p.cancelled_at FROM push_marks AS m"
        " JOIN proposals AS p"
        " ON p.proposal_id = m.key WHERE m.kind = ? AND m.value = 'PENDING'"
        " AND p.cancelled_at + ? <= ?",
        (QUOTE_CANCELLATION, CANCELLATION_SECONDS, now)).fetchall()
    for partner_id, proposal_id, cancelled_at in rows:
        proposal = find_proposal(db, partner_id, proposal_id)
        assert proposal is not None  # the join found it
        done = cancelled_at + CANCELLATION_SECONDS
        enqueue(db, "statusChange", partner_id,
                {"eventRef": f"{proposal_id}-CANCELLED", "eventType": "QUOTE",
                 "eventTimestamp": iso_timestamp(done), "partnerId": partner_id,
                 "transactionReference": proposal.transaction_reference,
                 "quote": confirmed_quote_view(proposal, done)}, now)
        set_mark(db, QUOTE_CANCELLATION, proposal_id, "CANCELLED")
    return len(rows)


def account_validation_pushed(db: sqlite3.Connection, partner_id: str,
                              answer: dict[str, Any], now: float) -> None:
    enqueue(db, "accountValidation", partner_id,
            {"eventRef": answer["refId"], "eventTimestamp": iso_timestamp(now),
             "partnerId": partner_id, "accountValidation": answer}, now)


def carded_rates_due(db: sqlite3.Connection, partners: Iterable[str], now: float) -> int:
    """Push the day's carded rates to each partner that has not had them; how many."""
    day = datetime.fromtimestamp(now, UTC).strftime("%Y%m%d")
    pushed = 0
    for partner in sorted(set(partners)):
        if mark(db, "cardedRate", partner) == day:
            continue
        enqueue(db, "cardedRate", partner,
                {"eventRef": f"rates-{partner}-{day}", **rates_document(partner, now)}, now)
        set_mark(db, "cardedRate", partner, day)
        pushed += 1
    return pushed
