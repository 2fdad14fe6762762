"""``Offloader``: the asynchronous client's RSA work, off the event loop.

Signing a request, encrypting it and decrypting its answer are RSA operations of a few
hundred microseconds each (a 2048-bit decrypt is about 0.4 ms). On the event loop they
stall every other task of the loop for that long, and a process uses one core. ``cryptography``
releases the GIL while it computes, so the same work in a small pool of threads runs beside
the loop and on the other cores.

::

    from xbsec.client.offload import Offloader
    from xbsec.client.xbs import AsyncXBSClient

    client = AsyncXBSClient.from_profile("sandbox")        # the shared pool, 2 threads
    client = AsyncXBSClient.from_profile("sandbox", offload=Offloader(max_workers=4))

The steps are the pipeline's, unchanged: the results are the same, and so are the errors
(each raised in the awaiting task as it was raised in the worker). The pool is bounded
(``max_workers`` threads; work beyond that waits its turn in the pool's queue), its threads
start on first use (again in a child process forked after it), and ``max_workers=0`` keeps
everything on the loop, as before (each step then stalls the loop for its whole length).
Context variables are carried into the worker. A task cancelled while its step runs stops
waiting at once; the step itself finishes in its thread and its result is dropped (nothing
is sent: a request signed there is never used).

Only the steps that may do RSA go to the pool (preparing a request; reading an answer);
the rest of a call (sending, waiting, retrying) stays on the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import queue
import threading
from collections.abc import Callable, Generator
from typing import Any, Final, TypeVar

from xbsec.errors import ConfigurationError

__all__ = ["DEFAULT_WORKERS", "Offloader", "default_offloader"]

T = TypeVar("T")
Y = TypeVar("Y")
S = TypeVar("S")

DEFAULT_WORKERS: Final = 2
"""Threads of the shared pool: enough to keep two cores busy with RSA while the loop runs
(``benchmarks/bench_offload.py`` measures one thread against two)."""


class _Finished(Exception):
    """A generator's return value, carried out of a worker (a ``StopIteration`` cannot cross
    a future)."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


def _send(generator: Generator[Y, S, Any], value: S) -> Y:
    try:
        return generator.send(value)
    except StopIteration as done:
        raise _Finished(done.value) from None


def _settle(future: asyncio.Future[Any], ok: bool, outcome: Any) -> None:
    """On the loop: hand a worker's outcome to the awaiting task, unless it gave up."""
    if future.cancelled():
        return
    if ok:
        future.set_result(outcome)
    else:
        future.set_exception(outcome)


class Offloader:
    """A bounded pool of threads for CPU-heavy steps of an asynchronous client.

    Its threads take work from one queue and post each outcome back to the loop that asked
    (``call_soon_threadsafe``): one hand-over each way, lighter on the loop than an executor's
    two chained futures.
    """

    __slots__ = ("_jobs", "_lock", "_pid", "_threads", "max_workers")

    def __init__(self, max_workers: int = DEFAULT_WORKERS) -> None:
        if not isinstance(max_workers, int) or isinstance(max_workers, bool) or max_workers < 0:
            raise ConfigurationError("max_workers must be a whole number, 0 or more")
        self.max_workers = max_workers
        self._jobs: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._pid = 0
        self._lock = threading.Lock()

    @property
    def inline(self) -> bool:
        """Whether work stays on the calling thread (``max_workers=0``)."""
        return self.max_workers == 0

    def _start(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # first use, or a child forked after it
                self._threads, self._jobs = [], queue.SimpleQueue()
                self._pid = os.getpid()
            while len(self._threads) < self.max_workers:
                worker = threading.Thread(target=self._work, args=(self._jobs,), daemon=True,
                                          name=f"xbsec-offload-{len(self._threads)}")
                worker.start()
                self._threads.append(worker)

    @staticmethod
    def _work(jobs: queue.SimpleQueue[tuple[Any, ...] | None]) -> None:
        while (job := jobs.get()) is not None:
            loop, future, context, function, args = job
            try:
                outcome, ok = context.run(function, *args), True
            except BaseException as exc:  # the awaiting task raises it, as if inline
                outcome, ok = exc, False
            with contextlib.suppress(RuntimeError):  # its loop closed: nobody is waiting
                loop.call_soon_threadsafe(_settle, future, ok, outcome)
            del job, future, outcome  # not kept alive until the next job arrives

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker (or inline), as the awaiting task sees it."""
        if self.inline:
            return function(*args)
        if len(self._threads) < self.max_workers or self._pid != os.getpid():
            self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((loop, future, contextvars.copy_context(), function, args))
        return await future

    async def send(self, generator: Generator[Y, S, T], value: S) -> tuple[bool, Y | T]:
        """``generator.send(value)`` in a worker: ``(False, what it yielded)``, or
        ``(True, what it returned)`` when it finished."""
        try:
            if self.inline:
                return False, _send(generator, value)
            return False, await self.run(_send, generator, value)
        except _Finished as finished:
            return True, finished.value

    def shutdown(self, wait: bool = True) -> None:
        """Stop the threads once the work queued before this call is done (they start
        again on the next use)."""
        with self._lock:
            threads, jobs, self._threads = self._threads, self._jobs, []
            self._jobs = queue.SimpleQueue()
            if self._pid != os.getpid():
                return  # a forked child: those threads are the parent's
        for _ in threads:
            jobs.put(None)
        if wait:
            for thread in threads:
                thread.join()

    def __repr__(self) -> str:
        return f"Offloader(max_workers={self.max_workers})"


_DEFAULT: Offloader | None = None
_DEFAULT_LOCK = threading.Lock()


def default_offloader() -> Offloader:
    """The process's shared pool (``DEFAULT_WORKERS`` threads), made on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Offloader()
    return _DEFAULT
