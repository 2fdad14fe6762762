"""The inspector's history: bounded, filtered, private, shared and kept across a restart."""

from __future__ import annotations

import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from xbsec.errors import ConfigurationError
from xbsec.sandbox.inspector.store import Filters, InspectorStore


def inspection(n: int, *, status: int = 200, reason: str | None = None,
               consumer: str = "alice", path: str = "/send/v1/x") -> dict[str, Any]:
    return {"received_at": 1_800_000_000.0 + n, "request_id": f"r{n}", "method": "POST",
            "path": path, "status": status, "reason_code": reason, "consumer": consumer,
            "failed": "nonce" if status >= 400 else None, "latency_ms": 1.5,
            "headers": "host: example", "context": "{}",
            "outline": [["nonce", "refused" if status >= 400 else "ok"]]}


def test_the_file_is_private_and_kept_across_a_restart(tmp_path: Path) -> None:
    store = InspectorStore(tmp_path / "inspector.db")
    store.add([inspection(1), inspection(2)])
    store.close()
    assert stat.S_IMODE((tmp_path / "inspector.db").stat().st_mode) == 0o600
    again = InspectorStore(tmp_path / "inspector.db")
    assert [r.id for r in again.listed()] == [2, 1]
    again.close()


def test_the_oldest_are_dropped_beyond_the_bound(tmp_path: Path) -> None:
    store = InspectorStore(tmp_path / "inspector.db", keep=5)
    for n in range(12):
        store.add([inspection(n)])
    store.add([inspection(n) for n in range(12, 15)])
    assert store.count() == 5
    assert [r.id for r in store.listed()] == [15, 14, 13, 12, 11]
    assert store.detail(3) is None
    assert store.detail(15)["request_id"] == "r14"  # type: ignore[index]
    assert store.newest() == 15
    store.close()


def test_filters(tmp_path: Path) -> None:
    store = InspectorStore(tmp_path / "inspector.db")
    store.add([inspection(1), inspection(2, status=401, reason="NONCE_REPLAYED"),
               inspection(3, consumer="bob", path="/send/v1/partners/P/crossborder/quotes"),
               inspection(4, status=403, reason="AUTHENTICATION_FAILED", consumer="bob"),
               inspection(5, path="/odd/100%_done")])

    def ids(**given: str) -> list[int]:
        return [r.id for r in store.listed(Filters(**given))]

    assert ids() == [5, 4, 3, 2, 1]
    assert ids(consumer="bob") == [4, 3]
    assert ids(status="ok") == [5, 3, 1]
    assert ids(status="refused") == [4, 2]
    assert ids(status="403") == [4]
    assert ids(reason="NONCE_REPLAYED") == [2]
    assert ids(path="quotes") == [3]
    assert ids(path="100%_") == [5]  # LIKE's wildcards are taken literally
    assert ids(path="%") == [5]
    assert ids(consumer="bob", status="ok") == [3]
    assert store.facets() == (["alice", "bob"], ["AUTHENTICATION_FAILED", "NONCE_REPLAYED"])
    store.close()


def test_several_writers_share_one_history(tmp_path: Path) -> None:
    stores = [InspectorStore(tmp_path / "inspector.db", keep=1000) for _ in range(3)]

    def write(store: InspectorStore, base: int) -> None:
        for n in range(50):
            store.add([inspection(base + n)])

    threads = [threading.Thread(target=write, args=(s, i * 100)) for i, s in
               enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stores[0].count() == 150
    for store in stores:
        store.close()


def test_a_store_that_cannot_be_opened_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="inspector"):
        InspectorStore(tmp_path / "missing" / "inspector.db")
    with pytest.raises(ConfigurationError):
        InspectorStore(tmp_path / "inspector.db", keep=0)
