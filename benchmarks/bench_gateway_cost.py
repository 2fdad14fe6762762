"""The gateway's own cost: ``XBSGateway`` in front of a trivial ASGI application.

Real uvicorn servers on loopback, one at a time: the trivial application alone (gateway
off), and behind the gateway (OAuth 1.0a; OAuth 1.0a + JWE, where the gateway decrypts each
request and encrypts each answer). Replay claims go to SQLite (what several worker processes
share), so 1 and 2 workers (``uvicorn --workers``) run the same gateway.

The SQLite file is on a RAM disk where the host has one (``/dev/shm``), so that the
claims' CPU cost counts and the disk's latency does not.

Load comes from ``clients`` processes, each on one keep-alive connection, sending prepared
requests (signed, and encrypted, before the clock starts) as raw HTTP/1.1 and reading each
answer: the load is as light as a client can be. Where the machine has the cores, the
server is pinned to CPU 0 and the clients to the others (``os.sched_setaffinity``), so that
they do not take the server's core; with 2 workers the server gets CPUs 0-1 and on a 2-core
machine the clients share them (said in the note).

The gateway's microseconds per request are those the gateway adds to each request on its
one core: ``1/rate(on) - 1/rate(off)``, against the crypto it cannot avoid, measured in
this process: an RSA-2048 PKCS#1 v1.5 verify (OAuth 1.0a), plus an RSA-OAEP-256 decrypt and
encrypt (JWE).

``python -m benchmarks.bench_gateway_cost`` prints the rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Result
from benchmarks.processes import ClientProcesses, free_port, stop

PARTNER = "BENCH_1"
PATH = f"/send/v1/partners/{PARTNER}/crossborder/quotes"
CONSUMER_KEY = "bench!" + "0" * 40
OAUTH1_ROW = "Gateway cost, trivial app: OAuth 1.0a (req/s on / off)"
JWE_ROW = "Gateway cost, trivial app: OAuth 1.0a + JWE (req/s on / off)"
WORKERS_ROW = "Gateway, 2 workers / 1, OAuth 1.0a + JWE (req/s)"
ROWS = (OAUTH1_ROW, JWE_ROW, WORKERS_ROW)
DOCUMENT = {"quoterequest": {"transaction_reference": "BENCH-0001", "payment_amount": {
    "amount": "100.00", "currency": "USD"}, "padding": "x" * 700}}
ANSWER = b'{"quote":{"id":"q1"}}'
_RAM_DISK = "/dev/shm"  # noqa: S108 - mkdtemp makes a folder of our own (0700) in it


# --- the server (imported by uvicorn in each worker) ---------------------------------------


async def trivial_app(scope: Any, receive: Any, send: Any) -> None:
    """Reads the body, answers a constant JSON document."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(ANSWER)).encode())]})
    await send({"type": "http.response.body", "body": ANSWER})


def _load_keys(folder: Path) -> dict[str, Any]:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return {name: load_pem_private_key((folder / f"{name}.pem").read_bytes(), None)
            for name in ("signing", "gateway", "partner")}


def create_app() -> Any:
    """The app uvicorn serves: ``XBSEC_BENCH_MODE`` is ``bare`` or ``gateway``."""
    folder = Path(os.environ["XBSEC_BENCH_DIR"])
    if os.environ["XBSEC_BENCH_MODE"] == "bare":
        return trivial_app
    from xbsec.keys import self_signed_certificate, spki_sha256_hex
    from xbsec.policy import SecurityPolicy
    from xbsec.server.gateway import XBSGateway
    from xbsec.server.registry import Consumer, Registry
    from xbsec.stores.sqlite import SQLiteRateStore, SQLiteReplayStore

    keys = _load_keys(folder)
    consumer = Consumer(
        consumer_key=CONSUMER_KEY, environment="sandbox", partner_ids=frozenset({PARTNER}),
        signing_certificates=(self_signed_certificate(keys["signing"]),),
        client_encryption_keys={spki_sha256_hex(keys["gateway"]): keys["gateway"]},
        mastercard_encryption_certificate=self_signed_certificate(keys["partner"]))
    database = str(folder / "gateway.db")
    return XBSGateway(trivial_app, Registry([consumer]), external_url=_url(folder),
                      policy=SecurityPolicy.mastercard_compatible(),
                      replay_store=SQLiteReplayStore(database, durability="normal"),
                      rate_store=SQLiteRateStore(database))


