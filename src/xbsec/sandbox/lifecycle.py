"""A payment's status over time: ``PENDING``, then ``SUCCESS``, ``REJECTED`` or ``RETURNED``.

A payment is made ``PENDING`` (``pending_stage`` "Processing", ``pending_max_completion_date``
two days on) with an *outcome* its trigger values chose (``xbsec.sandbox.triggers``), and
settles ``SETTLEMENT_SECONDS`` later by the sandbox's clock: ``SUCCESS``; ``REJECTED`` with
``rejected_status {Code, Message}``; or ``SUCCESS`` then, ``RETURN_SECONDS`` later,
``RETURNED`` with ``return_status {Message}`` (GEN RetrievePayment). An outcome ``HOLD``
never settles by itself. The status is computed when read, from the row and the clock, so
nothing runs in the background and a test moves its clock instead of sleeping.

A status set explicitly (by a cancellation, or by ``POST /sandbox/payments/{id}/status``)
is stored and wins over the schedule.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Final

from xbsec.sandbox.timestamps import iso_timestamp
from xbsec.sandbox.triggers import RETURN_SECONDS

__all__ = ["CANCELLED_CODE", "PaymentState", "payment_view", "state"]

PENDING_STAGE: Final = "Processing"
MAX_COMPLETION_SECONDS: Final = 2 * 24 * 3600.0
REJECTED_CODE: Final = "REJECTED_BY_PROVIDER"
REJECTED_MESSAGE: Final = "The receiving provider rejected the payment (sandbox trigger)"
RETURN_MESSAGE: Final = "The recipient's account was closed; the funds were returned " \
                        "(sandbox trigger)"
CANCELLED_CODE: Final = "CANCELLED"
"""The ``rejected_status.Code`` of a payment cancelled at the partner's request. chosen:
Mastercard documents no ``CANCELLED`` payment status; a cancelled payment did not go
through, which is what ``REJECTED`` says."""


@dataclass(frozen=True, slots=True)
class PaymentState:
    status: str
    changed_at: float
    rejected: tuple[str, str] | None = None
    returned: str | None = None


def state(row: sqlite3.Row, now: float) -> PaymentState:
    """The payment's status at ``now``."""
    stored = row["status"]
    if stored != "PENDING":
        rejected = ((row["rejected_code"], row["rejected_message"]) if stored == "REJECTED"
                    else None)
        returned = row["return_message"] if stored == "RETURNED" else None
        return PaymentState(stored, row["status_changed_at"], rejected, returned)
    outcome, settles_at = row["outcome"], row["settles_at"]
    if outcome == "HOLD" or now < settles_at:
        return PaymentState("PENDING", row["created_at"])
    if outcome == "REJECTED":
        return PaymentState("REJECTED", settles_at, (REJECTED_CODE, REJECTED_MESSAGE))
    if outcome == "RETURNED" and now >= settles_at + RETURN_SECONDS:
        return PaymentState("RETURNED", settles_at + RETURN_SECONDS, returned=RETURN_MESSAGE)
    return PaymentState("SUCCESS", settles_at)


def payment_view(row: sqlite3.Row, now: float, *, retrieved: bool) -> dict[str, Any]:
    """The payment as answered: ``retrieved`` adds ``rejected_status`` / ``return_status``
    (GEN RetrievePayment; the answer to a new payment is a Payment, without them)."""
    document: dict[str, Any] = json.loads(row["document"])
    current = state(row, now)
    document["status"] = current.status
    document["status_timestamp"] = iso_timestamp(current.changed_at)
    if current.status == "PENDING":
        document["pending_stage"] = PENDING_STAGE
        document["pending_max_completion_date"] = iso_timestamp(row["created_at"]
                                                                + MAX_COMPLETION_SECONDS)
    if retrieved and current.rejected is not None:
        code, message = current.rejected
        document["rejected_status"] = {"Code": code, "Message": message}
    if retrieved and current.returned is not None:
        document["return_status"] = {"Message": current.returned}
    return document
