"""The gateway's per-request cost with the inspector on, against off, in process.

The app ``xbsec sandbox serve`` builds (``build_app``) for a test project, its gateway's
observer switched between the inspector's recorder (which queues each request for a
thread that inspects them and writes them to ``server/inspector.db``) and none: one app,
so that nothing else differs. Driven by direct ASGI calls (no HTTP client, no sockets:
nothing that would dilute the difference). The same request
mix for both, signed beforehand, every round, as an integration suite sends a sandbox: of
40 requests, 30 good POST quotes in the clear and 6 encrypted, and one of each usual
mistake: a body re-serialised after signing, a replay, a wrong key (the costliest to
explain: every construction and likely URL is tried against the registered key), a
tampered ciphertext. The inspector's time counts whole: a round ends when
its history has written the last request (``Recorder.flush``), and its thread shares the
process (and the GIL) with the gateway. The cost is the process's CPU time (every thread's)
per request, which a machine busy with other work disturbs far less than the wall clock
(also reported). Rounds alternate on and off, in turns; each side keeps the fast quartile of
its rounds (those the machine's other work disturbed least, as the harness keeps the best
of its batches, without hanging on one lucky round); the inspector's own thread is
reported apart (its CPU per request, the median of the rounds).

Also reported: how long the inspector's list takes with 10,000 requests kept.

``python -m benchmarks.bench_inspector`` prints the row.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Result

ROW = "Gateway + sandbox in process, inspector on vs off (requests per CPU second)"
TARGET = 0.90
BASE = "http://127.0.0.1:8080"
TOKEN = "benchmark-token-0123456789abcdef"  # noqa: S105 - a throwaway, in process


def _quote(n: int) -> dict[str, Any]:
    return {"quoterequest": {
        "transaction_reference": f"BENCH-{time.time_ns()}-{n}",
        "sender_account_uri": "tel:+254108989",
        "recipient_account_uri": "ban:DE89370400440532013000;bic=COBADEFFXXX",
        "payment_amount": {"amount": "100.00", "currency": "USD"},
        "payment_origination_country": "USA", "payment_type": "P2P",
        "quote_type": {"forward": {"receiver_currency": "EUR", "fees_included": "false"}}}}


CYCLE = 40
ANSWERS = [200] * 36 + [401, 401, 403, 400]


def _mix(profile_file: Path, count: int) -> list[tuple[str, str, dict[str, str], bytes]]:
    """``count`` requests (a multiple of ``CYCLE``) in the mix above, ready to send."""
    import dataclasses

    from xbsec.client import ClientPipeline, OAuth1Auth
    from xbsec.keys import generate_rsa_key
    from xbsec.oauth1 import OAuth1Signer
    from xbsec.profile import load_profile

    profile = dataclasses.replace(load_profile(path=profile_file, environ={}), base_url=BASE)
    plain = ClientPipeline.from_profile(dataclasses.replace(profile, encryption=False))
    encrypted = ClientPipeline.from_profile(dataclasses.replace(profile, encryption=True))
    wrong = ClientPipeline.from_profile(dataclasses.replace(profile, encryption=False))
    wrong.auth = OAuth1Auth(OAuth1Signer(profile.keys.consumer_key, generate_rsa_key()))
    url = f"{BASE}/send/v1/partners/{profile.partner_id}/crossborder/quotes"
    out: list[tuple[str, str, dict[str, str], bytes]] = []

    def add(prepared: Any, body: bytes | None = None) -> None:
        out.append((prepared.method, prepared.url, dict(prepared.headers),
                    prepared.body if body is None else body))

    n = 0
    while len(out) < count:
        for _ in range(30):
            n += 1
            add(plain.request("POST", url, document=_quote(n)))
        for _ in range(6):
            n += 1
            add(encrypted.request("POST", url, document=_quote(n)))
        document = _quote(n := n + 1)
        add(plain.request("POST", url, document=document),
            json.dumps(document, indent=2).encode())
        out.append(out[-6])  # a replay of a good one
        add(wrong.request("POST", url, document=_quote(n := n + 1)))
        sealed = encrypted.request("POST", url, document=_quote(n := n + 1))
        envelope = json.loads(sealed.body)
        pieces = envelope["encrypted_payload"]["data"].split(".")
        pieces[3] = ("A" if pieces[3][0] != "A" else "B") + pieces[3][1:]
        envelope["encrypted_payload"]["data"] = ".".join(pieces)
        add(plain.request("POST", url, body=json.dumps(envelope).encode(),
                          headers={"x-encrypted": "true"}))
    return out[:count]


def _scope(method: str, url: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    path = url[len(BASE):]
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8080),
            "client": ("127.0.0.1", 50000),
            "headers": [(b"host", b"127.0.0.1:8080"),
                        (b"content-length", str(len(body)).encode()),
                        *((k.lower().encode(), v.encode()) for k, v in headers.items())]}


async def _send_all(app: Any, requests: list[tuple[str, str, dict[str, str], bytes]],
                    expected: list[int] | None) -> list[int]:
    statuses = []
    for method, url, headers, body in requests:
        scope = _scope(method, url, headers, body)
        sent = False

        async def receive(body: bytes = body) -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        status: list[int] = []

        async def send(message: dict[str, Any], status: list[int] = status) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        sent = False
        await app(scope, receive, send)
        statuses.append(status[0])
    if expected is not None and statuses != expected:
        raise RuntimeError(f"the two apps answered differently: {statuses} != {expected}")
    return statuses


def _list_latency(app: Any) -> float:
    """Median seconds for the inspector's list page with 10,000 requests kept."""
    store = app.page.store
    detail = store.detail(store.newest())
    batch = [dict(detail, request_id=f"fill-{n}", consumer=f"consumer-{n % 7}")
             for n in range(1000)]
    while store.count() < 10_000:
        store.add(batch[: 10_000 - store.count()])
    cookie = f"{app.page.cookie}={TOKEN}".encode()
    scope = {"type": "http", "method": "GET", "path": "/_inspector/", "raw_path":
             b"/_inspector/", "query_string": b"", "headers": [(b"cookie", cookie)]}

    async def one() -> float:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] != 200:
                raise RuntimeError(f"the list answered {message['status']}")

        started = time.perf_counter()
        await app(scope, receive, send)
        return time.perf_counter() - started

    return statistics.median(asyncio.run(one()) for _ in range(7))


