"""Push deliveries per second through xbsec's receiver on loopback, against a bare mutual-TLS
echo.

Two real uvicorn server processes with the same TLS files and settings (mutual TLS
required, the same h11 protocol, no access log): ``xbsec webhooks listen --redis URL`` (the
receiver: client certificate checked again, JSON read into a typed event, the eventRef
claimed and finished in Redis, a line printed) and a bare application that reads the body
and answers 200 (the baseline: what TLS and HTTP cost alone). ``clients`` client processes
with the sandbox's client certificate, one ``httpx.Client`` each (keep-alive, so that the
row measures the receiver, not the TLS handshake), start together and POST status-change
pushes one after another, each with an eventRef of its own (each one handled, none a
duplicate). Throughput is the answered deliveries over the time from the first start to
the last finish; each side is measured ``rounds`` times, interleaved, and the median kept.
Every answer must be a 200 ``received``, or the run fails. A machine without
``redis-server`` gets no row.

``python -m benchmarks.bench_webhooks`` prints the row.
"""

from __future__ import annotations

import json
import multiprocessing
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from benchmarks.bench_gateway import _start
from benchmarks.harness import Result
from benchmarks.processes import free_port, stop

ROW = "Push receiver on loopback: mTLS, JSON, dedupe in Redis (deliveries/s)"


def _echo(project: str, port: int) -> None:
    """The baseline: uvicorn with the receiver's TLS settings, answering 200 to any body."""
    import uvicorn

    from xbsec.server.uvicorn_tls import TLSExtensionH11Protocol

    answer = b'{"status":"received"}'

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(answer)).encode())]})
        await send({"type": "http.response.body", "body": answer})

    folder = Path(project)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                server_header=False, lifespan="off", http=TLSExtensionH11Protocol,
                ssl_certfile=str(folder / "webhook-server.pem"),
                ssl_keyfile=str(folder / "webhook-server-key.pem"),
                ssl_ca_certs=str(folder / "webhook-client-ca.pem"),
                ssl_cert_reqs=ssl.CERT_REQUIRED)


def _push(reference: str) -> bytes:
    payment = {"transaction_reference": "BENCH-1", "id": "rem_BENCH", "resource_type": "payment",
               "created": "2024-01-02T03:04:05-05:00", "status": "SUCCESS",
               "status_timestamp": "2024-01-02T03:05:05-05:00",
               "payment_amount": {"amount": "100.00", "currency": "USD"},
               "charged_amount": {"amount": "103.00", "currency": "USD"},
               "credited_amount": {"amount": "91.70", "currency": "EUR"},
               "sender_account_uri": "tel:+254108989",
               "recipient_account_uri": "ban:DE89370400440532013000;bic=COBADEFFXXX"}
    return json.dumps({"eventRef": reference, "eventType": "PAYMENT",
                       "eventTimestamp": "2024-01-02T03:05:05-05:00", "partnerId": "BENCH",
                       "transactionReference": "BENCH-1", "payment": payment}).encode()


def _http(project: Path) -> Any:
    import httpx

    context = ssl.create_default_context(cafile=project / "server" / "webhook-server-ca.pem")
    context.load_cert_chain(project / "server" / "webhook-client.pem",
                            project / "server" / "webhook-client-key.pem")
    return httpx.Client(verify=context, timeout=60)


def _client(project: str, url: str, prefix: str, count: int, barrier: Barrier,
            results: Any) -> None:
    bodies = [_push(f"{prefix}-{i}") for i in range(count)]
    headers = {"content-type": "application/json"}
    try:
        with _http(Path(project)) as http:
            http.post(url, content=_push(f"{prefix}-warm"), headers=headers)
            barrier.wait()
            started = time.monotonic()
            for body in bodies:
                response = http.post(url, content=body, headers=headers)
                if response.status_code != 200 or b"received" not in response.content:
                    raise RuntimeError(f"HTTP {response.status_code} {response.text[:200]}")
            results.put(("ok", (started, time.monotonic(), count)))
    except Exception as exc:  # reported, and the other clients released
        barrier.abort()
        results.put(("error", repr(exc)))


