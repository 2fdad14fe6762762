"""The push sender of one sandbox process, over real TLS to a bare receiver in this
process: delivery, encryption, retries, giving up, leases, and what it logs."""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.push_receiver import PushReceiver, Received, configure_pushes
from tests.sandbox.conftest import FakeClock
from xbsec.errors import ConfigurationError
from xbsec.keys import load_key_and_certificate
from xbsec.payload import decrypt_payload
from xbsec.sandbox.outbox import enqueue, take
from xbsec.sandbox.project import SandboxProject, init_project
from xbsec.sandbox.push_delivery import PushSender
from xbsec.sandbox.push_settings import PushSettings, check_url, settings_text
from xbsec.sandbox.store import Store


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> SandboxProject:
    return init_project(tmp_path_factory.mktemp("push") / "project")


@pytest.fixture(scope="module")
def other_project(tmp_path_factory: pytest.TempPathFactory) -> SandboxProject:
    return init_project(tmp_path_factory.mktemp("other") / "project")


@pytest.fixture
def receiver(project: SandboxProject) -> Iterator[PushReceiver]:
    folder = project.folder
    with PushReceiver(folder / "webhook-server.pem", folder / "webhook-server-key.pem",
                      folder / "webhook-client-ca.pem") as started:
        yield started


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    made = Store(tmp_path / "sandbox.db")
    yield made
    made.close()


def sender(project: SandboxProject, store: Store, url: str, clock: Callable[[], float],
           certificate: Any = None, **settings: Any) -> PushSender:
    configure_pushes(project.folder, url, **settings)
    loaded = PushSettings.load(project.folder / "server")
    assert loaded is not None
    return PushSender(store, loaded, encryption_certificate=lambda partner: certificate,
                      partners=lambda: [], clock=clock)


def push(store: Store, kind: str = "statusChange", ref: str = "rem_1-SUCCESS",
         now: float = 1_700_000_000.0) -> None:
    with store.transaction(write=True) as db:
        enqueue(db, kind, "P1", {"eventRef": ref, "eventType": "PAYMENT"}, now)


def state(store: Store) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(store.path)) as connection:
        return connection.execute("SELECT event_ref, state, attempts, last_status, last_error"
                                  " FROM push_outbox ORDER BY id").fetchall()


def test_a_push_is_posted_over_mutual_tls_and_marked_delivered(
        project: SandboxProject, store: Store, receiver: PushReceiver,
        clock: FakeClock) -> None:
    push(store)
    assert sender(project, store, receiver.url, clock).run_once() == 1
    (got,) = receiver.received
    assert got.client_certificate
    assert got.path == "/webhooks"
    assert got.headers["content-type"] == "application/json"
    assert "x-encrypted" not in got.headers
    assert json.loads(got.body)["eventRef"] == "rem_1-SUCCESS"
    assert state(store) == [("rem_1-SUCCESS", "delivered", 1, 200, None)]


def test_an_rfi_push_is_encrypted_to_the_partners_key(project: SandboxProject, store: Store,
                                                      receiver: PushReceiver,
                                                      clock: FakeClock) -> None:
    key, certificate = load_key_and_certificate(project.folder / "mastercard-encryption.p12",
                                                password="keystorepassword")
    push(store, "rfi", "req-1")
    push(store, "statusChange", "rem_2-SUCCESS")
    sender(project, store, receiver.url, clock, certificate).run_once()
    rfi, status = receiver.received
    assert rfi.headers["x-encrypted"] == "true"
    assert json.loads(rfi.body).keys() == {"encrypted_payload"}
    assert json.loads(decrypt_payload(rfi.body, key))["eventRef"] == "req-1"
    assert "x-encrypted" not in status.headers


def test_a_partner_without_an_encryption_key_gets_rfi_pushes_plain(
        project: SandboxProject, store: Store, receiver: PushReceiver, clock: FakeClock) -> None:
    push(store, "rfi", "req-2")
    sender(project, store, receiver.url, clock, None).run_once()
    assert json.loads(receiver.received[0].body)["eventRef"] == "req-2"


