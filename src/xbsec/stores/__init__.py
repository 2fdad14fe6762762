"""Where xbsec keeps state that outlives one request: one family of stores.

Each kind of state has a small protocol and a member per backend::

    kind                        protocols                   members
    replay claims (nonces, jti) ReplayStore                 MemoryReplayStore,
                                AsyncReplayStore            RedisReplayStore, AsyncRedisReplayStore
    a client's tokens, with a   TokenStore                  MemoryTokenStore, FileTokenStore,
    refresh lock                                            RedisTokenStore

Memory serves one process (the embedded default), Redis every process and host of a
deployment.

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
    from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore
    from xbsec.stores.redis.tokens import RedisTokenStore
    from xbsec.stores.replay import (
        AsyncReplayStore,
        MemoryReplayStore,
        ReplayStore,
        claim_nonce,
        claim_nonce_async,
    )
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
    "AsyncRedisReplayStore": "redis.replay",
    "RedisReplayStore": "redis.replay",
    "RedisTokenStore": "redis.tokens",
}

__all__ = [
    "AsyncRedisReplayStore",
    "AsyncReplayStore",
    "FileTokenStore",
    "MemoryReplayStore",
    "MemoryTokenStore",
    "RedisReplayStore",
    "RedisTokenStore",
    "ReplayStore",
    "TokenStore",
    "claim_nonce",
    "claim_nonce_async",
    "token_store_from_setting",
]


__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__, globals())
