"""Requests per second through the gateway on loopback, against the sandbox without it.

Two real uvicorn server processes on one test project, with the same uvicorn settings (h11,
no access log): ``xbsec sandbox serve`` (the gateway in front of the sandbox) and the bare
sandbox application (gateway off). ``clients`` client processes, one ``httpx.Client`` each
(keep-alive), prepare their requests first, then start together and send them one after
another: POST quotes, the same document each time but its transaction reference (XBS
declines a reference quoted before). The bare sandbox gets them unsigned and
in the clear; the gateway gets them signed with OAuth 1.0a, in the clear (``plain``), or
signed and JWE-encrypted with ``x-encrypted: true`` (``encrypted``: the gateway decrypts
each request and encrypts each answer). Throughput is the answered requests over the time
from the first start to the last finish; each variant is measured ``rounds`` times,
interleaved, and the median kept. Every answer must be a 200 (encrypted, for the encrypted
variant), or the run fails.

``python -m benchmarks.bench_gateway`` prints the two rows.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import Result
from benchmarks.processes import ClientProcesses, free_port, stop

VARIANTS = ("bare", "plain", "encrypted")
PLAIN_ROW = "Gateway on loopback: OAuth 1.0a, plain (req/s)"
ENCRYPTED_ROW = "Gateway on loopback: OAuth 1.0a + JWE round trip (req/s)"
ROWS = (PLAIN_ROW, ENCRYPTED_ROW)
QUOTE = {"quoterequest": {
    "transaction_reference": "BENCH-0001", "sender_account_uri": "tel:+254108989",
    "recipient_account_uri": "ban:DE89370400440532013000;bic=COBADEFFXXX",
    "payment_amount": {"amount": "100.00", "currency": "USD"},
    "payment_origination_country": "USA", "payment_type": "P2P",
    "quote_type": {"forward": {"receiver_currency": "EUR", "fees_included": "false"}}}}


def _serve_bare(database: str, port: int) -> None:
    """The sandbox application alone, as ``xbsec sandbox serve`` runs uvicorn."""
    import uvicorn

    from xbsec.sandbox import create_sandbox_app

    uvicorn.run(create_sandbox_app(database), host="127.0.0.1", port=port, http="h11",
                log_level="warning", access_log=False, server_header=False)


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server behind {url} did not start:\n"
                                   f"{log.read_text(errors='replace')[-2000:]}") from None
            time.sleep(0.05)


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL,
                                cwd=Path(__file__).resolve().parents[1])


def _prepare(base_url: str, loaded: Any, variant: str,
             count: int) -> tuple[str, list[tuple[dict[str, str], bytes]]]:
    """``count`` requests of a variant, ready to send (each signed with its own nonce)."""
    import dataclasses

    from xbsec.client import ClientPipeline
    from xbsec.documents import dumps_json

    url = base_url + f"/send/v1/partners/{loaded.partner_id}/crossborder/quotes"
    # A quote reference is used once (XBS declines a duplicate), so each request has its own.
    documents = [{"quoterequest": {**QUOTE["quoterequest"], "transaction_reference":
                                   f"BENCH-{os.getpid()}-{variant}-{time.monotonic_ns()}-{i}"}}
                 for i in range(count)]
    if variant == "bare":
        return url, [({"Content-Type": "application/json"}, dumps_json(document))
                     for document in documents]
    pipeline = ClientPipeline.from_profile(
        dataclasses.replace(loaded, encryption=variant == "encrypted"))
    outs = [pipeline.request("POST", url, document=document) for document in documents]
    return url, [(out.headers, out.body) for out in outs]


def _send(http: httpx.Client, variant: str, url: str,
          prepared: list[tuple[dict[str, str], bytes]]) -> str | None:
    """Send every request; the first wrong answer, or ``None``."""
    for headers, body in prepared:
        response = http.post(url, content=body, headers=headers)
        if response.status_code != 200 or (
                variant == "encrypted"
                and not response.content.startswith(b'{"encrypted_payload"')):
            return f"{variant}: HTTP {response.status_code} {response.text[:200]}"
    return None


def _client(profile: str, commands: Any, barrier: Barrier, results: Any) -> None:
    """One client process, kept for the whole run: for each command (base URL, variant,
    count) it prepares the requests, waits for the other clients, and sends them."""
    from xbsec.profile import load_profile

    loaded = load_profile(path=profile, environ={})
    with httpx.Client(timeout=60) as http:
        while (command := commands.get()) is not None:
            base_url, variant, count = command
            try:
                url, prepared = _prepare(base_url, loaded, variant, count)
                http.get(base_url + "/health")  # the connection is open before the start
                barrier.wait()
                started = time.monotonic()
                error = _send(http, variant, url, prepared)
                finished = time.monotonic()
            except Exception as exc:  # reported, and the other clients released
                barrier.abort()
                error = f"{variant}: {exc!r}"
            results.put(("error", error) if error else ("ok", (started, finished, count)))


def _warm_up(urls: dict[str, str], profile: str, count: int = 30) -> None:
    """A few requests of every variant first: lazy imports, SQLite's first pages."""
    from xbsec.profile import load_profile

    loaded = load_profile(path=profile, environ={})
    with httpx.Client(timeout=60) as http:
        for variant in VARIANTS:
            url, prepared = _prepare(urls[variant], loaded, variant, count)
            error = _send(http, variant, url, prepared)
            if error:
                raise RuntimeError(error)


