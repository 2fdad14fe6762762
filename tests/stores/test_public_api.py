"""The public face of xbsec.stores, pinned; and the names the older faces keep offering."""

from __future__ import annotations

import subprocess
import sys

import xbsec
import xbsec.oauth2
import xbsec.server
import xbsec.stores


def test_stores_exports_are_pinned() -> None:
    assert xbsec.stores.__all__ == [
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
    for name in xbsec.stores.__all__:
        assert getattr(xbsec.stores, name) is not None
    assert set(dir(xbsec.stores)) >= set(xbsec.stores.__all__)


def test_every_face_offers_the_same_objects_as_the_stores() -> None:
    assert xbsec.MemoryReplayStore is xbsec.stores.MemoryReplayStore
    assert xbsec.ReplayStore is xbsec.stores.ReplayStore
    assert xbsec.server.RedisReplayStore is xbsec.stores.RedisReplayStore
    assert xbsec.server.AsyncRedisReplayStore is xbsec.stores.AsyncRedisReplayStore
    for name in ("FileTokenStore", "MemoryTokenStore", "RedisTokenStore", "TokenStore"):
        assert getattr(xbsec.oauth2, name) is getattr(xbsec.stores, name)


def test_importing_the_stores_loads_neither_redis_nor_sqlite() -> None:
    code = ("import sys, xbsec.stores; "
            "print(any(m == 'redis' or m.startswith('redis.') for m in sys.modules), "
            "'sqlite3' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