def test_a_receiver_answering_errors_gets_four_attempts_then_the_push_fails(
        project: SandboxProject, store: Store, receiver: PushReceiver, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    receiver.answer = lambda received: 503
    push(store)
    push_sender = sender(project, store, receiver.url, clock, retry_delays=(10, 20, 30))
    with caplog.at_level(logging.INFO, "xbsec.sandbox.pushes"):
        assert push_sender.run_once() == 1
        assert push_sender.run_once() == 0  # the retry is not due yet
        for delay in (10, 20, 30):
            clock.advance(delay)
            assert push_sender.run_once() == 1
        clock.advance(3600)
        assert push_sender.run_once() == 0
    assert len(receiver.received) == 4
    assert {json.loads(r.body)["eventRef"] for r in receiver.received} == {"rem_1-SUCCESS"}
    assert state(store) == [("rem_1-SUCCESS", "failed", 4, 503, "answered 503")]
    assert caplog.text.count("it will be sent again") == 3
    assert "failed after 4 attempts: answered 503" in caplog.text
    assert "PAYMENT" not in caplog.text  # never the content


def test_a_push_that_succeeds_on_a_retry_is_delivered(project: SandboxProject, store: Store,
                                                      receiver: PushReceiver,
                                                      clock: FakeClock) -> None:
    answers = iter([500, 200])
    receiver.answer = lambda received: next(answers)
    push(store)
    push_sender = sender(project, store, receiver.url, clock, retry_delays=(5,))
    push_sender.run_once()
    clock.advance(5)
    push_sender.run_once()
    assert state(store) == [("rem_1-SUCCESS", "delivered", 2, 200, None)]


def test_fewer_retry_delays_mean_fewer_retries(project: SandboxProject, store: Store,
                                               receiver: PushReceiver,
                                               clock: FakeClock) -> None:
    receiver.answer = lambda received: 500
    push(store)
    push_sender = sender(project, store, receiver.url, clock, retry_delays=(1,))
    push_sender.run_once()
    clock.advance(1)
    push_sender.run_once()
    assert state(store)[0][1:3] == ("failed", 2)


def test_a_receiver_with_a_certificate_the_sandbox_does_not_trust_gets_nothing(
        project: SandboxProject, other_project: SandboxProject, store: Store,
        clock: FakeClock) -> None:
    folder = other_project.folder
    with PushReceiver(folder / "webhook-server.pem", folder / "webhook-server-key.pem") as other:
        push(store)
        sender(project, store, other.url, clock).run_once()
        assert other.received == []
    (row,) = state(store)
    assert row[1:4] == ("pending", 1, None)
    assert "certificate is not trusted" in row[4]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_receiver_and_a_silent_receiver_are_failed_attempts(
        project: SandboxProject, store: Store, receiver: PushReceiver,
        clock: FakeClock) -> None:
    push(store, ref="a")
    sender(project, store, f"https://127.0.0.1:{_closed_port()}/", clock).run_once()
    receiver.answer = lambda received: 0
    push(store, ref="b")
    started = time.monotonic()
    sender(project, store, receiver.url, clock, timeout=0.5).run_once()
    assert time.monotonic() - started < 5
    (_, _, _, _, refused), (_, _, _, _, silent) = state(store)
    assert refused.startswith("cannot reach the receiver")
    assert silent == "no answer within 0.5 s"


def test_a_taken_push_is_leased_and_taken_again_when_its_sender_died(store: Store) -> None:
    push(store, now=100.0)
    with store.transaction(write=True) as db:
        first = take(db, 100.0, lease=25.0)
        assert first is not None
        assert first.attempt == 1
        assert take(db, 110.0, lease=25.0) is None  # another process must not send it now
        again = take(db, 125.0, lease=25.0)  # the first sender never came back
    assert again is not None
    assert (again.event_ref, again.attempt) == (first.event_ref, 2)


def test_an_event_is_in_the_outbox_once(store: Store) -> None:
    with store.transaction(write=True) as db:
        assert enqueue(db, "rfi", "P", {"eventRef": "x"}, 1.0)
        assert not enqueue(db, "rfi", "P", {"eventRef": "x"}, 2.0)


def test_the_sender_thread_sends_when_woken_and_stops(project: SandboxProject, store: Store,
                                                      receiver: PushReceiver) -> None:
    push_sender = sender(project, store, receiver.url, time.time,
                         poll_interval=30)
    push_sender.start()
    push_sender.start()  # a second start changes nothing
    try:
        time.sleep(0.2)
        push(store, now=time.time())
        push_sender.wake()
        receiver.wait_for(1, timeout=10)
    finally:
        push_sender.stop()
        push_sender.stop()
    assert state(store)[0][1] == "delivered"


def test_a_turn_that_fails_is_logged_and_the_thread_goes_on(
        project: SandboxProject, store: Store, receiver: PushReceiver,
        caplog: pytest.LogCaptureFixture) -> None:
    push_sender = sender(project, store, receiver.url, time.time,
                         poll_interval=0.05)
    calls = []

    def broken() -> list[str]:
        calls.append(1)
        raise RuntimeError("registry gone")

    push_sender.partners = broken
    with caplog.at_level(logging.ERROR, "xbsec.sandbox.pushes"):
        push_sender.start()
        deadline = time.monotonic() + 10
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        push_sender.stop()
    assert len(calls) >= 2
    assert "turn stopped: RuntimeError" in caplog.text


def test_no_url_no_sender(project: SandboxProject, store: Store) -> None:
    configure_pushes(project.folder, None)
    settings = PushSettings.load(project.folder / "server")
    assert settings is not None
    assert not settings.enabled
    assert settings.shown_url() == "-"
    with pytest.raises(ConfigurationError, match="nowhere to push"):
        PushSender(store, settings, encryption_certificate=lambda p: None, partners=list)


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:8443/", "https://"), ("https:///x", "https://"),
    ("https://user:pw@host/", "no user or password"), ("https://host:port/", "port")])
