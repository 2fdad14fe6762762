"""The recorder: off the request's path, in batches, bounded, and nothing lost at shutdown."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.inspector.calls import Calls
from tests.server.gateway_fixture import ASGIClient
from xbsec.sandbox.inspector.recorder import Recorder
from xbsec.sandbox.inspector.store import InspectorStore
from xbsec.server.observer import ObservedRequest


def observed(served: Any, calls: Calls, http: ASGIClient, count: int) -> list[ObservedRequest]:
    """``count`` records the gateway made, kept aside."""
    kept: list[ObservedRequest] = []

    class Keep:
        def observe(self, request: ObservedRequest) -> None:
            kept.append(request)

    gateway = served.app.gateway
    gateway.observer = Keep()
    for _ in range(count):
        calls.good(encrypted=False).send(http)
    gateway.observer = served.recorder
    return kept


def test_a_lone_request_is_written_within_the_interval(served: Any, calls: Calls,
                                                       http: ASGIClient) -> None:
    calls.good().send(http)  # no flush: the thread writes it by itself
    deadline = time.monotonic() + 5
    while served.recorder.store.count() == 0:
        assert time.monotonic() < deadline, "never written"
        time.sleep(0.02)


def test_a_full_queue_drops_and_counts(tmp_path: Path, served: Any, calls: Calls,
                                       http: ASGIClient) -> None:
    records = observed(served, calls, http, 3)
    recorder = Recorder(InspectorStore(tmp_path / "inspector.db"), backlog=2,
                        interval=30)
    for record in records:
        recorder.observe(record)
    assert recorder.dropped == 1
    assert recorder.flush()
    assert recorder.store.count() == 2
    recorder.close()


def test_close_writes_what_is_queued_and_later_records_are_ignored(
        tmp_path: Path, served: Any, calls: Calls, http: ASGIClient) -> None:
    records = observed(served, calls, http, 2)
    recorder = Recorder(InspectorStore(tmp_path / "inspector.db"), interval=30)
    recorder.observe(records[0])
    recorder.close()
    recorder.observe(records[1])
    store = InspectorStore(tmp_path / "inspector.db")
    assert store.count() == 1
    store.close()


def test_a_request_that_cannot_be_inspected_is_kept_bare(
        tmp_path: Path, served: Any, calls: Calls, http: ASGIClient,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import xbsec.server.inspection

    (record,) = observed(served, calls, http, 1)

    def broken(request: ObservedRequest) -> dict[str, Any]:
        raise ValueError("cannot")

    monkeypatch.setattr(xbsec.server.inspection, "inspect_request", broken)
    recorder = Recorder(InspectorStore(tmp_path / "inspector.db"))
    recorder.observe(record)
    assert recorder.flush()
    (listed,) = recorder.store.listed()
    assert (listed.method, listed.status, listed.steps) == ("POST", 200, [])
    assert "could not be inspected: ValueError" in caplog.text
    recorder.close()


def test_the_lifespan_shutdown_writes_the_queue(served: Any, calls: Calls,
                                                http: ASGIClient) -> None:
    import asyncio

    calls.good().send(http)
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[str] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    asyncio.run(served({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    store = InspectorStore(served.page.store.path)
    assert store.count() == 1
    store.close()
