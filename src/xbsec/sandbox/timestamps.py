"""Times as the sandbox writes them, in the shapes Mastercard's answers have (FIDELITY §5.1).

JSON answers carry ``YYYY-MM-DDTHH:MM:SS±hh:mm`` (``2019-09-09T04:32:52-05:00``); XML
answers the same with milliseconds (``2019-09-09T04:32:52.000-05:00``). Documents are built
and stored in the JSON form; ``with_milliseconds`` turns every timestamp of a document into
the XML form as it is written out. The zone is ``ZONE``, chosen: Mastercard's samples show
US Central daylight time (``-05:00``); a fixed offset, so that the same instant is always
written the same way. Carded rates name whole days in UTC (``...T00:00:00Z``), as the
rates of GEN's samples do.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

__all__ = ["ZONE", "iso_date", "iso_timestamp", "utc_timestamp", "with_milliseconds"]

ZONE: Final = timezone(timedelta(hours=-5))
_JSON_FORM: Final = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})([+-]\d{2}:\d{2}|Z)")


def iso_timestamp(seconds: float) -> str:
    """``seconds`` (Unix) in ``ZONE``, to the second: ``2023-11-14T17:13:20-05:00``."""
    return datetime.fromtimestamp(int(seconds), ZONE).isoformat()


def utc_timestamp(seconds: float) -> str:
    """``seconds`` (Unix) in UTC, to the second, with a ``Z``: ``2023-11-14T22:13:20Z``."""
    return datetime.fromtimestamp(int(seconds), UTC).isoformat().replace("+00:00", "Z")


def iso_date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).date().isoformat()


def with_milliseconds(document: Any) -> Any:
    """``document`` with each timestamp written as XML answers write it (a new value)."""
    if isinstance(document, dict):
        return {key: with_milliseconds(value) for key, value in document.items()}
    if isinstance(document, list):
        return [with_milliseconds(item) for item in document]
    if isinstance(document, str):
        match = _JSON_FORM.fullmatch(document)
        if match:
            return f"{match.group(1)}.000{match.group(2)}"
    return document
