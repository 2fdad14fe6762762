"""``Offloader``: the asynchronous client's RSA work, off the event loop.

Signing a request, encrypting it and decrypting its answer are RSA operations of a few
hundred microseconds each (a 2048-bit decrypt is about 0.4 ms). On the event loop they
stall every other task of the loop for that long, and a process uses one core. ``cryptography``
releases the GIL while it computes, so the same work in a small pool of threads runs beside
the loop and on the other cores.

::

    client = AsyncXBSClient.from_profile("sandbox", offload=Offloader(max_workers=2))

The steps are the pipeline's, unchanged: the results are the same, and so are the errors
(each raised in the awaiting task as it was raised in the worker). The pool is bounded
(``max_workers`` threads; work beyond that waits its turn in the pool's queue), its threads
start on first use, and ``max_workers=0`` keeps everything on the loop. Context variables
are carried into the worker. A task cancelled while its step runs stops waiting at once;
the step itself finishes in its thread and its result is dropped (nothing is sent: a
request signed there is never used).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar

from xbsec.errors import ConfigurationError

__all__ = ["DEFAULT_WORKERS", "Offloader", "default_offloader"]

T = TypeVar("T")
Y = TypeVar("Y")
S = TypeVar("S")

DEFAULT_WORKERS: Final = 2
"""Threads of the shared pool: the machines this runs on most have two cores or more, and
two threads measured 1.6x one on two cores (``benchmarks/bench_offload.py``)."""


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


class Offloader:
    """A bounded pool of threads for CPU-heavy steps of an asynchronous client."""

    __slots__ = ("_executor", "_lock", "max_workers")

    def __init__(self, max_workers: int = DEFAULT_WORKERS) -> None:
        if not isinstance(max_workers, int) or isinstance(max_workers, bool) or max_workers < 0:
            raise ConfigurationError("max_workers must be a whole number, 0 or more")
        self.max_workers = max_workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def inline(self) -> bool:
        """Whether work stays on the calling thread (``max_workers=0``)."""
        return self.max_workers == 0

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(self.max_workers,
                                                        thread_name_prefix="xbsec-offload")
        return self._executor

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker (or inline), as the awaiting task sees it."""
        if self.inline:
            return function(*args)
        call = functools.partial(contextvars.copy_context().run, function, *args)
        return await asyncio.get_running_loop().run_in_executor(self._pool(), call)

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
        """Stop the threads (they start again on the next use)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=wait)

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
