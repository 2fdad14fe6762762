"""Exactly once under contention: separate OS processes, each with many threads (or event
loops), each thread (or loop) with its own store, all claim the same keys at the same moment
on a real redis-server. For every key exactly one claim wins."""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import threading
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest

from tests.oauth1.conftest import CONSUMER_KEY
from tests.redis_server import prefix_fixture, redis_url_fixture  # noqa: F401 (registers them)
from xbsec.stores.redis.replay import AsyncRedisReplayStore, RedisReplayStore

PROCESSES = 3
THREADS = 8  # per process, each with its own RedisReplayStore
LOOPS = 3  # per process, each with its own AsyncRedisReplayStore ...
TASKS = 8  # ... and this many claims in flight on it at once
ROUNDS = 10  # keys raced for, one after the other
TIMEOUT = 60.0


def _keys() -> list[str]:
    return [f"oauth1:{CONSUMER_KEY}:RaceNonce{n:07d}" for n in range(ROUNDS)]


def _race(mode: str, url: str, prefix: str, start: Barrier, results: Any) -> None:
    """In a child process: race for every key; report how many claims of each this process won."""
    try:
        wins = _threads(url, prefix, start) if mode == "sync" else _loops(url, prefix, start)
    except BaseException as exc:
        results.put(("error", repr(exc)))
        raise
    results.put(("wins", wins))


def _threads(url: str, prefix: str, start: Barrier) -> list[int]:
    wins = [0] * ROUNDS
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(store: RedisReplayStore) -> None:
        try:
            for n, key in enumerate(_keys()):
                start.wait(TIMEOUT)  # every thread of every process, released together
                if store.claim(key, 60):
                    with lock:
                        wins[n] += 1
        except BaseException as exc:
            errors.append(exc)
            start.abort()

    stores = [RedisReplayStore(url, prefix=prefix) for _ in range(THREADS)]
    if not all(store.ping() for store in stores):  # connected before the race starts
        raise RuntimeError("redis does not answer")
    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return wins


def _loops(url: str, prefix: str, start: Barrier) -> list[int]:
    wins = [0] * ROUNDS
    lock = threading.Lock()
    errors: list[BaseException] = []

    async def race() -> None:
        async with AsyncRedisReplayStore(url, prefix=prefix) as store:
            # Open the connections the race needs before it starts.
            await asyncio.gather(*(store.ping() for _ in range(TASKS)))
            for n, key in enumerate(_keys()):
                start.wait(TIMEOUT)  # blocks this loop on purpose: nothing else runs on it
                won = await asyncio.gather(*(store.claim(key, 60) for _ in range(TASKS)))
                with lock:
                    wins[n] += sum(won)

    def run() -> None:
        try:
            asyncio.run(race())
        except BaseException as exc:
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=run) for _ in range(LOOPS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return wins


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_exactly_one_claim_wins_across_processes(mode, redis_url, prefix) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES * (THREADS if mode == "sync" else LOOPS))
    results = context.Queue()
    processes = [context.Process(target=_race, args=(mode, redis_url, prefix, start, results))
                 for _ in range(PROCESSES)]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=TIMEOUT) for _ in processes]
    except queue.Empty:
        pytest.fail(f"a racing process did not report; exit codes "
                    f"{[process.exitcode for process in processes]}")
    finally:
        for process in processes:
            process.join(TIMEOUT)
            if process.is_alive():
                process.kill()
    assert [kind for kind, _ in reports] == ["wins"] * PROCESSES, reports
    per_key = [sum(wins[n] for _, wins in reports) for n in range(ROUNDS)]
    assert per_key == [1] * ROUNDS
    assert [process.exitcode for process in processes] == [0] * PROCESSES