def _measure(project: Path, url: str, prefix: str, clients: int, count: int) -> float:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(clients)
    results = context.Queue()
    processes = [context.Process(target=_client, args=(str(project), url, f"{prefix}-{n}",
                                                       count, barrier, results), daemon=True)
                 for n in range(clients)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    errors = [detail for kind, detail in outcomes if kind == "error"]
    if errors:
        raise RuntimeError(errors[0])
    spans = [detail for _, detail in outcomes]
    elapsed = max(end for _, end, _ in spans) - min(start for start, _, _ in spans)
    return float(sum(answered for _, _, answered in spans) / elapsed)


def _wait_listening(url: str, project: Path, process: subprocess.Popen[bytes],
                    log: Path) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with _http(project) as http:
                http.post(url, content=b"{}", headers={"content-type": "application/json"})
            return
        except Exception:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start:\n{log.read_text()}") from None
            time.sleep(0.1)


def results(*, deliveries_per_client: int = 400, clients: int = 2,
            rounds: int = 3) -> list[Result]:
    """One row: the receiver with dedupe in Redis, against the bare mutual-TLS echo."""
    from xbsec.sandbox.project import init_project

    redis_server = shutil.which("redis-server")
    if redis_server is None:
        print("  no redis-server: the push receiver row is skipped", file=sys.stderr)
        return []
    folder = Path(tempfile.mkdtemp(prefix="xbsec-bench-push-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        project = init_project(folder / "project").folder
        redis_port, receiver_port, echo_port = free_port(), free_port(), free_port()
        beside = Path(sys.executable).with_name("xbsec")
        xbsec = str(beside) if beside.exists() else shutil.which("xbsec") or "xbsec"
        logs = folder / "redis.log", folder / "receiver.log", folder / "echo.log"
        processes.append(_start([redis_server, "--port", str(redis_port), "--bind",
                                 "127.0.0.1", "--save", "", "--appendonly", "no"], logs[0]))
        processes.append(_start([xbsec, "webhooks", "listen", "--dir", str(project), "--port",
                                 str(receiver_port), "--redis",
                                 f"redis://127.0.0.1:{redis_port}/0"], logs[1]))
        processes.append(_start([sys.executable, "-m", "benchmarks.bench_webhooks",
                                 "--serve-echo", str(project), str(echo_port)], logs[2]))
        urls = {"receiver": f"https://127.0.0.1:{receiver_port}/webhooks",
                "echo": f"https://127.0.0.1:{echo_port}/webhooks"}
        _wait_listening(urls["receiver"], project, processes[1], logs[1])
        _wait_listening(urls["echo"], project, processes[2], logs[2])
        rates: dict[str, list[float]] = {"receiver": [], "echo": []}
        for round_number in range(rounds):  # interleaved, so that drift hits both alike
            for side in ("echo", "receiver"):
                rates[side].append(_measure(project, urls[side], f"r{round_number}-{side}",
                                            clients, deliveries_per_client))
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    echo, receiver = statistics.median(rates["echo"]), statistics.median(rates["receiver"])
    return [Result(ROW, receiver, echo, "bare mutual-TLS echo", None, {},
                   f"status-change pushes of ~0.6 KB, {clients} client processes x "
                   f"{deliveries_per_client}, keep-alive, median of {rounds}; deliveries/s: "
                   f"echo {echo:,.0f}, receiver with Redis dedupe {receiver:,.0f}")]


def main(argv: list[str]) -> None:
    if argv[:1] == ["--serve-echo"]:
        _echo(argv[1], int(argv[2]))
        return
    from benchmarks.harness import table

    quick = "--quick" in argv
    print(table(results(deliveries_per_client=100 if quick else 400,
                        rounds=1 if quick else 3)))


if __name__ == "__main__":
    main(sys.argv[1:])
