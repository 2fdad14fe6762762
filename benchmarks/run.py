"""Run every benchmark and print a table: ``python -m benchmarks.run [--quick] [--json F]``.

Each row is an xbsec operation as a ratio of throughputs to the raw ``cryptography``
primitive it is bound by (1.00 = no overhead), measured in the same run, both sustained
(the median of interleaved rounds, which targets apply to) and best of batches
(``harness.py``); peers, where installed, are shown as the same ratio. The gateway rows are
requests per second through the gateway over loopback, as a ratio to the same server
without it; the push row is deliveries per second through xbsec's receiver (mutual TLS,
JSON, dedupe in Redis), as a ratio to a bare mutual-TLS echo; the inspector row, the
gateway's cost per request with the sandbox's inspector on, against off. A row under its
target is marked "below target"; with ``--check`` the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from benchmarks import (
    bench_fields,
    bench_gateway,
    bench_gateway_cost,
    bench_import,
    bench_inspector,
    bench_jose,
    bench_memory,
    bench_oauth1,
    bench_offload,
    bench_pipeline,
    bench_webhooks,
)
from benchmarks.harness import Result, run, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="shorter runs, noisier numbers")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--only", metavar="TEXT", help="run the rows whose name contains TEXT")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 if any row is below its target")
    args = parser.parse_args(argv)
    budget = 0.15 if args.quick else 0.5

    results: list[Result] = []
    cases = [*bench_oauth1.cases(), *bench_jose.cases(), *bench_fields.cases(),
             *bench_pipeline.cases()]
    # One process, one core: ours and the primitive run on the same CPU, never migrated
    # between two batches (the multi-process rows below get every CPU back).
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
    if len(cpus) > 1:
        os.sched_setaffinity(0, {max(cpus)})
    try:
        for case in cases:
            if args.only and args.only not in case.name:
                continue
            results.append(run(case, budget=budget))
            print(f"  measured: {case.name}", file=sys.stderr)
    finally:
        if len(cpus) > 1:
            os.sched_setaffinity(0, cpus)
    if not args.only or "import" in args.only:
        results.extend(bench_import.results(runs=7 if args.quick else 15))
    if not args.only or any(args.only in name for name in bench_offload.ROWS):
        # The asynchronous client with its RSA work on the loop and in a pool of threads.
        results.extend(bench_offload.results(rounds=3 if args.quick else 5))
        print("  measured: the asynchronous client's worker pool", file=sys.stderr)
    if not args.only or any(args.only in name for name in bench_gateway_cost.ROWS):
        # The gateway in front of a trivial application: its own cost, 1 and 2 workers.
        results.extend(bench_gateway_cost.results(
            requests_per_client=150 if args.quick else 400, rounds=1 if args.quick else 3))
        print("  measured: the gateway's own cost", file=sys.stderr)
    if not args.only or any(args.only in name for name in bench_gateway.ROWS):
        # Real server processes on loopback: the gateway against the sandbox without it.
        results.extend(bench_gateway.results(requests_per_client=100 if args.quick else 400,
                                             rounds=1 if args.quick else 3))
        print("  measured: gateway on loopback", file=sys.stderr)
    if not args.only or args.only in bench_webhooks.ROW:
        # Real server processes on loopback: the receiver against a bare mutual-TLS echo.
        results.extend(bench_webhooks.results(deliveries_per_client=100 if args.quick else 400,
                                              rounds=1 if args.quick else 3))
        print("  measured: push receiver on loopback", file=sys.stderr)
    if not args.only or args.only in bench_inspector.ROW:
        # In process: the gateway's cost with the sandbox's inspector on, against off.
        results.extend(bench_inspector.results(rounds=9 if args.quick else 31))
        print("  measured: inspector on and off", file=sys.stderr)

    memory_ok = True
    if not args.only or "memory" in args.only:
        peaks = bench_memory.results()
        memory_ok = max(peaks.values()) <= 4.0

    print(table(results))
    for r in results:
        if r.note:
            print(f"- {r.name}: {r.note}")
    if not args.only or "memory" in args.only:
        print(f"- JWE round trip of 10 MB, peak traced memory as a multiple of the payload "
              f"(target <= 4x): encrypt {peaks['encrypt']:.2f}x, decrypt {peaks['decrypt']:.2f}x")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([{"name": r.name, "ratio": r.ratio, "sustained": r.sustained,
                        "best_of_batches": r.best, "target": r.target,
                        "ours_ops": r.ours_ops, "primitive_ops": r.primitive_ops,
                        "peers": {k: v / r.primitive_ops for k, v in r.peers.items()}}
                       for r in results], fh, indent=2)
    below = [r.name for r in results if not r.ok] + ([] if memory_ok else ["memory"])
    for name in below:
        print(f"below target: {name}")
    return 1 if args.check and below else 0


if __name__ == "__main__":
    sys.exit(main())