def _url(folder: Path) -> str:
    return (folder / "url").read_text().strip()


# --- the clients ---------------------------------------------------------------------------


def _prepare(folder: Path, variant: str, count: int) -> list[bytes]:
    """``count`` raw HTTP/1.1 requests for one variant, each signed with its own nonce."""
    from xbsec.client import ClientPipeline, Encryption, OAuth1Auth
    from xbsec.keys import self_signed_certificate
    from xbsec.oauth1 import OAuth1Signer

    keys = _load_keys(folder)
    url = _url(folder) + PATH
    host = url.split("/")[2]
    if variant == "bare":
        body = json.dumps(DOCUMENT).encode()
        outs = [({"Content-Type": "application/json"}, body)] * count
    else:
        pipeline = ClientPipeline(
            OAuth1Auth(OAuth1Signer(CONSUMER_KEY, keys["signing"])),
            encryption=(Encryption(self_signed_certificate(keys["gateway"]), keys["partner"])
                        if variant == "jwe" else None))
        outs = [(out.headers, out.body) for out in
                (pipeline.request("POST", url, document=DOCUMENT) for _ in range(count))]
    raw = []
    for headers, body in outs:
        lines = [f"POST {PATH} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}",
                 *(f"{k}: {v}" for k, v in headers.items())]
        raw.append(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    return raw


def _read_response(sock: socket.socket, buffer: bytearray) -> int:
    """Read one HTTP/1.1 response; its status."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        rest += chunk
    buffer[:] = rest[length:]
    return status


def _client(folder: str, port: int, cpus: list[int] | None, commands: Any, barrier: Any,
            results: Any) -> None:
    if cpus and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, cpus)
    while (command := commands.get()) is not None:
        variant, count = command
        try:
            prepared = _prepare(Path(folder), variant, count)
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                buffer = bytearray()
                barrier.wait()
                start = time.monotonic()
                for request in prepared:
                    sock.sendall(request)
                    status = _read_response(sock, buffer)
                    if status != 200:
                        raise RuntimeError(f"{variant}: HTTP {status}")
                finished = time.monotonic()
            results.put(("ok", (start, finished, count)))
        except Exception as exc:
            with contextlib.suppress(Exception):
                barrier.abort()
            results.put(("error", f"{variant}: {exc!r}"))


def _serve(folder: Path, mode: str, port: int, workers: int,
           cpus: list[int] | None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "--factory",
               "benchmarks.bench_gateway_cost:create_app", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning",
               "--no-access-log", "--http", "h11"]
    if cpus and shutil.which("taskset"):
        command = ["taskset", "-c", ",".join(map(str, cpus)), *command]
    env = {**os.environ, "XBSEC_BENCH_DIR": str(folder), "XBSEC_BENCH_MODE": mode}
    log = (folder / f"{mode}-{workers}.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                               stdin=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start: "
                                   f"{(folder / f'{mode}-{workers}.log').read_text()[-2000:]}"
                                   ) from None
            time.sleep(0.05)


def _crypto_bound(folder: Path) -> tuple[float, float]:
    """Microseconds of the unavoidable crypto per request: (OAuth 1.0a, OAuth 1.0a + JWE)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from benchmarks.bench_jose import OAEP

    keys = _load_keys(folder)
    message = b"POST&" + b"x" * 1200
    signature = keys["signing"].sign(message, padding.PKCS1v15(), hashes.SHA256())
    public = keys["signing"].public_key()
    wrapped = keys["gateway"].public_key().encrypt(b"k" * 32, OAEP)
    partner = keys["partner"].public_key()

    def per_call(fn: Any, n: int) -> float:
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            best = min(best, (time.perf_counter() - start) / n)
        return best * 1e6

    verify = per_call(lambda: public.verify(signature, message, padding.PKCS1v15(),
                                            hashes.SHA256()), 300)
    decrypt = per_call(lambda: keys["gateway"].decrypt(wrapped, OAEP), 100)
    encrypt = per_call(lambda: partner.encrypt(b"k" * 32, OAEP), 300)
    return verify, verify + decrypt + encrypt


def results(*, requests_per_client: int = 400, clients: int = 3,
            rounds: int = 3) -> list[Result]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    # On a RAM disk where there is one: the claims' CPU cost counts, the disk's latency (a
    # property of the host, and the noisiest part on a shared one) does not.
    ram = _RAM_DISK if os.path.isdir(_RAM_DISK) and os.access(_RAM_DISK, os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix="xbsec-bench-gw-", dir=ram))
    try:
        for name in ("signing", "gateway", "partner"):
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            (folder / f"{name}.pem").write_bytes(key.private_bytes(
                Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
        rates: dict[tuple[str, int], list[float]] = {}
        plans = [("bare", "bare", 1), ("gateway", "oauth1", 1), ("gateway", "jwe", 1),
                 ("gateway", "jwe", 2)]
        for _ in range(rounds):
            for mode, variant, workers in plans:
                server_cpus = cores[:workers] if len(cores) > workers else None
                client_cpus = cores[workers:] if len(cores) > workers else None
                port = free_port()
                (folder / "url").write_text(f"http://127.0.0.1:{port}")
                process = _serve(folder, mode, port, workers, server_cpus)
                load = ClientProcesses(_client, (str(folder), port, client_cpus), clients)
                try:
                    load.measure(variant, 30)  # warm up: imports, SQLite's first pages
                    rates.setdefault((variant, workers), []).append(
                        load.measure(variant, requests_per_client))
                finally:
                    load.close()
                    stop(process)
                (folder / "gateway.db").unlink(missing_ok=True)
        verify, jwe_bound = _crypto_bound(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rate = {key: statistics.median(values) for key, values in rates.items()}
    bare, oauth1, jwe, jwe2 = (rate[("bare", 1)], rate[("oauth1", 1)], rate[("jwe", 1)],
                               rate[("jwe", 2)])
    oauth1_us = 1e6 / oauth1 - 1e6 / bare
    jwe_us = 1e6 / jwe - 1e6 / bare
    pinned = (f"server pinned to CPU {cores[0]}, clients to CPU {cores[1:]}" if len(cores) > 1
              else "one CPU: server and clients share it")
    common = (f"{clients} client processes x {requests_per_client} requests, median of "
              f"{rounds}, {pinned}, replay claims in SQLite (synchronous=NORMAL"
              f"{', on a RAM disk' if ram else ''}); trivial "
              f"app alone {bare:,.0f} req/s")
    two = ("2 workers on CPUs 0-1; the clients share them" if len(cores) <= 2
           else "2 workers pinned, clients on the other CPUs")
    return [
        Result(OAUTH1_ROW, oauth1, bare, "trivial app, gateway off", None, {},
               f"{common}; gateway {oauth1:,.0f} req/s: {oauth1_us:,.0f} us per request "
               f"against {verify:,.0f} us of RSA verify ({oauth1_us / verify:.1f}x the bound)"),
        Result(JWE_ROW, jwe, bare, "trivial app, gateway off", None, {},
               f"{common}; gateway {jwe:,.0f} req/s: {jwe_us:,.0f} us per request against "
               f"{jwe_bound:,.0f} us of RSA verify + OAEP decrypt + OAEP encrypt "
               f"({jwe_us / jwe_bound:.1f}x the bound)"),
        Result(WORKERS_ROW, jwe2, jwe, "1 worker", None, {},
               f"{two}: {jwe2:,.0f} req/s with 2 workers, {jwe:,.0f} with 1"),
    ]


def main(argv: list[str]) -> None:
    from benchmarks.harness import table

    quick = "--quick" in argv
    rows = results(requests_per_client=150 if quick else 400, rounds=1 if quick else 3)
    print(table(rows))
    for row in rows:
        print(f"- {row.name}: {row.note}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main(sys.argv[1:])
