"""Where xbsec keeps state that outlives one request: one family of stores.

Each kind of state has a small protocol and a member per backend::

    kind                        protocols                   members
    replay claims (nonces, jti) ReplayStore                 MemoryReplayStore, SQLiteReplayStore,
                                AsyncReplayStore            RedisReplayStore, AsyncRedisReplayStore
    a client's tokens, with a   TokenStore                  MemoryTokenStore, FileTokenStore,
    refresh lock                                            RedisTokenStore
    event de-duplication        EventStore                  MemoryEventStore, SQLiteEventStore,
    (push notifications)        AsyncEventStore             RedisEventStore, AsyncRedisEventStore
    rate buckets (quotas)       RateStore                   MemoryRateStore, SQLiteRateStore,
                                AsyncRateStore              RedisRateStore, AsyncRedisRateStore

Memory serves one process (the embedded default), SQLite the processes of one host (the
workers of ``xbsec sandbox serve``), Redis every process and host of a deployment.

Rules every member follows: an operation is atomic across every process sharing the store;
a store that cannot answer raises (the caller fails closed, never open); messages and
``repr`` never show a password; a store built from a URL has short timeouts, and retries
only what is safe to repeat. Redis connection handling is in ``xbsec.stores.redis``.

Names load on first use: the Redis members need the ``redis`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xbsec._lazy import lazy_face

if TYPE_CHECKING:
    from xbsec.stores.events import (
        AsyncEventStore,
        EventClaim,
        EventState,
        EventStore,
        MemoryEventStore,
    )
    from xbsec.stores.rates import AsyncRateStore, MemoryRateStore, RateDecision, RateStore
    from xbsec.stores.redis.events import AsyncRedisEventStore, RedisEventStore
    from xbsec.stores.redis.rates import AsyncRedisRateStore, RedisRateStore
    from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore
    from xbsec.stores.redis.tokens import RedisTokenStore
    from xbsec.stores.replay import (
        AsyncReplayStore,
        MemoryReplayStore,
        ReplayStore,
        claim_nonce,
        claim_nonce_async,
    )
    from xbsec.stores.sqlite import SQLiteEventStore, SQLiteRateStore, SQLiteReplayStore
    from xbsec.stores.tokens import (
        FileTokenStore,
        MemoryTokenStore,
        TokenStore,
        token_store_from_setting,
    )

_WHERE = {
    "AsyncReplayStore": "replay",
    "MemoryReplayStore": "replay",
    "ReplayStore": "replay",
    "claim_nonce": "replay",
    "claim_nonce_async": "replay",
    "FileTokenStore": "tokens",
    "MemoryTokenStore": "tokens",
    "TokenStore": "tokens",
    "token_store_from_setting": "tokens",
    "AsyncEventStore": "events",
    "EventClaim": "events",
    "EventState": "events",
    "EventStore": "events",
    "MemoryEventStore": "events",
    "AsyncRateStore": "rates",
    "MemoryRateStore": "rates",
    "RateDecision": "rates",
    "RateStore": "rates",
    "SQLiteEventStore": "sqlite",
    "SQLiteRateStore": "sqlite",
    "SQLiteReplayStore": "sqlite",
    "AsyncRedisEventStore": "redis.events",
    "AsyncRedisRateStore": "redis.rates",
    "AsyncRedisReplayStore": "redis.replay",
    "RedisEventStore": "redis.events",
    "RedisRateStore": "redis.rates",
    "RedisReplayStore": "redis.replay",
    "RedisTokenStore": "redis.tokens",
}

__all__ = [
    "AsyncEventStore",
    "AsyncRateStore",
    "AsyncRedisEventStore",
    "AsyncRedisRateStore",
    "AsyncRedisReplayStore",
    "AsyncReplayStore",
    "EventClaim",
    "EventState",
    "EventStore",
    "FileTokenStore",
    "MemoryEventStore",
    "MemoryRateStore",
    "MemoryReplayStore",
    "MemoryTokenStore",
    "RateDecision",
    "RateStore",
    "RedisEventStore",
    "RedisRateStore",
    "RedisReplayStore",
    "RedisTokenStore",
    "ReplayStore",
    "SQLiteEventStore",
    "SQLiteRateStore",
    "SQLiteReplayStore",
    "TokenStore",
    "claim_nonce",
    "claim_nonce_async",
    "token_store_from_setting",
]


__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__, globals())
