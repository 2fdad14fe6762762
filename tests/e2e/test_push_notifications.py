"""Push notifications end to end: ``xbsec sandbox serve`` pushes over mutual TLS on
loopback, ``xbsec webhooks listen`` receives, each in a process of its own.

The sandbox's retries and timeouts are shortened in each project's
``server/webhooks.toml``, as an operator would edit it; nothing else is changed."""

from __future__ import annotations

import json
import signal
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.documents import new_reference, proposal_id, quote_for
from tests.e2e.listener_process import WebhookListener
from tests.e2e.sandbox_process import Project, SandboxServer, Servers, init_project
from tests.push_receiver import PushReceiver, configure_pushes
from tests.redis_server import RedisServer, free_port
from tests.sandbox.samples import KYC
from xbsec.client.xbs import XBSClient
from xbsec.contract import request_validator
from xbsec.contract.notifications import OPERATIONS
from xbsec.keys import load_key_and_certificate
from xbsec.payload import decrypt_payload

pytestmark = pytest.mark.slow


@pytest.fixture
def listeners(tmp_path: Path) -> Iterator[Callable[..., WebhookListener]]:
    started: list[WebhookListener] = []

    def start(project: Project, port: int, **options: Any) -> WebhookListener:
        started.append(WebhookListener(project.folder, tmp_path, port, **options).start())
        return started[-1]

    yield start
    for listener in started:
        listener.stop()


def pushing_project(folder: Path, webhook_port: int, **settings: Any) -> Project:
    """A project whose pushes go to ``https://127.0.0.1:PORT/webhooks``."""
    url = f"https://127.0.0.1:{webhook_port}/webhooks"
    project = init_project(folder, port=free_port(), webhook_url=url)
    assert project.made["webhook_url"] == url
    configure_pushes(project.folder, url, **settings)
    return project


def serve(servers: Servers, project: Project) -> SandboxServer:
    port = int(project.profile().base_url.rsplit(":", 1)[1])
    return servers.start(project, port=port, fixed_port=True)


def pay(xbs: XBSClient, amount: str = "100.00", suffix: str = "") -> dict[str, Any]:
    """A payment with a quote, as Mastercard's reference app pays (``suffix``: a trigger)."""
    reference = new_reference() + suffix
    quote = xbs.create_quote(quote_for(reference, payment_amount={
        "amount": amount, "currency": "USD"})["quoterequest"])
    return dict(xbs.create_payment({"transaction_reference": reference,
                                    "proposal_id": proposal_id(quote), **KYC}))


def delivery(xbs: XBSClient, event_ref: str, *, settled: bool = True,
             timeout: float = 30.0) -> dict[str, Any]:
    """The control endpoint's record of a push, once it is delivered or failed."""
    deadline = time.monotonic() + timeout
    while True:
        found = xbs.sandbox_webhook_deliveries(event_ref=event_ref)
        if found and (not settled or found[0]["state"] != "pending"):
            return dict(found[0])
        assert time.monotonic() < deadline, f"{event_ref}: {found}"
        time.sleep(0.05)


def test_status_changes_reach_the_listener_in_the_real_shape(
        tmp_path: Path, servers: Servers, listeners: Callable[..., WebhookListener]) -> None:
    port = free_port()
    project = pushing_project(tmp_path / "project", port)
    listener = listeners(project, port)
    server = serve(servers, project)
    with project.client(server) as xbs:
        settled, rejected = pay(xbs), pay(xbs)
        assert settled["status"] == rejected["status"] == "PENDING"
        xbs.set_payment_status(settled["id"], "SUCCESS")
        xbs.set_payment_status(rejected["id"], "REJECTED", code="AML", message="Screened")
        success_ref, rejected_ref = f"{settled['id']}-SUCCESS", f"{rejected['id']}-REJECTED"
        listener.wait_for(lambda lines: {success_ref, rejected_ref} <= {
            line["eventRef"] for line in lines})
        assert delivery(xbs, success_ref)["state"] == "delivered"
    for ref, status in ((success_ref, "SUCCESS"), (rejected_ref, "REJECTED")):
        (line,) = listener.printed(ref)
        assert (line["type"], line["duplicate"]) == ("statusChange", False)
        request_validator(OPERATIONS["statusChange"]).validate(line["payload"])
        assert line["payload"]["payment"]["status"] == status
        assert line["payload"]["partnerId"] == project.partner_id
    rejection = listener.printed(rejected_ref)[0]["payload"]["payment"]["rejected_status"]
    assert rejection == {"Code": "AML", "Message": "Screened"}
    # A new payment (PENDING) is not pushed; the day's carded rates are, once.
    printed = listener.lines()
    assert {line["type"] for line in printed} == {"statusChange", "cardedRate"}
    assert [line["payload"]["payment"]["status"] for line in printed
            if line["type"] == "statusChange"].count("PENDING") == 0


