"""AsyncXBSClient with its RSA work in a pool of threads (``xbsec.client.offload``).

Two rows, both over an in-process transport (httpx's ``MockTransport``, a prepared
encrypted answer), so that the client's own work is all that is measured:

- **event-loop lag**: the longest gap between the ticks of a 1 ms ticker on the loop while
  200 encrypted, signed POSTs run concurrently: RSA on the loop against RSA in the pool (the
  ratio is how many times shorter the pool's longest stall is);
- **thread scaling**: requests per second with 2 worker threads against 1, with the raw
  primitive's own scaling (RSA-2048 decrypt in 2 threads against 1) in the note: the bound.

``python -m benchmarks.bench_offload`` prints the rows.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import threading
import time
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from benchmarks.bench_jose import OAEP
from benchmarks.harness import Result

LAG_ROW = ("Async client, 200 concurrent encrypted POSTs: longest loop stall, "
           "RSA on the loop / in the pool")
SCALING_ROW = "Async client, encrypted POSTs: req/s with 2 worker threads / 1"
ROWS = (LAG_ROW, SCALING_ROW)
CONCURRENT = 200
QUOTE = {"transaction_reference": "0999999034810154901",
         "payment_amount": {"amount": "100.00", "currency": "EUR"}}


def _client(offload: Any) -> Any:
    from xbsec import jwe_encrypt
    from xbsec.client import ClientPipeline, Encryption, OAuth1Auth
    from xbsec.client.xbs import AsyncXBSClient
    from xbsec.oauth1 import OAuth1Signer
    from xbsec.payload import wrap

    keys = _keys()
    answer = wrap(jwe_encrypt(b'{"quote":{"id":"q1"}}', keys["client"].public_key()))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=answer, headers={"Content-Type": "application/json"})

    pipeline = ClientPipeline(OAuth1Auth(OAuth1Signer("ck!bench", keys["signing"])),
                              encryption=Encryption(keys["certificate"], keys["client"]))
    return AsyncXBSClient(pipeline=pipeline, base_url="https://xbs.test", partner_id="P1",
                          http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
                          offload=offload)


_KEYS: dict[str, Any] = {}


def _keys() -> dict[str, Any]:
    if not _KEYS:
        from xbsec.keys import self_signed_certificate

        gateway = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _KEYS.update(signing=rsa.generate_private_key(public_exponent=65537, key_size=2048),
                     client=rsa.generate_private_key(public_exponent=65537, key_size=2048),
                     certificate=self_signed_certificate(gateway))
    return _KEYS


async def _burst(offload: Any, count: int) -> tuple[float, float]:
    """(longest loop stall in seconds, requests per second) for ``count`` concurrent calls."""
    async with _client(offload) as xbs:
        await xbs.create_quote(QUOTE)  # warm up: imports, the pool's threads
        stalls = [0.0]
        stop = asyncio.Event()

        async def ticker() -> None:
            last = time.perf_counter()
            while not stop.is_set():
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                stalls.append(now - last - 0.001)
                last = now

        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0.01)
        start = time.perf_counter()
        await asyncio.gather(*(xbs.create_quote(QUOTE) for _ in range(count)))
        elapsed = time.perf_counter() - start
        stop.set()
        await ticking
    return max(stalls), count / elapsed


def _primitive_scaling(seconds: float = 0.5, rounds: int = 1) -> float:
    """RSA-2048 OAEP decrypt: operations per second in 2 threads over 1."""
    key = _keys()["client"]
    wrapped = key.public_key().encrypt(b"k" * 32, OAEP)

    def rate(threads: int) -> float:
        counts = [0] * threads
        stop = time.perf_counter() + seconds

        def work(index: int) -> None:
            while time.perf_counter() < stop:
                key.decrypt(wrapped, OAEP)
                counts[index] += 1

        workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return sum(counts) / seconds

    ones, twos = [], []
    for _ in range(rounds):
        ones.append(rate(1))
        twos.append(rate(2))
    return statistics.median(twos) / statistics.median(ones)


def results(rounds: int = 5) -> list[Result]:
    from xbsec.client.offload import Offloader

    pools = {workers: Offloader(workers) for workers in (0, 1, 2)}
    stalls: dict[int, list[float]] = {0: [], 1: [], 2: []}
    rates: dict[int, list[float]] = {0: [], 1: [], 2: []}
    bounds = []
    try:
        for _ in range(rounds):  # interleaved, so that drift hits every variant alike
            for workers, offload in pools.items():
                stall, rate = asyncio.run(_burst(offload, CONCURRENT))
                stalls[workers].append(stall)
                rates[workers].append(rate)
            # What two threads of the bare primitive get now, on this machine as loaded.
            bounds.append(_primitive_scaling())
    finally:
        for offload in pools.values():
            offload.shutdown()
    stall = {w: statistics.median(v) for w, v in stalls.items()}
    rate = {w: statistics.median(v) for w, v in rates.items()}
    bound = statistics.median(bounds)
    return [
        Result(LAG_ROW, 1 / stall[2], 1 / stall[0], "same client, RSA on the loop", 4.0, {},
               f"{CONCURRENT} concurrent calls, median of {rounds}: longest stall "
               f"{stall[0] * 1000:.1f} ms on the loop, {stall[1] * 1000:.1f} ms with 1 "
               f"worker, {stall[2] * 1000:.1f} ms with 2"),
        Result(SCALING_ROW, rate[2], rate[1], "same client, 1 worker thread", 1.5, {},
               f"req/s: {rate[0]:,.0f} on the loop, {rate[1]:,.0f} with 1 worker, "
               f"{rate[2]:,.0f} with 2; raw RSA-2048 decrypt in 2 threads / 1: {bound:.2f}"),
    ]


def main(argv: list[str]) -> None:
    from benchmarks.harness import table

    rows = results(rounds=3 if "--quick" in argv else 5)
    print(table(rows))
    for row in rows:
        print(f"- {row.name}: {row.note}")


if __name__ == "__main__":
    main(sys.argv[1:])