def test_a_webhook_url_must_be_https_to_a_host(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        check_url(url)


@pytest.mark.parametrize(("text", "message"), [
    ("url = 3", "url must be a string"),
    ("url = [", "cannot be read"),
    ('client_certificate = ""\nclient_key = "k"\ntrust = ["t"]', "name files"),
    ('client_certificate = "c"\nclient_key = "k"\ntrust = []', "at least one CA"),
    ('client_certificate = "c"\nclient_key = "k"\ntrust = ["t"]\nencrypt = ["x"]',
     "push names"),
    ('client_certificate = "c"\nclient_key = "k"\ntrust = ["t"]\nretry_delays = [1,2,3,4]',
     "at most 3"),
    ('client_certificate = "c"\nclient_key = "k"\ntrust = ["t"]\nretry_delays = [-1]',
     "seconds"),
    ('client_certificate = "c"\nclient_key = "k"\ntrust = ["t"]\ntimeout = 0', "more than 0"),
])
def test_settings_that_cannot_work_are_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "webhooks.toml").write_text(text)
    with pytest.raises(ConfigurationError, match=message):
        PushSettings.load(tmp_path)


def test_a_project_without_settings_has_no_pushes_and_missing_files_are_named(
        tmp_path: Path) -> None:
    assert PushSettings.load(tmp_path) is None
    (tmp_path / "webhooks.toml").write_text(settings_text("https://127.0.0.1:9/"))
    settings = PushSettings.load(tmp_path)
    assert settings is not None
    assert settings.enabled
    with pytest.raises(ConfigurationError, match="cannot be used"):
        settings.ssl_context()


def test_received_records_are_plain_data() -> None:
    assert Received("/", {}, b"", False).body == b""