def test_an_rfi_push_arrives_encrypted_and_is_printed_decrypted(
        tmp_path: Path, servers: Servers, listeners: Callable[..., WebhookListener]) -> None:
    port = free_port()
    project = pushing_project(tmp_path / "project", port, retry_delays=(0.5, 2.0, 3.0))
    folder = project.folder
    # First a bare receiver on the webhook's port, to see the push as it crossed the wire;
    # it answers 500, so that the sandbox sends the same push again, to the listener.
    capture = PushReceiver(folder / "webhook-server.pem", folder / "webhook-server-key.pem",
                           folder / "webhook-client-ca.pem", answer=lambda r: 500,
                           port=port).start()
    server = serve(servers, project)
    try:
        with project.client(server) as xbs:
            payment = pay(xbs, amount="10000.00")
            request_id = xbs.sandbox_rfi_notification(payment["id"])["requestId"]
            event_ref = f"{request_id}-1"
            deadline = time.monotonic() + 20
            while not any(r.headers.get("x-encrypted") for r in capture.received):
                assert time.monotonic() < deadline, capture.received
                time.sleep(0.05)
    finally:
        capture.stop()
    wire = next(r for r in capture.received if r.headers.get("x-encrypted") == "true")
    assert json.loads(wire.body).keys() == {"encrypted_payload"}
    assert b"requestId" not in wire.body
    key, _ = load_key_and_certificate(folder / "mastercard-encryption.p12",
                                      password="keystorepassword")
    assert json.loads(decrypt_payload(wire.body, key))["eventRef"] == event_ref

    listener = listeners(project, port)
    listener.wait_for(lambda lines: any(line["eventRef"] == event_ref for line in lines))
    (line,) = listener.printed(event_ref)
    assert (line["type"], line["duplicate"]) == ("rfi", False)
    request_validator(OPERATIONS["rfi"]).validate(line["payload"])
    assert (line["payload"]["requestId"], line["payload"]["eventType"]) == (
        request_id, "REQUEST_CREATED")
    assert line["payload"]["transactions"][0]["transactionReference"] == \
        payment["transaction_reference"]


def _client_for(project: Project, certificate: Path | None,
                key: Path | None) -> httpx.Client:
    context = ssl.create_default_context(cafile=project.folder / "server" /
                                         "webhook-server-ca.pem")
    if certificate is not None and key is not None:
        context.load_cert_chain(certificate, key)
    return httpx.Client(verify=context, timeout=10)


