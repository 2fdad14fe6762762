"""The four push notifications of the contract's ``webhooks``: their names and how to tell
them apart.

Mastercard sends every push to the one webhook URL a partner registered, with no header
naming its kind (SPEC §9: content-type, content-length, and ``x-encrypted`` when the body is
encrypted). The kind is read from the body, by the member only that kind requires::

    kind                 contract webhook   the member that tells it
    statusChange         on_status_change   "eventType": "PAYMENT" or "QUOTE"
    cardedRate           on_carded_rates    "rates"
    rfi                  on_rfi             "requestId"
    accountValidation    on_account_validation  "accountValidation"

The sandbox builds the bodies (``xbsec.sandbox.pushes``) and a receiver reads them
(``xbsec.webhooks``); both take the names from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

__all__ = ["KINDS", "OPERATIONS", "NotificationKind", "notification_kind"]

NotificationKind = Literal["statusChange", "cardedRate", "rfi", "accountValidation"]
"""The contract's name of a push (its key under ``webhooks``)."""

KINDS: Final[tuple[NotificationKind, ...]] = ("statusChange", "cardedRate", "rfi",
                                               "accountValidation")
OPERATIONS: Final[Mapping[NotificationKind, str]] = {
    "statusChange": "on_status_change",
    "cardedRate": "on_carded_rates",
    "rfi": "on_rfi",
    "accountValidation": "on_account_validation",
}
"""The contract's ``operationId`` of each push: ``request_validator(OPERATIONS[kind])``
checks a body."""


def notification_kind(document: object) -> NotificationKind | None:
    """Which push ``document`` (a parsed JSON body) is, or ``None`` if it is none of them.

    Only the telling member is looked at (see the table); whether the rest of the document
    is right is the reader's business.
    """
    if not isinstance(document, Mapping):
        return None
    if "requestId" in document:
        return "rfi"
    if "accountValidation" in document:
        return "accountValidation"
    if document.get("eventType") in ("PAYMENT", "QUOTE"):
        return "statusChange"
    if "rates" in document:
        return "cardedRate"
    return None
