"""A small benchmark harness: each operation timed against the primitive it is bound by.

Every case pairs our operation with the raw ``cryptography`` call it cannot be faster than,
measured in the same run, interleaved, so that machine noise affects both alike. The result
is a ratio of throughputs (ours / primitive): 1.0 means xbsec adds nothing.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Case:
    name: str
    ours: Callable[[], object]
    primitive: Callable[[], object]
    primitive_name: str
    target: float | None = None
    """Minimum acceptable ratio ours/primitive (higher is better)."""
    peers: dict[str, Callable[[], object]] = field(default_factory=dict)
    note: str = ""


@dataclass
class Result:
    name: str
    ours_ops: float
    primitive_ops: float
    primitive_name: str
    target: float | None
    peers: dict[str, float]
    note: str

    @property
    def ratio(self) -> float:
        return self.ours_ops / self.primitive_ops

    @property
    def ok(self) -> bool:
        return self.target is None or self.ratio >= self.target


def _ops_per_second(fn: Callable[[], object], budget: float) -> float:
    """Calls per second, from the best of several short batches."""
    fn()  # warm up
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < budget / 10 or calls < 3:
        fn()
        calls += 1
    per_batch = max(1, calls)
    best = float("inf")
    for _ in range(7):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            fn()
        best = min(best, (time.perf_counter() - t0) / per_batch)
    return 1.0 / best


def run(case: Case, budget: float = 0.5, rounds: int = 3) -> Result:
    ours, prim = [], []
    for _ in range(rounds):  # interleave, so drift hits both sides
        prim.append(_ops_per_second(case.primitive, budget))
        ours.append(_ops_per_second(case.ours, budget))
    peers = {
        name: statistics.median(_ops_per_second(fn, budget) for _ in range(rounds))
        for name, fn in case.peers.items()
    }
    return Result(case.name, statistics.median(ours), statistics.median(prim),
                  case.primitive_name, case.target, peers, case.note)


def table(results: list[Result]) -> str:
    lines = [
        "| operation | xbsec ops/s | primitive | primitive ops/s | ratio | target "
        "| peers (ratio) |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        peers = ", ".join(f"{n} {ops / r.primitive_ops:.2f}" for n, ops in r.peers.items())
        target = f">= {r.target:.2f}" if r.target is not None else ""
        mark = "" if r.ok else " (below target)"
        lines.append(
            f"| {r.name} | {r.ours_ops:,.0f} | {r.primitive_name} | {r.primitive_ops:,.0f} "
            f"| {r.ratio:.2f}{mark} | {target} | {peers or '-'} |"
        )
    return "\n".join(lines)
