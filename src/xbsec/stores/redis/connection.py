"""How every Redis-backed store talks to Redis: one place for URLs, timeouts, retries,
redaction and the wording of failures.

A store built from a URL gets a client with short timeouts, so that a dead Redis costs a
request about a second, not redis-py's default of 5 s times 10 retries. Whether a store
retries is its own decision, stated where it builds its client: a command that is not
idempotent (a replay claim, ``SET NX``) must never be retried, because the retry would find
the key its own lost first attempt set.

Nothing here ever puts a password in a message: URLs are redacted before they are shown,
and the exception text of redis-py (which carries no credentials) is cut short. An error
about a URL is never chained to redis-py's: its frames hold the URL, password included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from xbsec.errors import ConfigurationError

__all__ = ["DEFAULT_TIMEOUT", "async_client", "describe", "failure_text", "is_refusal",
           "redact_url", "sync_client"]

DEFAULT_TIMEOUT: Final = 0.5
"""Seconds to connect, and to wait for a reply, for a store built from a URL."""

_MAX_DETAIL: Final = 200
SCHEMES: Final = ("redis://", "rediss://", "unix://")
"""URL schemes that name a Redis server."""


def redact_url(url: str) -> str:
    """``url`` with its user information and any ``password=`` query value replaced by ``***``.

    ``redis://:secret@host:6379/0`` becomes ``redis://***@host:6379/0``. Everything up to the
    last ``@`` goes, even in a malformed URL: hiding too much is the safe way to be wrong.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    head, query_sep, query = rest.partition("?")
    if query_sep:
        query = "&".join(
            f"{part.partition('=')[0]}=***"
            if part.partition("=")[0].lower() == "password" else part
            for part in query.split("&")
        )
    return f"{scheme}{sep}{head}{query_sep}{query}"


def describe(client: object) -> str:
    """Where ``client`` connects, as a URL without credentials (for messages and ``repr``)."""
    pool = getattr(client, "connection_pool", None)
    kwargs = getattr(pool, "connection_kwargs", None)
    if not isinstance(kwargs, Mapping):  # not a plain client (a cluster client, say)
        return f"<{type(client).__name__}>"
    connection_class = getattr(pool, "connection_class", object)
    tls = isinstance(connection_class, type) and issubclass(
        connection_class, (redis.SSLConnection, redis.asyncio.SSLConnection))
    db = kwargs.get("db", 0)
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}?db={db}"
    host = str(kwargs.get("host", "localhost"))
    if ":" in host:
        host = f"[{host}]"
    return f"{'rediss' if tls else 'redis'}://{host}:{kwargs.get('port', 6379)}/{db}"


def failure_text(exc: BaseException) -> str:
    """What went wrong, short, for a message (redis-py's messages carry no password)."""
    return f"{type(exc).__name__}: {exc}"[:_MAX_DETAIL]


def is_refusal(exc: BaseException) -> bool:
    """Redis answered, with an error (READONLY, OOM, NOSCRIPT, ...), rather than not at all."""
    return isinstance(exc, redis.ResponseError)


def _options(options: Mapping[str, Any], *, timeout: float, retries: int,
             retry_class: type[Retry] | type[AsyncRetry]) -> dict[str, Any]:
    merged = dict(options)
    merged.setdefault("socket_timeout", timeout)
    merged.setdefault("socket_connect_timeout", timeout)
    merged.setdefault("retry", retry_class(NoBackoff(), retries))
    # RESP2: redis-py's asyncio pool looks for a connection that Redis closed before reusing
    # it only under RESP2; no store needs anything that RESP3 adds.
    merged.setdefault("protocol", 2)
    return merged


def _bad_url(url: str, purpose: str, exc: Exception) -> ConfigurationError:
    return ConfigurationError(f"cannot use {redact_url(url)!r} as {purpose}: "
                              f"{failure_text(exc)}"[:_MAX_DETAIL * 2])


def sync_client(url: str, *, purpose: str, retries: int, timeout: float = DEFAULT_TIMEOUT,
                options: Mapping[str, Any] | None = None) -> redis.Redis:
    """A ``redis.Redis`` for ``url`` with short timeouts and ``retries`` immediate retries.

    ``purpose`` ("a replay store", "a token store") names the store in the error raised for
    a URL redis-py cannot use. Options in the URL's query win over ``options``, which win
    over these defaults.
    """
    built = _options(options or {}, timeout=timeout, retries=retries, retry_class=Retry)
    try:
        return redis.Redis.from_url(url, **built)
    except Exception as exc:  # not chained: redis-py's frames hold the URL, password too
        raise _bad_url(url, purpose, exc) from None


def async_client(url: str, *, purpose: str, retries: int, timeout: float = DEFAULT_TIMEOUT,
                 options: Mapping[str, Any] | None = None) -> redis.asyncio.Redis:
    """As ``sync_client``, for asyncio (``redis.asyncio.Redis``); one per event loop."""
    built = _options(options or {}, timeout=timeout, retries=retries, retry_class=AsyncRetry)
    try:
        return redis.asyncio.Redis.from_url(url, **built)
    except Exception as exc:  # not chained: redis-py's frames hold the URL, password too
        raise _bad_url(url, purpose, exc) from None
