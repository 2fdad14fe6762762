"""The items of an ``Errors`` envelope: one ``ErrorItem`` per ``Error``, with its details.

They sit below the error tree, which carries them (``ApiError.errors``) and so must not
depend on the module that reads and writes envelopes (``xbsec.error_envelope``). This module
imports nothing of xbsec.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ErrorDetail", "ErrorItem"]


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One ``Detail`` (``Name``, ``Value``) of an ``Error``."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One ``Error`` of an ``Errors`` envelope (SPEC §2.8, §8.3)."""

    source: str
    reason_code: str
    description: str
    recoverable: bool = False
    details: tuple[ErrorDetail, ...] = ()
    request_id: str | None = None

    @property
    def from_gateway(self) -> bool:
        """Source ``Gateway``: refused before the request reached XBS (SPEC §2.8)."""
        return self.source.lower() == "gateway"