def results(*, requests_per_client: int = 400, clients: int = 4,
            rounds: int = 3) -> list[Result]:
    """Two rows: plain OAuth 1.0a and the encrypted round trip, each against the bare app."""
    from xbsec.sandbox.project import init_project

    folder = Path(tempfile.mkdtemp(prefix="xbsec-bench-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        project = init_project(folder / "project")
        gateway_port, bare_port = free_port(), free_port()
        beside = Path(sys.executable).with_name("xbsec")
        xbsec = str(beside) if beside.exists() else shutil.which("xbsec") or "xbsec"
        logs = folder / "gateway.log", folder / "bare.log"
        # No quota: the load comes from one consumer, far over the sandbox's default.
        processes.append(_start([xbsec, "sandbox", "serve", "--dir", str(project.folder),
                                 "--port", str(gateway_port), "--rate-limit", "0",
                                 "--log-level", "warning"], logs[0]))
        processes.append(_start([sys.executable, "-m", "benchmarks.bench_gateway",
                                 "--serve-bare", str(project.database), str(bare_port)],
                                logs[1]))
        urls = {"bare": f"http://127.0.0.1:{bare_port}",
                "plain": f"http://127.0.0.1:{gateway_port}",
                "encrypted": f"http://127.0.0.1:{gateway_port}"}
        _wait_until_answering(urls["plain"] + "/health", processes[0], logs[0])
        _wait_until_answering(urls["bare"] + "/health", processes[1], logs[1])
        _warm_up(urls, str(project.profile))
        load = ClientProcesses(_client, (str(project.profile),), clients)
        try:
            rates: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
            for _ in range(rounds):  # interleaved, so that drift hits every variant alike
                for variant in VARIANTS:
                    rates[variant].append(load.measure(urls[variant], variant,
                                                       requests_per_client))
        finally:
            load.close()
    finally:
        for process in processes:
            stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    bare = statistics.median(rates["bare"])
    note = (f"POST quotes on loopback, {clients} client processes x {requests_per_client} "
            f"requests, median of {rounds}; req/s: no gateway {bare:,.0f}, ")
    plain = statistics.median(rates["plain"])
    encrypted = statistics.median(rates["encrypted"])
    return [
        Result(PLAIN_ROW, plain, bare,
               "same sandbox, gateway off", None, {},
               note + f"gateway {plain:,.0f}"),
        Result(ENCRYPTED_ROW, encrypted, bare,
               "same sandbox, gateway off", None, {},
               note + f"gateway encrypted {encrypted:,.0f}"),
    ]


def main(argv: list[str]) -> None:
    if argv[:1] == ["--serve-bare"]:
        _serve_bare(argv[1], int(argv[2]))
        return
    from benchmarks.harness import table

    quick = "--quick" in argv
    rows = results(requests_per_client=100 if quick else 400, rounds=1 if quick else 3)
    print(table(rows))
    for row in rows:
        print(f"- {row.name}: {row.note}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main(sys.argv[1:])
