"""Identifiers of sandbox resources: a prefix naming the kind, then 18 random digits.

Mastercard's identifiers look like ``pen_400000034542210`` (proposal) and ``rem_...``
(payment); the sandbox follows the pattern with ``pen`` (proposal), ``rem`` (payment),
``rfi`` (request for information) and ``doc`` (RFI document). They come from ``secrets``, so
that one partner cannot guess another's; the primary keys catch the (1 in 10^18) clash.
"""

from __future__ import annotations

import secrets
from typing import Final

__all__ = ["new_id"]

_DIGITS: Final = 18


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.randbelow(10**_DIGITS):0{_DIGITS}d}"
