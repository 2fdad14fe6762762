"""What every Redis member of the store family shares: its client, where it connects, its
key prefix, and how it is closed.

A store is given a client (``redis.Redis`` or ``redis.asyncio.Redis``, or their
``RedisCluster``; the caller's to close) or a URL (the store builds the client with
``connection.py``'s short timeouts and closes it: one server, a Redis Cluster, or the
primary Sentinel names). Keys are ``prefix + key`` as UTF-8 bytes with ``surrogatepass``,
so the client's own encoding settings cannot change them and distinct keys never share one.

Every command of every store names one key, so a store works on a Redis Cluster as on one
server, its keys spread over the slots. On a cluster, Redis hashes only the part of a key
between ``{`` and the next ``}`` when there is one: so that a caller's text (a nonce, an
event reference) cannot pin keys to one slot, a key whose text holds a ``{`` gets a hash
tag of its own in front (``{<digest>}``). Keep braces out of the ``prefix``.
"""

from __future__ import annotations

import hashlib
from types import TracebackType
from typing import Any, ClassVar, Self

import redis
import redis.asyncio
import redis.asyncio.cluster
import redis.cluster

from xbsec.errors import ConfigurationError
from xbsec.stores.redis.connection import (
    DEFAULT_TIMEOUT,
    AsyncClient,
    Durability,
    SyncClient,
    aclose_client,
    aread_durability,
    async_client,
    close_client,
    describe,
    is_cluster,
    read_durability,
    sync_client,
)

__all__ = ["AsyncRedisStore", "SyncRedisStore"]


class _RedisStore:
    default_prefix: ClassVar[str] = "xbsec:"
    purpose: ClassVar[str] = "a store"
    """Names the store in the error for a URL redis-py cannot use ("a replay store")."""
    retries: ClassVar[int] = 0
    """Immediate retries of a command; 0 unless every command of the store is idempotent."""
    timeout: ClassVar[float] = DEFAULT_TIMEOUT

    _where: str
    _owns_client: bool
    _cluster: bool = False

    def __init__(self, prefix: str | None) -> None:
        self._prefix = self.default_prefix if prefix is None else prefix
        self._prefix_bytes = self._prefix.encode("utf-8", "surrogatepass")

    @property
    def prefix(self) -> str:
        return self._prefix

    def redis_key(self, key: str) -> bytes:
        """``prefix + key`` as bytes: one-to-one for any ``str`` (on a cluster, a key whose
        text holds ``{`` is tagged with its digest first, see above)."""
        raw = key.encode("utf-8", "surrogatepass")
        if self._cluster and b"{" in raw:
            tag = hashlib.blake2b(raw, digest_size=8).hexdigest().encode("ascii")
            return self._prefix_bytes + b"{" + tag + b"}" + raw
        return self._prefix_bytes + raw

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._where!r}, prefix={self.prefix!r})"


class SyncRedisStore(_RedisStore):
    """A store on ``redis.Redis``, safe to share between threads."""

    def __init__(self, client_or_url: SyncClient | str, *, prefix: str | None = None,
                 options: dict[str, Any] | None = None) -> None:
        super().__init__(prefix)
        given: object = client_or_url  # callers may pass anything at run time
        if isinstance(given, redis.asyncio.Redis | redis.asyncio.cluster.RedisCluster):
            raise ConfigurationError(f"a redis.asyncio.Redis client goes to "
                                     f"Async{type(self).__name__}")
        self._owns_client = isinstance(client_or_url, str)
        if isinstance(client_or_url, str):
            client_or_url = sync_client(client_or_url, purpose=self.purpose,
                                        retries=self.retries, timeout=self.timeout,
                                        options=options)
        self._client: SyncClient = client_or_url
        self._where = describe(client_or_url)
        self._cluster = is_cluster(client_or_url)

    @classmethod
    def from_url(cls, url: str, *, prefix: str | None = None, **options: Any) -> Self:
        """A store with its own client; ``options`` go to ``redis.Redis.from_url`` (or to
        ``RedisCluster``, ``Sentinel``: see ``connection.py``).

        Defaults: ``socket_timeout`` and ``socket_connect_timeout`` of ``DEFAULT_TIMEOUT``,
        the store's retries, ``protocol=2``. Options in the URL's query win over these.
        """
        return cls(url, prefix=prefix, options=options)

    @property
    def client(self) -> SyncClient:
        return self._client

    def ping(self) -> bool:
        """True if Redis answers a PING now (for health checks); never raises."""
        try:
            return bool(self._client.ping())
        except Exception:
            return False

    def durability(self) -> Durability:
        """Whether Redis keeps this store's keys until they expire (``connection.py``)."""
        return read_durability(self._client)

    def close(self) -> None:
        """Close the client if the store built it; a client passed in is left open."""
        if self._owns_client:
            close_client(self._client)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class AsyncRedisStore(_RedisStore):
    """A store on ``redis.asyncio.Redis``. Use one per event loop: redis-py's asynchronous
    connections belong to the loop that opened them."""

    def __init__(self, client_or_url: AsyncClient | str, *,
                 prefix: str | None = None, options: dict[str, Any] | None = None) -> None:
        super().__init__(prefix)
        given: object = client_or_url  # callers may pass anything at run time
        if isinstance(given, redis.Redis | redis.cluster.RedisCluster):
            raise ConfigurationError(f"a redis.Redis client goes to "
                                     f"{type(self).__name__.removeprefix('Async')}")
        self._owns_client = isinstance(client_or_url, str)
        if isinstance(client_or_url, str):
            client_or_url = async_client(client_or_url, purpose=self.purpose,
                                         retries=self.retries, timeout=self.timeout,
                                         options=options)
        self._client: AsyncClient = client_or_url
        self._where = describe(client_or_url)
        self._cluster = is_cluster(client_or_url)

    @classmethod
    def from_url(cls, url: str, *, prefix: str | None = None, **options: Any) -> Self:
        """As ``SyncRedisStore.from_url``; ``options`` go to ``redis.asyncio.Redis.from_url``."""
        return cls(url, prefix=prefix, options=options)

    @property
    def client(self) -> AsyncClient:
        return self._client

    async def ping(self) -> bool:
        """True if Redis answers a PING now (for health checks); never raises."""
        try:
            return bool(await self._client.ping())
        except Exception:
            return False

    async def durability(self) -> Durability:
        """Whether Redis keeps this store's keys until they expire (``connection.py``)."""
        return await aread_durability(self._client)

    async def aclose(self) -> None:
        """Close the client if the store built it; a client passed in is left open."""
        if self._owns_client:
            await aclose_client(self._client)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()
