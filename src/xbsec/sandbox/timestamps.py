"""Times as the sandbox writes them: ISO 8601 in UTC with milliseconds (``...T10:00:00.000Z``)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_date", "iso_timestamp"]


def iso_timestamp(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()