def results(*, requests: int = 80, rounds: int = 31) -> list[Result]:
    from xbsec.sandbox.project import init_project
    from xbsec.sandbox.serve import ServeOptions, build_app

    requests = max(CYCLE, requests - requests % CYCLE)
    folder = Path(tempfile.mkdtemp(prefix="xbsec-bench-inspector-"))
    try:
        project = init_project(folder / "project")
        app = build_app(ServeOptions(str(project.folder), url=BASE, rate_limit=None,
                                     inspector_token=TOKEN))
        recorder = app.recorder
        gateway = app.app.gateway  # InspectorMount -> _Health, which holds the gateway
        for _ in range(2):  # warm up: lazy imports, SQLite's first pages
            asyncio.run(_send_all(app, _mix(project.profile, CYCLE), None))
        recorder.flush(60)
        cpu: dict[str, list[float]] = {"off": [], "on": []}
        own: list[float] = []  # the recorder's thread, per request
        wall: dict[str, list[float]] = {"off": [], "on": []}
        for round_number in range(rounds):
            order = (("off", None), ("on", recorder))
            for name, observer in order if round_number % 2 else order[::-1]:
                gateway.observer = observer
                mix = _mix(project.profile, requests)
                started, used = time.perf_counter(), time.process_time()
                before = recorder.cpu_seconds
                answered = asyncio.run(_send_all(app, mix, None))
                if name == "on":
                    if not recorder.flush(120):
                        raise RuntimeError("the inspector did not keep up")
                    own.append((recorder.cpu_seconds - before) / requests)
                cpu[name].append(requests / (time.process_time() - used))
                wall[name].append(requests / (time.perf_counter() - started))
                if answered != ANSWERS * (requests // CYCLE):
                    raise RuntimeError(f"unexpected answers ({name}): {answered[:CYCLE]}")
        latency = _list_latency(app)
        dropped = recorder.dropped
        recorder.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # The fast quartile of each side's rounds: those the machine's other work disturbed
    # least, without hanging on one lucky round.
    off_rate, on_rate = (statistics.quantiles(cpu[side], n=4)[2] for side in ("off", "on"))
    off_wall, on_wall = statistics.median(wall["off"]), statistics.median(wall["on"])
    note = (f"{requests} requests per round (of {CYCLE}: 36 good, 4 refused), {rounds} "
            f"rounds each, alternating, in process; per request, CPU of the whole process "
            f"(the inspector's thread included), fast quartile: off {1000 / off_rate:.3f} ms, "
            f"on {1000 / on_rate:.3f} ms, of which the "
            f"inspector's thread {statistics.median(own) * 1e6:.0f} µs; wall clock, for "
            f"reference (a shared machine): off {off_wall:,.0f} req/s, on {on_wall:,.0f} "
            f"req/s; {dropped} dropped; the inspector's list with 10,000 requests kept: "
            f"{latency * 1000:.1f} ms")
    return [Result(ROW, on_rate, off_rate, "same app, inspector off", TARGET, {}, note)]


def main(argv: list[str]) -> None:
    from benchmarks.harness import table

    quick = "--quick" in argv
    rows = results(rounds=9 if quick else 31)
    print(table(rows))
    for row in rows:
        print(f"- {row.name}: {row.note}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main(sys.argv[1:])
