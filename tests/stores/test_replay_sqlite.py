"""The SQLite replay store: one replay store for every process of a host."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.stores.conftest import Member
from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.stores import ReplayStore, SQLiteEventStore, SQLiteRateStore, SQLiteReplayStore
from xbsec.stores.replay import claim_nonce


def test_every_member_is_a_replay_store(replay_member: Member) -> None:
    assert isinstance(replay_member.store, ReplayStore)


def test_a_key_is_claimed_once_within_its_ttl(replay_member: Member) -> None:
    store = replay_member.store
    assert store.claim("ck:nonce", 0.3) is True
    assert store.claim("ck:nonce", 0.3) is False
    replay_member.advance(0.5)
    assert store.claim("ck:nonce", 0.3) is True


def test_of_many_concurrent_claims_one_comes_first(replay_member: Member) -> None:
    store, barrier = replay_member.store, threading.Barrier(16)

    def claim(_: int) -> bool:
        barrier.wait()
        return bool(store.claim("ck:race", 60))

    with ThreadPoolExecutor(16) as pool:
        assert sum(pool.map(claim, range(16))) == 1


_WORKER = textwrap.dedent("""
    import sys
    from xbsec.stores.sqlite import SQLiteReplayStore
    store = SQLiteReplayStore(sys.argv[1])
    won = sum(store.claim(f"ck:{n}", 60) for n in range(int(sys.argv[2])))
    print(won)
""")


@pytest.mark.slow
def test_processes_sharing_the_file_claim_each_key_exactly_once(tmp_path: Path) -> None:
    path, keys = tmp_path / "replay.db", 200
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(path), str(keys)],
                                stdout=subprocess.PIPE, text=True) for _ in range(4)]
    won = [int(worker.communicate(timeout=120)[0]) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    assert sum(won) == keys
    assert SQLiteReplayStore(path).claim("ck:0", 60) is False


def test_the_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "replay.db"
    SQLiteReplayStore(path).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_stores_of_every_kind_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    replay, events, rates = SQLiteReplayStore(path), SQLiteEventStore(path), SQLiteRateStore(path)
    assert replay.claim("k", 60)
    assert events.begin("k", lease=60).state == "new"
    assert rates.take("k", rate=1, burst=1).allowed
    assert not replay.claim("k", 60)


def test_expired_claims_are_swept_as_the_store_is_used(tmp_path: Path) -> None:
    now = [1_800_000_000.0]
    store = SQLiteReplayStore(tmp_path / "replay.db", clock=lambda: now[0])
    for n in range(300):
        store.claim(f"old:{n}", 1)
    now[0] += 10
    for n in range(300):
        store.claim(f"new:{n}", 60)
    with sqlite3.connect(tmp_path / "replay.db") as db:
        old = db.execute("SELECT count(*) FROM replay_claims WHERE key LIKE 'old:%'").fetchone()
    assert old[0] == 0


def test_a_file_that_cannot_be_opened_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot open the store"):
        SQLiteReplayStore(tmp_path / "missing" / "replay.db")


def test_a_file_that_is_not_a_database_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "replay.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigurationError, match=str(path)):
        SQLiteReplayStore(path)


def test_a_database_locked_beyond_the_timeout_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "replay.db"
    store = SQLiteReplayStore(path, timeout=0.2)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailableError, match="cannot answer") as caught:
            claim_nonce(store, "ck:nonce", 60)
        assert time.monotonic() - started < 2
        assert str(path) in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.claim("ck:nonce", 60) is True  # nothing was half-written


def test_an_unusable_ttl_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ttl"):
        SQLiteReplayStore(tmp_path / "replay.db").claim("k", 0)


def test_an_unknown_durability_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="durability"):
        SQLiteReplayStore(tmp_path / "replay.db", durability="eventual")  # type: ignore[arg-type]
