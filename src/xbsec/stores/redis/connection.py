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
from dataclasses import dataclass
from typing import Any, Final

import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

from xbsec.errors import ConfigurationError

__all__ = [
    "DEFAULT_TIMEOUT",
    "DURABILITY_SETTINGS",
    "Durability",
    "aread_durability",
    "async_client",
    "describe",
    "durability_of",
    "failure_text",
    "has_credentials",
    "is_refusal",
    "read_durability",
    "redact_url",
    "sync_client",
]

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


def has_credentials(url: str) -> bool:
    """Whether ``url`` carries a password (user information, or a ``password=`` query)."""
    return redact_url(url) != url


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


DURABILITY_SETTINGS: Final = ("maxmemory-policy", "maxmemory", "appendonly", "save")
"""What ``durability_of`` reads (``CONFIG GET``)."""


@dataclass(frozen=True, slots=True)
class Durability:
    """Whether a Redis server keeps what a store writes until it expires.

    ``problems`` are settings that lose live keys (each sentence says which setting to
    change); ``unverified`` says why the settings could not be read, when they could not
    (a managed Redis may refuse ``CONFIG``): then nothing is known either way.
    """

    problems: tuple[str, ...] = ()
    unverified: str | None = None

    @property
    def sound(self) -> bool:
        return not self.problems and self.unverified is None


def durability_of(settings: Mapping[str, Any]) -> Durability:
    """Judge a server's ``CONFIG GET`` answers (values as Redis gives them).

    Two ways to lose a live key: an eviction policy (every store key has a TTL, so the
    ``volatile-*`` policies evict them as surely as ``allkeys-*``), and no persistence at
    all (a restart forgets every key). RDB snapshots alone are persistence that loses the
    last minutes on a crash; ``appendonly yes`` is what we recommend, not what we require.
    """
    values = {str(k): str(v) for k, v in settings.items()}
    problems = []
    policy = values.get("maxmemory-policy", "")
    if policy and policy != "noeviction":
        limit = values.get("maxmemory", "0")
        problems.append(
            f"maxmemory-policy is {policy} (maxmemory {limit}): Redis may evict live keys "
            "under memory pressure, and a replay would then be accepted; set "
            "maxmemory-policy noeviction")
    if values.get("appendonly", "no") != "yes" and not values.get("save", "").strip():
        problems.append(
            "no persistence (appendonly no, save \"\"): a restart forgets every key, and "
            "requests replayed after it would be accepted; set appendonly yes")
    return Durability(tuple(problems))


def _settings_reply(reply: Any) -> dict[str, Any]:
    return {(k.decode() if isinstance(k, bytes) else str(k)):
            (v.decode() if isinstance(v, bytes) else v) for k, v in dict(reply).items()}


def read_durability(client: redis.Redis) -> Durability:
    """``durability_of`` the server behind ``client``; never raises."""
    try:
        settings: dict[str, Any] = {}
        for name in DURABILITY_SETTINGS:
            settings.update(_settings_reply(client.config_get(name)))
    except Exception as exc:
        return Durability(unverified=f"cannot read the Redis settings ({failure_text(exc)})")
    return durability_of(settings)


async def aread_durability(client: redis.asyncio.Redis) -> Durability:
    """``read_durability`` for asyncio."""
    try:
        settings: dict[str, Any] = {}
        for name in DURABILITY_SETTINGS:
            settings.update(_settings_reply(await client.config_get(name)))
    except Exception as exc:
        return Durability(unverified=f"cannot read the Redis settings ({failure_text(exc)})")
    return durability_of(settings)
