"""Every member of a store kind, behind one fixture, so that one test holds them all to the
same contract: memory and SQLite with a clock the test moves, Redis (a real server) with the
real clock, which the test waits for."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.clocks import Clock
from tests.redis_server import redis_url_fixture  # noqa: F401  (registers the fixture)
from xbsec.stores.events import MemoryEventStore
from xbsec.stores.rates import MemoryRateStore
from xbsec.stores.replay import MemoryReplayStore
from xbsec.stores.sqlite import SQLiteEventStore, SQLiteRateStore, SQLiteReplayStore

MEMBERS = ["memory", "sqlite", "redis"]


@dataclass
class Member:
    """A store under test, and how to let time pass for it."""

    store: Any
    kind: str
    advance: Callable[[float], None]


def _redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def _member(kind: str, request: pytest.FixtureRequest, tmp_path: Path,
            memory: Callable[[Clock], Any], sqlite: Callable[[Path, Clock], Any],
            redis_member: Callable[[Any, str], Any]) -> Iterator[Member]:
    if kind == "redis":
        url = request.getfixturevalue("redis_url")
        client = _redis_client(url)
        store = redis_member(client, f"xbsec-test:{uuid.uuid4().hex}:")
        yield Member(store, kind, time.sleep)
        client.close()
        return
    clock = Clock(1_800_000_000.0)
    store = memory(clock) if kind == "memory" else sqlite(tmp_path / "stores.db", clock)
    yield Member(store, kind, clock.advance)
    if kind == "sqlite":
        store.close()


@pytest.fixture(params=MEMBERS)
def event_member(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Member]:
    from xbsec.stores.redis.events import RedisEventStore

    yield from _member(request.param, request, tmp_path,
                       lambda clock: MemoryEventStore(clock=clock),
                       lambda path, clock: SQLiteEventStore(path, clock=clock),
                       lambda client, prefix: RedisEventStore(client, prefix=prefix))


@pytest.fixture(params=MEMBERS)
def rate_member(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Member]:
    from xbsec.stores.redis.rates import RedisRateStore

    yield from _member(request.param, request, tmp_path,
                       lambda clock: MemoryRateStore(clock=clock),
                       lambda path, clock: SQLiteRateStore(path, clock=clock),
                       lambda client, prefix: RedisRateStore(client, prefix=prefix))


@pytest.fixture(params=MEMBERS)
def replay_member(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Member]:
    from xbsec.stores.redis.replay import RedisReplayStore

    yield from _member(request.param, request, tmp_path,
                       lambda clock: MemoryReplayStore(clock=clock),
                       lambda path, clock: SQLiteReplayStore(path, clock=clock),
                       lambda client, prefix: RedisReplayStore(client, prefix=prefix))
