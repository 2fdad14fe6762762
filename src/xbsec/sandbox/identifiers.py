"""Identifiers of sandbox resources, shaped like Mastercard's (FIDELITY §5.1, §5.7).

=====================  =====================================  =========================
proposal               ``pen_`` and 18 digits                 ``pen_400000034542210``
payment                ``rem_`` and 27 letters and digits     ``rem_L1qZ8BLdmK9qUAFaGmpOwrpE6N0``
RFI request, document  a UUID                                 ``22f6eca0-...``
BAV reference          a UUID
=====================  =====================================  =========================

They come from ``secrets``, so that one partner cannot guess another's; the primary keys
catch a clash.
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Final

__all__ = ["new_id", "new_payment_id", "new_uuid"]

_DIGITS: Final = 18
_BASE62: Final = string.ascii_letters + string.digits
_PAYMENT_ID_CHARACTERS: Final = 27


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.randbelow(10**_DIGITS):0{_DIGITS}d}"


def new_payment_id() -> str:
    return "rem_" + "".join(secrets.choice(_BASE62) for _ in range(_PAYMENT_ID_CHARACTERS))


def new_uuid() -> str:
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
