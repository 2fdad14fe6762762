"""A small benchmark harness: each operation timed against the primitive it is bound by.

Every case pairs our operation with the raw ``cryptography`` call it cannot be faster than,
measured in the same run, interleaved, so that machine noise affects both alike. The result
is a ratio of throughputs (ours / primitive): 1.0 means xbsec adds nothing.

Two ratios are reported for each case:

- **sustained** (what a caller gets, and what targets apply to): rounds of back-to-back
  batches, the primitive's and ours in turn (which goes first alternates), each batch timed
  whole; the ratio of each round, and the median of those ratios. Every call is counted,
  the slow ones included.
- **best of batches**: the fastest of seven batches on each side (the least disturbed run),
  a steadier number on a busy machine but a flattering one.
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
    sustained: float | None = None
    """Median of the per-round ratios (``_sustained``); ``None`` where only totals exist."""
    best: float | None = None
    """Ratio of the best batches (``_ops_per_second``)."""

    @property
    def ratio(self) -> float:
        """The ratio targets apply to: sustained where measured, else of the totals."""
        if self.sustained is not None:
            return self.sustained
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


def _batch_size(fn: Callable[[], object], seconds: float) -> int:
    """How many calls of ``fn`` take about ``seconds``."""
    fn()  # warm up
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds / 4 or calls < 3:
        fn()
        calls += 1
    return max(3, round(calls * seconds / elapsed))


def _timed(fn: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return time.perf_counter() - start


def _sustained(ours: Callable[[], object], primitive: Callable[[], object], budget: float,
               rounds: int) -> tuple[float, float, float]:
    """(median per-round ratio, ours ops/s, primitive ops/s) over ``rounds`` rounds of one
    batch each, the batches sized so that the rounds take about ``budget`` seconds."""
    per_batch = budget / (2 * rounds)
    n_ours, n_prim = _batch_size(ours, per_batch), _batch_size(primitive, per_batch)
    ratios, ours_ops, prim_ops = [], [], []
    for index in range(rounds):
        if index % 2:  # the second of a pair runs warmer: take turns
            t_ours = _timed(ours, n_ours)
            t_prim = _timed(primitive, n_prim)
        else:
            t_prim = _timed(primitive, n_prim)
            t_ours = _timed(ours, n_ours)
        ours_ops.append(n_ours / t_ours)
        prim_ops.append(n_prim / t_prim)
        ratios.append(ours_ops[-1] / prim_ops[-1])
    return statistics.median(ratios), statistics.median(ours_ops), statistics.median(prim_ops)


def run(case: Case, budget: float = 0.5, rounds: int = 3,
        sustained_rounds: int = 41) -> Result:
    ours, prim = [], []
    for _ in range(rounds):  # interleave, so drift hits both sides
        prim.append(_ops_per_second(case.primitive, budget))
        ours.append(_ops_per_second(case.ours, budget))
    best = statistics.median(ours) / statistics.median(prim)
    sustained, ours_ops, prim_ops = _sustained(case.ours, case.primitive, 4 * budget,
                                               sustained_rounds)
    peers = {
        name: statistics.median(_ops_per_second(fn, budget) for _ in range(rounds))
        for name, fn in case.peers.items()
    }
    # Peers are best-of-batches: scale them to the primitive's sustained rate, so that the
    # peer ratios stay comparable with the best-of ratio.
    peers = {name: ops / statistics.median(prim) * prim_ops for name, ops in peers.items()}
    return Result(case.name, ours_ops, prim_ops, case.primitive_name, case.target, peers,
                  case.note, sustained=sustained, best=best)


def table(results: list[Result]) -> str:
    """A Markdown table; the target applies to the sustained ratio."""
    lines = [
        "| operation | xbsec ops/s | primitive | primitive ops/s | ratio (sustained) "
        "| ratio (best of batches) | target | peers (ratio, best of batches) |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        peers = ", ".join(f"{n} {ops / r.primitive_ops:.2f}" for n, ops in r.peers.items())
        target = f">= {r.target:.2f}" if r.target is not None else ""
        mark = "" if r.ok else " (below target)"
        best = f"{r.best:.2f}" if r.best is not None else "-"
        lines.append(
            f"| {r.name} | {r.ours_ops:,.0f} | {r.primitive_name} | {r.primitive_ops:,.0f} "
            f"| {r.ratio:.2f}{mark} | {best} | {target} | {peers or '-'} |"
        )
    return "\n".join(lines)