def test_the_listener_refuses_clients_without_the_client_cas_certificate(
        tmp_path: Path, listeners: Callable[..., WebhookListener]) -> None:
    port = free_port()
    project = pushing_project(tmp_path / "project", port)
    other = init_project(tmp_path / "other", port=free_port())
    listener = listeners(project, port)
    url = f"https://127.0.0.1:{port}/webhooks"
    body = json.dumps({"eventRef": "refused-1", "rates": {}}).encode()
    server = project.folder / "server"
    strangers = [(None, None),
                 (other.folder / "server" / "webhook-client.pem",
                  other.folder / "server" / "webhook-client-key.pem")]
    for certificate, key in strangers:
        with _client_for(project, certificate, key) as http, pytest.raises(httpx.TransportError):
            http.post(url, content=body, headers={"content-type": "application/json"})
    # The sandbox's own client certificate is let in.
    with _client_for(project, server / "webhook-client.pem",
                     server / "webhook-client-key.pem") as http:
        answer = http.post(url, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 200
    assert [line["eventRef"] for line in listener.lines()] == ["refused-1"]


def test_the_sandbox_refuses_a_receiver_whose_certificate_it_does_not_trust(
        tmp_path: Path, servers: Servers, listeners: Callable[..., WebhookListener]) -> None:
    port = free_port()
    project = pushing_project(tmp_path / "project", port, retry_delays=(0.1, 0.1, 0.1))
    # Another project's listener: its server certificate is from a CA this sandbox does not
    # trust (and it would refuse this sandbox's client certificate besides).
    other = init_project(tmp_path / "other", port=free_port())
    stranger = listeners(other, port)
    server = serve(servers, project)
    with project.client(server) as xbs:
        payment = pay(xbs)
        xbs.set_payment_status(payment["id"], "SUCCESS")
        record = delivery(xbs, f"{payment['id']}-SUCCESS")
    assert (record["state"], record["attempts"]) == ("failed", 4)
    assert "certificate is not trusted" in record["lastError"]
    assert stranger.lines() == []
    assert stranger.refusals() == []  # no request ever reached it
    assert "failed after 4 attempts" in server.log_text()


def test_fail_first_2_means_three_deliveries_and_one_handling(
        tmp_path: Path, servers: Servers, listeners: Callable[..., WebhookListener]) -> None:
    port = free_port()
    project = pushing_project(tmp_path / "project", port, retry_delays=(0.2, 0.2, 5.0))
    listener = listeners(project, port, fail_first=2)
    server = serve(servers, project)
    with project.client(server) as xbs:
        payment = pay(xbs)
        xbs.set_payment_status(payment["id"], "SUCCESS")
        event_ref = f"{payment['id']}-SUCCESS"
        record = delivery(xbs, event_ref)
    assert (record["state"], record["attempts"], record["lastStatus"]) == ("delivered", 3, 200)
    (line,) = listener.printed(event_ref)
    assert line["duplicate"] is False
    failed = [r for r in listener.refusals() if r["eventRef"] == event_ref]
    assert [(r["status"], r["reason"]) for r in failed] == [(500, "FAIL_FIRST")] * 2


def test_a_receiver_that_never_answers_200_gets_one_delivery_and_three_retries(
        tmp_path: Path, servers: Servers) -> None:
    port = free_port()
    project = pushing_project(tmp_path / "project", port, retry_delays=(0.2, 0.3, 0.4),
                              timeout=1.0)
    folder = project.folder
    seen: dict[str, int] = {}

    def answer(received: Any) -> int:
        ref = json.loads(received.body)["eventRef"]
        seen[ref] = seen.get(ref, 0) + 1
        # One event is refused with a status, the other never answered.
        return 0 if ref.endswith("-REJECTED") else 503

    with PushReceiver(folder / "webhook-server.pem", folder / "webhook-server-key.pem",
                      folder / "webhook-client-ca.pem", answer=answer, port=port):
        server = serve(servers, project)
        with project.client(server) as xbs:
            first, second = pay(xbs), pay(xbs)
            xbs.set_payment_status(first["id"], "SUCCESS")
            xbs.set_payment_status(second["id"], "REJECTED")
            refused = delivery(xbs, f"{first['id']}-SUCCESS")
            silent = delivery(xbs, f"{second['id']}-REJECTED")
            time.sleep(1.5)  # long enough for a fifth attempt, were there one
            failed = xbs.sandbox_webhook_deliveries(state="failed")
    assert seen[f"{first['id']}-SUCCESS"] == seen[f"{second['id']}-REJECTED"] == 4
    assert (refused["state"], refused["attempts"], refused["lastStatus"]) == ("failed", 4, 503)
    assert (silent["state"], silent["attempts"]) == ("failed", 4)
    assert silent["lastError"] == "no answer within 1 s"
    assert {d["eventRef"] for d in failed if d["type"] == "statusChange"} == {
        refused["eventRef"], silent["eventRef"]}
    log = server.log_text()
    for ref in (refused["eventRef"], silent["eventRef"]):
        assert f"push {ref} (statusChange)" in log
        assert "failed after 4 attempts" in log


def test_pending_pushes_are_delivered_after_a_sigkill_and_a_restart(
        tmp_path: Path, servers: Servers, listeners: Callable[..., WebhookListener]) -> None:
    port = free_port()
    # Nobody listens yet: every first attempt is refused, and the push waits to be retried.
    project = pushing_project(tmp_path / "project", port, retry_delays=(2.0, 2.0, 2.0))
    server = serve(servers, project)
    with project.client(server) as xbs:
        payments = [pay(xbs) for _ in range(3)]
        for payment in payments:
            xbs.set_payment_status(payment["id"], "SUCCESS")
        refs = [f"{payment['id']}-SUCCESS" for payment in payments]
        for ref in refs:
            assert delivery(xbs, ref, settled=False)["state"] == "pending"
        deadline = time.monotonic() + 10
        while any(xbs.sandbox_webhook_deliveries(event_ref=ref)[0]["attempts"] < 1
                  for ref in refs):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL
    listener = listeners(project, port)
    restarted = serve(servers, project)
    with project.client(restarted) as xbs:
        records = [delivery(xbs, ref) for ref in refs]
    assert {r["state"] for r in records} == {"delivered"}
    listener.wait_for(lambda lines: set(refs) <= {line["eventRef"] for line in lines})
    for ref in refs:
        handed = [line for line in listener.printed(ref) if not line["duplicate"]]
        assert len(handed) == 1


def test_dedupe_holds_across_two_listeners_sharing_redis(
        tmp_path: Path, listeners: Callable[..., WebhookListener],
        redis_server: RedisServer) -> None:
    project = pushing_project(tmp_path / "project", free_port())
    first = listeners(project, free_port(), redis_url=redis_server.url)
    second = listeners(project, free_port(), redis_url=redis_server.url)
    server = project.folder / "server"
    refs = [f"shared-{n}" for n in range(15)]
    answers: list[int] = []
    lock = threading.Lock()

    def deliver(listener: WebhookListener, ref: str) -> None:
        body = json.dumps({"eventRef": ref, "rates": {}}).encode()
        with _client_for(project, server / "webhook-client.pem",
                         server / "webhook-client-key.pem") as http:
            for _ in range(2):
                response = http.post(f"https://127.0.0.1:{listener.port}/", content=body,
                                     headers={"content-type": "application/json"})
                with lock:
                    answers.append(response.status_code)

    threads = [threading.Thread(target=deliver, args=(listener, ref))
               for ref in refs for listener in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 4 * len(refs)
    assert set(answers) <= {200, 503}
    printed = first.lines() + second.lines()
    assert len(printed) == answers.count(200)
    for ref in refs:
        handled = [line for line in printed if line["eventRef"] == ref and not line["duplicate"]]
        assert len(handled) == 1, ref
    assert first.lines()  # both processes answered some deliveries
    assert second.lines()
