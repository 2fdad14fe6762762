"""One structured line per request, and the logging set-up a server process uses.

The gateway logs each request once, on the ``xbsec.gateway`` logger at INFO, with the
fields an operator searches by: request id, method, path, status, ReasonCode, consumer
(shortened), partner, auth mode, whether it was encrypted, and latency. Never a secret:
no Authorization value, no body, no query string, no full consumer key. The fields travel
on the record (``record.xbsec``), so a JSON formatter writes them as they are::

    configure_logging("info", "json")   # what `xbsec sandbox serve --log-format json` does

    {"time": "2026-12-06T12:00:00.123Z", "level": "INFO", "logger": "xbsec.gateway",
     "message": "POST /send/v1/... 200", "request_id": "...", "status": 200, ...}
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import dataclass, fields
from typing import Any, Final, Literal

__all__ = ["AccessRecord", "JsonFormatter", "LogFormat", "configure_logging", "shorten"]

LogFormat = Literal["text", "json"]
_LEVELS: Final = ("critical", "error", "warning", "info", "debug")


def shorten(consumer_key: str | None) -> str:
    """A consumer key short enough to log: its first 8 characters."""
    if not consumer_key:
        return "-"
    return consumer_key if len(consumer_key) <= 12 else consumer_key[:8] + "…"


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """What the gateway knows of one request once it has answered."""

    request_id: str
    method: str
    path: str
    status: int
    reason: str
    consumer: str
    partner: str
    auth: str
    encrypted: bool
    latency_ms: float

    def line(self) -> str:
        return (f"{self.request_id} {self.method} {self.path} {self.status} {self.reason} "
                f"auth={self.auth} consumer={self.consumer} partner={self.partner} "
                f"encrypted={self.encrypted} {self.latency_ms:.1f}ms")

    def log(self, logger: logging.Logger) -> None:
        # Nothing is built for a logger that would drop the line (a server at --log-level
        # warning): this runs once per request. The fields are flat: no deep copy needed.
        if logger.isEnabledFor(logging.INFO):
            values = {name: getattr(self, name) for name in _FIELDS}
            logger.info(self.line(), extra={"xbsec": values})


_FIELDS: Final = tuple(field.name for field in fields(AccessRecord))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ms), level, logger, message, and the record's
    structured fields (``record.xbsec``) when it has them."""

    def format(self, record: logging.LogRecord) -> str:
        moment = time.gmtime(record.created)
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", moment)
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "xbsec", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: a traceback may quote a payload or a key.
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "info", fmt: LogFormat = "text") -> None:
    """Send xbsec's and uvicorn's loggers to standard error, at ``level``, as ``fmt``.

    For a server process (``xbsec sandbox serve``); a library user configures logging as
    their application does.
    """
    from xbsec.errors import ConfigurationError

    if level.lower() not in _LEVELS:
        raise ConfigurationError(f"--log-level must be one of {', '.join(_LEVELS)}")
    if fmt not in ("text", "json"):
        raise ConfigurationError("--log-format must be text or json")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("xbsec", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
