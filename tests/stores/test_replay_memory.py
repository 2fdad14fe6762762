"""MemoryReplayStore: claim once, expire, stay bounded, stay atomic under threads."""

from __future__ import annotations

import threading

import pytest

from xbsec import ConfigurationError, ServiceUnavailableError
from xbsec.stores.replay import MemoryReplayStore, ReplayStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_claimed_once_until_it_expires() -> None:
    clock = Clock()
    store = MemoryReplayStore(clock=clock)
    assert isinstance(store, ReplayStore)
    assert store.claim("k", 10)
    assert not store.claim("k", 10)
    clock.now += 9.9
    assert not store.claim("k", 10)
    clock.now += 0.2
    assert store.claim("k", 10)


def test_expired_entries_are_evicted() -> None:
    clock = Clock()
    store = MemoryReplayStore(clock=clock)
    for i in range(100):
        store.claim(f"k{i}", 5)
    assert len(store) == 100
    clock.now += 6
    assert len(store) == 0


def test_a_full_store_refuses_rather_than_forgets() -> None:
    clock = Clock()
    store = MemoryReplayStore(max_entries=2, clock=clock)
    assert store.claim("a", 10)
    assert store.claim("b", 10)
    with pytest.raises(ServiceUnavailableError, match="full"):
        store.claim("c", 10)
    assert not store.claim("a", 10)  # still remembered
    clock.now += 11
    assert store.claim("c", 10)


def test_a_reclaimed_key_keeps_its_new_expiry() -> None:
    clock = Clock()
    store = MemoryReplayStore(clock=clock)
    store.claim("k", 1)
    clock.now += 2
    store.claim("k", 100)  # the stale heap entry of the first claim must not evict this one
    clock.now += 2
    store.claim("other", 1)
    assert not store.claim("k", 100)


def test_concurrent_claims_of_one_key_give_exactly_one_winner() -> None:
    store = MemoryReplayStore()
    results: list[bool] = []
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        results.append(store.claim("same", 60))

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1


def test_max_entries_must_be_positive() -> None:
    with pytest.raises(ConfigurationError):
        MemoryReplayStore(max_entries=0)


def test_claim_nonce_refuses_a_replay_and_fails_closed() -> None:
    from xbsec import NonceReplayError
    from xbsec.stores.replay import claim_nonce

    store = MemoryReplayStore()
    claim_nonce(store, "k", 10)
    with pytest.raises(NonceReplayError):
        claim_nonce(store, "k", 10)

    class Down:
        def claim(self, key: str, ttl: float) -> bool:
            raise OSError("connection refused")

    with pytest.raises(ServiceUnavailableError, match="cannot be reached"):
        claim_nonce(Down(), "k", 10)
    full = MemoryReplayStore(max_entries=1)
    full.claim("x", 10)
    with pytest.raises(ServiceUnavailableError, match="full"):
        claim_nonce(full, "y", 10)


def test_claim_nonce_async() -> None:
    import asyncio

    from xbsec import NonceReplayError
    from xbsec.stores.replay import AsyncReplayStore, claim_nonce_async

    class Async:
        def __init__(self) -> None:
            self.inner = MemoryReplayStore()

        async def claim(self, key: str, ttl: float) -> bool:
            return self.inner.claim(key, ttl)

    class Down:
        async def claim(self, key: str, ttl: float) -> bool:
            raise ConnectionError

    class Refusing:
        async def claim(self, key: str, ttl: float) -> bool:
            raise ServiceUnavailableError("store says no")

    async def scenario() -> None:
        store = Async()
        assert isinstance(store, AsyncReplayStore)
        await claim_nonce_async(store, "k", 10)
        with pytest.raises(NonceReplayError):
            await claim_nonce_async(store, "k", 10)
        with pytest.raises(ServiceUnavailableError, match="cannot be reached"):
            await claim_nonce_async(Down(), "k", 10)
        with pytest.raises(ServiceUnavailableError, match="store says no"):
            await claim_nonce_async(Refusing(), "k", 10)

    asyncio.run(scenario())
