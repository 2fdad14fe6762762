"""Processes the loopback benchmarks run: a free port, a server stopped cleanly, and client
processes that start each measurement together."""

from __future__ import annotations

import multiprocessing
import signal
import socket
import subprocess
from collections.abc import Callable
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if the process has not ended within ``timeout`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class ClientProcesses:
    """``count`` client processes that start each measurement together.

    Each runs ``target(*args, commands, barrier, results)``: it takes a command from its
    queue (``None`` ends it), waits at the barrier, and puts ``("ok", (start, end,
    answered))`` or ``("error", text)`` on ``results``.
    """

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...], count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.barrier = context.Barrier(count)
        self.results = context.Queue()
        self.commands = [context.Queue() for _ in range(count)]
        self.processes = [context.Process(target=target, daemon=True,
                                          args=(*args, queue, self.barrier, self.results))
                          for queue in self.commands]
        for process in self.processes:
            process.start()

    def measure(self, *command: Any) -> float:
        """Requests per second of every client together, from the first start to the last
        end, for one ``command``."""
        for queue in self.commands:
            queue.put(command)
        outcomes = [self.results.get(timeout=300) for _ in self.processes]
        errors = [detail for kind, detail in outcomes if kind == "error"]
        if errors:
            raise RuntimeError(errors[0])
        spans = [detail for _, detail in outcomes]
        elapsed = max(end for _, end, _ in spans) - min(start for start, _, _ in spans)
        return float(sum(answered for _, _, answered in spans) / elapsed)

    def close(self) -> None:
        for queue in self.commands:
            queue.put(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
