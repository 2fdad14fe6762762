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

Three kinds of deployment, each named by its URL (``s`` after ``redis`` for TLS)::

    redis://[user:password@]host:port/db            one server (rediss:// for TLS; unix://)
    redis+cluster://[user:password@]host:port,host:port,...[/0]       a Redis Cluster
    redis+sentinel://[user:password@]host:port,...[/service][/db]     a primary that
        Sentinel names (the service defaults to ``mymaster``); ``sentinel_password=`` and
        ``sentinel_username=`` in the query if the sentinels ask for their own

Every query option redis-py reads from a URL (``ssl_ca_certs``, ``ssl_certfile``,
``socket_timeout``, ...) works in all three; with TLS the sentinels are reached over TLS
too. A cluster client follows MOVED and ASK redirections (nothing ran), but with the
store's retries only (none for a replay claim) after a connection or timeout error, when
the command may have run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeAlias
from urllib.parse import parse_qsl, unquote

import redis
import redis.asyncio
import redis.asyncio.cluster
import redis.asyncio.sentinel
import redis.cluster
import redis.sentinel
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.connection import parse_url
from redis.retry import Retry

from xbsec.errors import ConfigurationError

__all__ = [
    "DEFAULT_TIMEOUT",
    "DURABILITY_SETTINGS",
    "SCHEMES",
    "AsyncClient",
    "Durability",
    "SyncClient",
    "aclose_client",
    "aread_durability",
    "async_client",
    "close_client",
    "describe",
    "durability_of",
    "failure_text",
    "has_credentials",
    "is_cluster",
    "is_refusal",
    "read_durability",
    "redact_url",
    "sync_client",
]

DEFAULT_TIMEOUT: Final = 0.5
"""Seconds to connect, and to wait for a reply, for a store built from a URL."""

_MAX_DETAIL: Final = 200
SCHEMES: Final = ("redis://", "rediss://", "unix://", "redis+cluster://", "rediss+cluster://",
                   "redis+sentinel://", "rediss+sentinel://")
"""URL schemes that name a Redis deployment."""

SyncClient: TypeAlias = "redis.Redis | redis.cluster.RedisCluster"
"""What a synchronous store talks through: one server (or Sentinel's primary), or a cluster."""
AsyncClient: TypeAlias = "redis.asyncio.Redis | redis.asyncio.cluster.RedisCluster"
"""As ``SyncClient``, for asyncio."""

_DEFAULT_SERVICE: Final = "mymaster"
_SENTINEL_ONLY: Final = ("sentinel_password", "sentinel_username")


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
            if _redact_query_value(part.partition("=")[0]) else part
            for part in query.split("&")
        )
    return f"{scheme}{sep}{head}{query_sep}{query}"


def _redact_query_value(name: str) -> bool:
    return name.lower().endswith("password")


def has_credentials(url: str) -> bool:
    """Whether ``url`` carries a password (user information, or a ``password=`` query)."""
    return redact_url(url) != url


def is_cluster(client: object) -> bool:
    """Whether ``client`` is a Redis Cluster client (sync or asyncio)."""
    return isinstance(client, redis.cluster.RedisCluster | redis.asyncio.cluster.RedisCluster)


def _hosts(nodes: Any) -> str:
    return ",".join(f"[{h}]:{p}" if ":" in str(h) else f"{h}:{p}" for h, p in nodes)


def describe(client: object) -> str:
    """Where ``client`` connects, as a URL without credentials (for messages and ``repr``)."""
    if is_cluster(client):
        manager = getattr(client, "nodes_manager", None)
        nodes = getattr(manager, "startup_nodes", {}) or {}
        kwargs = getattr(manager, "connection_kwargs", {}) or {}
        tls = bool(kwargs.get("ssl")) or "SSL" in getattr(
            kwargs.get("connection_class"), "__name__", "")
        pairs = [(node.host, node.port) for node in nodes.values()]
        return f"{'rediss' if tls else 'redis'}+cluster://{_hosts(pairs)}"
    pool = getattr(client, "connection_pool", None)
    if isinstance(pool, (redis.sentinel.SentinelConnectionPool,
                         redis.asyncio.sentinel.SentinelConnectionPool)):
        sentinels = [(c.connection_pool.connection_kwargs.get("host"),
                      c.connection_pool.connection_kwargs.get("port"))
                     for c in pool.sentinel_manager.sentinels]
        tls = "SSL" in getattr(pool.connection_class, "__name__", "")
        return (f"{'rediss' if tls else 'redis'}+sentinel://{_hosts(sentinels)}/"
                f"{pool.service_name}/{pool.connection_kwargs.get('db', 0)}")
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


