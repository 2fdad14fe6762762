"""Token buckets: every member lets a burst through, refills at the rate, says when to retry."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.stores.conftest import Member
from xbsec.errors import ConfigurationError
from xbsec.stores import MemoryRateStore, RateStore
from xbsec.stores.rates import refill


def test_every_member_is_a_rate_store(rate_member: Member) -> None:
    assert isinstance(rate_member.store, RateStore)


def test_a_burst_goes_through_then_the_next_is_refused(rate_member: Member) -> None:
    store = rate_member.store
    decisions = [store.take("ck", rate=0.5, burst=5) for _ in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert decisions[4].remaining == pytest.approx(0, abs=0.01)
    # One token comes back every 2 s.
    assert decisions[5].retry_after == pytest.approx(2.0, abs=0.05)


def test_tokens_come_back_at_the_rate(rate_member: Member) -> None:
    store = rate_member.store
    for _ in range(4):
        store.take("ck", rate=10, burst=4)
    assert not store.take("ck", rate=10, burst=4).allowed
    rate_member.advance(0.25)  # 2.5 tokens back
    assert [store.take("ck", rate=10, burst=4).allowed for _ in range(3)] == [True, True, False]


def test_a_bucket_never_holds_more_than_its_burst(rate_member: Member) -> None:
    store = rate_member.store
    store.take("ck", rate=100, burst=3)
    rate_member.advance(0.5)  # 50 tokens' worth of time
    assert [store.take("ck", rate=100, burst=3).allowed for _ in range(4)] == [True] * 3 + [
        False]


def test_a_cost_takes_several_tokens(rate_member: Member) -> None:
    store = rate_member.store
    assert store.take("ck", rate=1, burst=10, cost=7).allowed
    refused = store.take("ck", rate=1, burst=10, cost=7)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(4.0, abs=0.05)


def test_keys_have_their_own_buckets(rate_member: Member) -> None:
    store = rate_member.store
    assert store.take("a", rate=1, burst=1).allowed
    assert not store.take("a", rate=1, burst=1).allowed
    assert store.take("b", rate=1, burst=1).allowed


def test_concurrent_takes_never_exceed_the_burst(rate_member: Member) -> None:
    store, barrier = rate_member.store, threading.Barrier(12)

    def take(_: int) -> int:
        barrier.wait()
        return sum(store.take("ck", rate=0.001, burst=10).allowed for _ in range(4))

    with ThreadPoolExecutor(12) as pool:
        assert sum(pool.map(take, range(12))) == 10


@pytest.mark.parametrize(("rate", "burst", "cost"), [
    (0, 1, 1), (-1, 1, 1), (float("inf"), 1, 1), (float("nan"), 1, 1), (True, 1, 1),
    (1, 0, 1), (1, 1.5, 1), (1, True, 1), (1, 2, 3), (1, 2, 0), (1, 2, 1.0),
])
def test_a_bucket_that_cannot_work_is_a_configuration_error(rate_member: Member, rate: object,
                                                            burst: object,
                                                            cost: object) -> None:
    with pytest.raises(ConfigurationError):
        rate_member.store.take("ck", rate=rate, burst=burst, cost=cost)


def test_a_clock_going_backwards_adds_no_tokens() -> None:
    decision, level = refill(0.0, 100.0, 50.0, rate=10, burst=5, cost=1)
    assert (decision.allowed, level) == (False, 0.0)


def test_the_memory_member_forgets_buckets_once_they_are_full_again() -> None:
    now = [0.0]
    store = MemoryRateStore(clock=lambda: now[0])
    for n in range(100):
        store.take(f"caller-{n}", rate=10, burst=5)
    assert len(store) == 100
    now[0] += 2  # every bucket has refilled
    store.take("late", rate=10, burst=5)
    assert len(store) == 1
