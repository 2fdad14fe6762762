"""``Recorder``: the gateway's observer that fills the inspector's history.

``observe`` only appends the record to a queue and returns: the request's task never waits
for an analysis or a disk. A thread of its own (started on the first record, so that a
process that only builds the app starts none) wakes every ``interval`` seconds (sooner when
``batch`` records wait), inspects what has queued (``xbsec.server.inspection``) and writes
it in one transaction. Waking per request would cost more than the work itself: the thread
and the server's would hand the interpreter lock back and forth on every request. A queue
that grows past ``backlog`` records (a flood faster than the disk) drops the newest and
counts them: the history is for looking at, never a reason to slow the gateway down or to
grow without bound.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xbsec.sandbox.inspector.store import InspectorStore
    from xbsec.server.observer import ObservedRequest

__all__ = ["Recorder"]

_log = logging.getLogger("xbsec.sandbox.inspector")


class Recorder:
    """A ``RequestObserver`` writing every request to an ``InspectorStore``."""

    def __init__(self, store: InspectorStore, *, interval: float = 0.25, batch: int = 256,
                 backlog: int = 5000) -> None:
        self.store = store
        self.interval = interval
        self.batch = batch
        self.backlog = backlog
        self.dropped = 0
        """Records dropped because the queue was full."""
        self.cpu_seconds = 0.0
        """CPU time the thread has spent inspecting and writing."""
        self._queue: deque[ObservedRequest] = deque()
        self._wake = threading.Condition()
        self._busy = 0
        self._thread: threading.Thread | None = None
        self._closed = False
        self._hurry = False

    def observe(self, request: ObservedRequest) -> None:
        with self._wake:
            if self._closed:
                return
            if len(self._queue) >= self.backlog:
                self.dropped += 1
                return
            self._queue.append(request)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="xbsec-inspector",
                                                daemon=True)
                self._thread.start()
            if len(self._queue) in (1, self.batch):  # the first wakes it, to gather
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if not (self._closed or self._hurry) and len(self._queue) < self.batch:
                    self._wake.wait(self.interval)  # let a batch gather
                if not self._queue:
                    if self._closed:
                        return
                    continue
                batch = [self._queue.popleft()
                         for _ in range(min(self.batch, len(self._queue)))]
                self._busy = len(batch)
            started = time.thread_time()
            try:
                self._write(batch)
            finally:
                self.cpu_seconds += time.thread_time() - started
                with self._wake:
                    self._busy = 0
                    self._wake.notify_all()

    def _write(self, batch: list[ObservedRequest]) -> None:
        from xbsec.server.inspection import inspect_request

        inspected: list[dict[str, Any]] = []
        for request in batch:
            try:
                inspected.append(inspect_request(request))
            except Exception as exc:  # kept, without the steps
                _log.error("request %s could not be inspected: %s", request.request_id,
                           type(exc).__name__)
                inspected.append(_bare(request))
        try:
            self.store.add(inspected)
        except Exception as exc:
            _log.error("the inspector's history cannot be written: %s", exc)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything observed so far is written; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._wake:
            self._hurry = True
            self._wake.notify_all()
            try:
                while self._queue or self._busy:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._wake.wait(left)
            finally:
                self._hurry = False
        return True

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the thread and close the history."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self.store.close()


def _bare(request: ObservedRequest) -> dict[str, Any]:
    """What is kept of a request the inspection failed on."""
    return {"request_id": request.request_id, "received_at": request.received_at,
            "method": request.method, "path": request.path, "target": request.target,
            "status": request.status, "reason_code": request.reason_code,
            "description": request.description, "auth": request.auth,
            "consumer": request.consumer.consumer_key if request.consumer else None,
            "partner": request.partner, "encrypted": request.encrypted,
            "latency_ms": request.latency_ms, "body_size": len(request.body),
            "failed": None, "outline": [], "headers": "", "context": "{}", "facts": {},
            "documents": False, "request_document": None, "response_headers": "",
            "response_document": None}