@dataclass(frozen=True)
class _Deployment:
    """A ``redis+cluster://`` or ``redis+sentinel://`` URL, read."""

    kind: str  # "cluster" or "sentinel"
    nodes: tuple[tuple[str, int], ...]
    service: str
    options: dict[str, Any]
    """Connection options for the servers (credentials, TLS, query options), typed."""
    sentinel_options: dict[str, Any]


def _node(text: str, default_port: int) -> tuple[str, int]:
    if text.startswith("["):  # [IPv6]:port
        host, _, rest = text[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = text.rpartition(":") if ":" in text else (text, "", "")
    if not host:
        raise ValueError(f"no host in {text!r}")
    port = int(port_text) if port_text else default_port
    if not 0 < port < 65536:
        raise ValueError(f"port out of range in {text!r}")
    return host, port


def _deployment(url: str) -> _Deployment | None:
    """``url`` read as a cluster or Sentinel URL; ``None`` for the other schemes."""
    scheme, _, rest = url.partition("://")
    base, _, kind = scheme.partition("+")
    if kind not in ("cluster", "sentinel") or base not in ("redis", "rediss"):
        return None
    location, _, query = rest.partition("?")
    authority, _, path = location.partition("/")
    userinfo, at, hosts = authority.rpartition("@")
    if not at:
        userinfo, hosts = "", authority
    default_port = 26379 if kind == "sentinel" else 6379
    nodes = tuple(_node(part.strip(), default_port) for part in hosts.split(",") if part.strip())
    if not nodes:
        raise ValueError("no host given")
    segments = [unquote(segment) for segment in path.split("/") if segment]
    service = _DEFAULT_SERVICE
    db = "0"
    if kind == "sentinel":
        if segments and not segments[0].isdigit():
            service = segments.pop(0)
        if segments:
            db = segments.pop(0)
    elif segments:
        db = segments.pop(0)
        if db != "0":
            raise ValueError("a Redis Cluster has database 0 only")
    if segments or not db.isdigit():
        raise ValueError("the path is /service/db for Sentinel, nothing (or /0) for a cluster")
    sentinel_only = {name: value for name, value in parse_qsl(query, keep_blank_values=True)
                     if name in _SENTINEL_ONLY}
    # The other options stay as written (still %-encoded): parse_url decodes them once.
    rest_query = "&".join(part for part in query.split("&")
                          if part and part.partition("=")[0] not in _SENTINEL_ONLY)
    # redis-py reads the credentials and the query (types included) from a one-server URL.
    single = f"{base}://{userinfo}{'@' if at else ''}localhost/{db}"
    options = dict(parse_url(single + (f"?{rest_query}" if rest_query else "")))  # type: ignore[no-untyped-call]
    for name in ("host", "port", "path"):
        options.pop(name, None)
    tls = base == "rediss"
    options.pop("connection_class", None)
    if tls:
        options["ssl"] = True
    if kind == "cluster":
        options.pop("db", None)
    sentinel_options: dict[str, Any] = {}
    for name, value in sentinel_only.items():
        sentinel_options[name.removeprefix("sentinel_")] = value
    for name, value in options.items():
        if name.startswith("ssl") or name.startswith("socket_"):
            sentinel_options.setdefault(name, value)
    return _Deployment(kind, nodes, service, options, sentinel_options)


def _sentinel_options(options: dict[str, Any], deployment: _Deployment) -> dict[str, Any]:
    """How to reach the sentinels: the servers' timeouts and TLS, their own credentials."""
    return {"socket_timeout": options.get("socket_timeout"),
            "socket_connect_timeout": options.get("socket_connect_timeout"),
            "protocol": options.get("protocol"), **deployment.sentinel_options}


def _build_sync(url: str, built: dict[str, Any]) -> SyncClient:
    deployment = _deployment(url)
    if deployment is None:
        return redis.Redis.from_url(url, **built)
    options = {**built, **deployment.options}
    if deployment.kind == "cluster":
        nodes = [redis.cluster.ClusterNode(host, port)  # type: ignore[no-untyped-call]
                 for host, port in deployment.nodes]
        return redis.cluster.RedisCluster(startup_nodes=nodes, **options)
    sentinel = redis.sentinel.Sentinel(list(deployment.nodes),
                                       sentinel_kwargs=_sentinel_options(options, deployment),
                                       **options)
    client: redis.Redis = sentinel.master_for(deployment.service)
    return client


def _build_async(url: str, built: dict[str, Any]) -> AsyncClient:
    deployment = _deployment(url)
    if deployment is None:
        return redis.asyncio.Redis.from_url(url, **built)
    options = {**built, **deployment.options}
    if deployment.kind == "cluster":
        nodes = [redis.asyncio.cluster.ClusterNode(host, port)
                 for host, port in deployment.nodes]
        return redis.asyncio.cluster.RedisCluster(startup_nodes=nodes, **options)
    sentinel = redis.asyncio.sentinel.Sentinel(
        list(deployment.nodes), sentinel_kwargs=_sentinel_options(options, deployment),
        **options)
    client: redis.asyncio.Redis = sentinel.master_for(deployment.service)
    return client


def sync_client(url: str, *, purpose: str, retries: int, timeout: float = DEFAULT_TIMEOUT,
                options: Mapping[str, Any] | None = None) -> SyncClient:
    """A client for ``url`` with short timeouts and ``retries`` immediate retries: a
    ``redis.Redis``, or a ``redis.cluster.RedisCluster`` for a ``redis+cluster://`` URL.

    ``purpose`` ("a replay store", "a token store") names the store in the error raised for
    a URL redis-py cannot use. Options in the URL's query win over ``options``, which win
    over these defaults.
    """
    built = _options(options or {}, timeout=timeout, retries=retries, retry_class=Retry)
    try:
        return _build_sync(url, built)
    except Exception as exc:  # not chained: redis-py's frames hold the URL, password too
        raise _bad_url(url, purpose, exc) from None


def async_client(url: str, *, purpose: str, retries: int, timeout: float = DEFAULT_TIMEOUT,
                 options: Mapping[str, Any] | None = None) -> AsyncClient:
    """As ``sync_client``, for asyncio (``redis.asyncio.Redis`` or its ``RedisCluster``);
    one per event loop."""
    built = _options(options or {}, timeout=timeout, retries=retries, retry_class=AsyncRetry)
    try:
        return _build_async(url, built)
    except Exception as exc:  # not chained: redis-py's frames hold the URL, password too
        raise _bad_url(url, purpose, exc) from None


def _sentinels(client: object) -> list[Any]:
    """The clients of the sentinels behind a Sentinel-managed client (else none)."""
    pool = getattr(client, "connection_pool", None)
    manager = getattr(pool, "sentinel_manager", None)
    return list(getattr(manager, "sentinels", []))


def close_client(client: SyncClient) -> None:
    """Close a client a store built, with the sentinel connections it opened."""
    client.close()
    for sentinel in _sentinels(client):
        sentinel.close()


async def aclose_client(client: AsyncClient) -> None:
    """``close_client`` for asyncio."""
    await client.aclose()
    for sentinel in _sentinels(client):
        await sentinel.aclose()


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


def _combined(judged: list[tuple[str, Durability]]) -> Durability:
    """One verdict for the primaries of a cluster: each problem once, with where it is."""
    problems: dict[str, list[str]] = {}
    for where, durability in judged:
        if durability.unverified is not None:
            return Durability(unverified=f"{where}: {durability.unverified}")
        for problem in durability.problems:
            problems.setdefault(problem, []).append(where)
    return Durability(tuple(f"{problem} (on {', '.join(wheres)})"
                            for problem, wheres in problems.items()))


def read_durability(client: SyncClient) -> Durability:
    """``durability_of`` the server behind ``client`` (every primary of a cluster); never
    raises."""
    try:
        if isinstance(client, redis.cluster.RedisCluster):
            judged = []
            for node in client.get_primaries():  # type: ignore[no-untyped-call]
                settings: dict[str, Any] = {}
                for name in DURABILITY_SETTINGS:
                    settings.update(_settings_reply(client.config_get(name, target_nodes=node)))
                judged.append((node.name, durability_of(settings)))
            return _combined(judged)
        settings = {}
        for name in DURABILITY_SETTINGS:
            settings.update(_settings_reply(client.config_get(name)))
    except Exception as exc:
        return Durability(unverified=f"cannot read the Redis settings ({failure_text(exc)})")
    return durability_of(settings)


async def aread_durability(client: AsyncClient) -> Durability:
    """``read_durability`` for asyncio."""
    try:
        if isinstance(client, redis.asyncio.cluster.RedisCluster):
            await client.initialize()
            judged = []
            for node in client.get_primaries():
                settings: dict[str, Any] = {}
                for name in DURABILITY_SETTINGS:
                    settings.update(_settings_reply(
                        await client.config_get(name, target_nodes=node)))
                judged.append((node.name, durability_of(settings)))
            return _combined(judged)
        settings = {}
        for name in DURABILITY_SETTINGS:
            settings.update(_settings_reply(await client.config_get(name)))
    except Exception as exc:
        return Durability(unverified=f"cannot read the Redis settings ({failure_text(exc)})")
    return durability_of(settings)
