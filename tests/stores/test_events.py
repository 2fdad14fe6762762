"""Event claims: every member hands an event over once, however it is delivered."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.stores.conftest import Member
from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.stores import EventStore, MemoryEventStore


def test_every_member_is_an_event_store(event_member: Member) -> None:
    assert isinstance(event_member.store, EventStore)


def test_the_first_delivery_is_new_and_carries_a_token(event_member: Member) -> None:
    claim = event_member.store.begin("evt-1", lease=30)
    assert claim.state == "new"
    assert claim.token is not None
    assert len(claim.token) >= 32


def test_a_delivery_while_one_is_handled_is_in_progress(event_member: Member) -> None:
    store = event_member.store
    store.begin("evt-1", lease=30)
    again = store.begin("evt-1", lease=30)
    assert (again.state, again.token) == ("in_progress", None)


def test_a_finished_event_is_done_for_as_long_as_it_is_kept(event_member: Member) -> None:
    store = event_member.store
    claim = store.begin("evt-1", lease=30)
    store.finish("evt-1", claim.token, keep=0.3)
    assert store.begin("evt-1", lease=30).state == "done"
    event_member.advance(0.5)
    assert store.begin("evt-1", lease=30).state == "new"


def test_a_released_event_is_handed_over_again(event_member: Member) -> None:
    store = event_member.store
    claim = store.begin("evt-1", lease=30)
    store.release("evt-1", claim.token)
    assert store.begin("evt-1", lease=30).state == "new"


def test_a_lapsed_lease_lets_the_next_delivery_take_it(event_member: Member) -> None:
    store = event_member.store
    store.begin("evt-1", lease=0.2)
    event_member.advance(0.4)
    assert store.begin("evt-1", lease=30).state == "new"


def test_a_stale_holder_cannot_release_or_finish_the_new_holders_claim(
        event_member: Member) -> None:
    store = event_member.store
    stale = store.begin("evt-1", lease=0.2)
    event_member.advance(0.4)
    current = store.begin("evt-1", lease=30)
    store.release("evt-1", stale.token)
    store.finish("evt-1", stale.token, keep=60)
    assert store.begin("evt-1", lease=30).state == "in_progress"
    store.finish("evt-1", current.token, keep=60)
    assert store.begin("evt-1", lease=30).state == "done"


def test_a_lapsed_claim_nobody_took_can_still_be_finished(event_member: Member) -> None:
    store = event_member.store
    claim = store.begin("evt-1", lease=0.2)
    event_member.advance(0.4)
    store.finish("evt-1", claim.token, keep=60)
    assert store.begin("evt-1", lease=30).state == "done"


def test_releasing_a_done_event_changes_nothing(event_member: Member) -> None:
    store = event_member.store
    claim = store.begin("evt-1", lease=30)
    store.finish("evt-1", claim.token, keep=60)
    store.release("evt-1", claim.token)
    assert store.begin("evt-1", lease=30).state == "done"


def test_events_are_independent(event_member: Member) -> None:
    store = event_member.store
    store.begin("evt-1", lease=30)
    assert store.begin("evt-2", lease=30).state == "new"


def test_of_many_concurrent_deliveries_exactly_one_is_new(event_member: Member) -> None:
    store, barrier = event_member.store, threading.Barrier(16)

    def deliver(_: int) -> str:
        barrier.wait()
        return str(store.begin("evt-race", lease=30).state)

    with ThreadPoolExecutor(16) as pool:
        states = list(pool.map(deliver, range(16)))
    assert states.count("new") == 1
    assert states.count("in_progress") == 15


@pytest.mark.parametrize("ref", ["", "x" * 257, None, 7])
def test_an_unusable_event_reference_is_a_configuration_error(event_member: Member,
                                                              ref: object) -> None:
    with pytest.raises(ConfigurationError, match="event reference"):
        event_member.store.begin(ref, lease=30)


@pytest.mark.parametrize("lease", [0, -1, float("inf"), float("nan"), True, "30"])
def test_an_unusable_lease_is_a_configuration_error(event_member: Member,
                                                    lease: object) -> None:
    with pytest.raises(ConfigurationError, match="lease"):
        event_member.store.begin("evt-1", lease=lease)


def test_an_unusable_keep_is_a_configuration_error(event_member: Member) -> None:
    claim = event_member.store.begin("evt-1", lease=30)
    with pytest.raises(ConfigurationError, match="keep"):
        event_member.store.finish("evt-1", claim.token, keep=0)


def test_a_full_memory_member_refuses_rather_than_forgetting_a_handled_event() -> None:
    now = [0.0]
    store = MemoryEventStore(max_events=2, clock=lambda: now[0])
    for ref in ("a", "b"):
        claim = store.begin(ref, lease=30)
        store.finish(ref, claim.token, keep=60)
    with pytest.raises(ServiceUnavailableError, match="full"):
        store.begin("c", lease=30)
    assert store.begin("a", lease=30).state == "done"  # a known event still answers
    now[0] += 61
    assert store.begin("c", lease=30).state == "new"
    assert len(store) == 1


def test_a_memory_member_needs_room_for_one_event() -> None:
    with pytest.raises(ConfigurationError, match="max_events"):
        MemoryEventStore(max_events=0)
