"""The framework-free receiver: each delivery's answer, each event handed over once."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from tests.webhooks import samples
from tests.webhooks.samples import pki
from xbsec.errors import ConfigurationError, ServiceUnavailableError
from xbsec.stores import EventClaim, MemoryEventStore, SQLiteEventStore
from xbsec.webhooks import ClientCertificateTrust, Delivery, WebhookReceiver
from xbsec.webhooks.events import WebhookEvent

JSON = {"Content-Type": "application/json"}


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.events: list[WebhookEvent] = []
        self.fail = fail

    def __call__(self, event: WebhookEvent) -> None:
        if self.fail:
            self.fail -= 1
            raise RuntimeError("the handler failed")
        self.events.append(event)


def receiver(handler: Any = None, **options: Any) -> WebhookReceiver:
    options.setdefault("decryption_keys", pki().encryption_key)
    return WebhookReceiver(handler or Recorder(), client_ca=pki().ca, **options)


def deliver(target: WebhookReceiver, document: Any = None, *, body: bytes | None = None,
            headers: Any = JSON, certificate: Any = "client") -> Delivery:
    if body is None:
        body = samples.body(samples.status_change() if document is None else document)
    if certificate == "client":
        certificate = pki().client
    return target.receive(body, headers, certificate)


def test_a_push_is_handed_over_and_answered_200() -> None:
    handler = Recorder()
    delivery = deliver(receiver(handler))
    assert (delivery.status, delivery.duplicate, delivery.handled) == (200, False, True)
    assert json.loads(delivery.body) == {"status": "received"}
    assert dict(delivery.headers)["content-type"] == "application/json"
    assert [e.event_ref for e in handler.events] == ["rem_A1-SUCCESS"]
    assert delivery.event is handler.events[0]


def test_a_second_delivery_of_an_event_is_a_duplicate_not_handed_over() -> None:
    handler = Recorder()
    target = receiver(handler)
    deliver(target)
    again = deliver(target)
    assert (again.status, again.duplicate, again.handled) == (200, True, False)
    assert json.loads(again.body) == {"status": "duplicate"}
    assert len(handler.events) == 1
    assert deliver(target, samples.status_change("another")).handled
    assert len(handler.events) == 2


def test_a_handler_that_raises_gets_a_500_and_the_next_delivery_is_handed_over(
        caplog: pytest.LogCaptureFixture) -> None:
    handler = Recorder(fail=2)
    target = receiver(handler)
    with caplog.at_level(logging.ERROR, "xbsec.webhooks"):
        first, second, third = deliver(target), deliver(target), deliver(target)
    assert [d.status for d in (first, second, third)] == [500, 500, 200]
    assert first.reason == "HANDLER_FAILED"
    assert not first.handled
    assert third.handled
    assert len(handler.events) == 1
    assert "RuntimeError" in caplog.text
    assert "REF123" not in caplog.text


def test_plain_and_encrypted_bodies_give_the_same_event() -> None:
    handler = Recorder()
    target = receiver(handler)
    encrypted = pki().encrypted(samples.rfi())
    delivery = deliver(target, body=encrypted,
                       headers={"content-type": "application/json", "X-Encrypted": "true"})
    assert delivery.handled
    assert delivery.event is not None
    assert delivery.event.encrypted
    assert delivery.event.payload == samples.rfi()
    # A proxy that drops x-encrypted loses nothing: the envelope is recognised.
    lost_header = deliver(target, body=pki().encrypted(samples.rfi("4b7e-2")), headers=[])
    assert lost_header.handled
    assert lost_header.event.encrypted


@pytest.mark.parametrize(("body", "headers", "status", "reason"), [
    (b"{not json", JSON, 400, "INVALID_JSON"),
    (b'{"a": 1, "a": 2}', JSON, 400, "INVALID_JSON"),
    (b"[]", JSON, 400, "UNKNOWN_NOTIFICATION"),
    (samples.body({"eventType": "PAYMENT"}), JSON, 400, "INVALID_NOTIFICATION"),
    (samples.body(samples.rfi()), {"content-type": "application/xml"}, 415,
     "UNSUPPORTED_MEDIA_TYPE"),
    (samples.body(samples.rfi()), {"x-encrypted": "true"}, 400, "INVALID_ENVELOPE"),
    (b'{"encrypted_payload":{"data":"a.b.c.d.e"}}', {"x-encrypted": "true"}, 400,
     "DECRYPTION_FAILED"),
    (b"x" * 2000, JSON, 413, "BODY_TOO_LARGE"),
])
def test_bad_input_is_a_clear_4xx_and_nothing_is_handed_over(body: bytes, headers: Any,
                                                             status: int, reason: str) -> None:
    handler = Recorder()
    delivery = deliver(receiver(handler, max_body_bytes=1000), body=body, headers=headers)
    assert (delivery.status, delivery.reason) == (status, reason)
    assert json.loads(delivery.body)["error"]["reason"] == reason
    assert not handler.events
    assert not delivery.handled


def test_a_push_encrypted_to_another_key_does_not_decrypt() -> None:
    from xbsec.keys import generate_rsa_key, self_signed_certificate
    from xbsec.payload import encrypt_payload

    other = self_signed_certificate(generate_rsa_key())
    body = encrypt_payload(samples.body(samples.rfi()), other)
    delivery = deliver(receiver(), body=body, headers={"x-encrypted": "true"})
    assert (delivery.status, delivery.reason) == (400, "DECRYPTION_FAILED")


def test_an_encrypted_push_without_a_key_to_decrypt_it_is_a_500_so_it_comes_again(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, "xbsec.webhooks"):
        delivery = deliver(receiver(decryption_keys=None),
                           body=pki().encrypted(samples.rfi()), headers={"x-encrypted": "true"})
    assert (delivery.status, delivery.reason) == (500, "DECRYPTION_NOT_CONFIGURED")
    assert "no Mastercard-encryption key" in caplog.text


@pytest.mark.parametrize(("certificate", "reason"), [
    (None, "CLIENT_CERTIFICATE_REQUIRED"),
    ("other_client", "CLIENT_CERTIFICATE_UNTRUSTED"),
])
def test_a_client_without_the_client_cas_certificate_is_refused_403(certificate: Any,
                                                                    reason: str) -> None:
    handler = Recorder()
    given = None if certificate is None else getattr(pki(), certificate)
    delivery = deliver(receiver(handler), certificate=given)
    assert (delivery.status, delivery.reason) == (403, reason)
    assert not handler.events


class BrokenStore:
    def __init__(self, fail: set[str]) -> None:
        self.inner = MemoryEventStore()
        self.fail = fail

    def begin(self, event_ref: str, *, lease: float) -> EventClaim:
        if "begin" in self.fail:
            raise ServiceUnavailableError("the store is down")
        return self.inner.begin(event_ref, lease=lease)

    def finish(self, event_ref: str, token: str, *, keep: float) -> None:
        if "finish" in self.fail:
            raise ServiceUnavailableError("the store is down")
        self.inner.finish(event_ref, token, keep=keep)

    def release(self, event_ref: str, token: str) -> None:
        if "release" in self.fail:
            raise ServiceUnavailableError("the store is down")
        self.inner.release(event_ref, token)


def test_a_store_that_cannot_answer_gives_a_503_and_nothing_is_handed_over() -> None:
    handler = Recorder()
    delivery = deliver(receiver(handler, store=BrokenStore({"begin"})))
    assert (delivery.status, delivery.reason) == (503, "STORE_UNAVAILABLE")
    assert dict(delivery.headers)["retry-after"] == "1"
    assert not handler.events


def test_a_handled_event_the_store_cannot_mark_done_is_still_answered_200(
        caplog: pytest.LogCaptureFixture) -> None:
    handler = Recorder()
    with caplog.at_level(logging.ERROR, "xbsec.webhooks"):
        delivery = deliver(receiver(handler, store=BrokenStore({"finish"})))
    assert delivery.handled
    assert len(handler.events) == 1
    assert "cannot be marked done" in caplog.text


def test_a_failed_handler_whose_claim_cannot_be_released_is_still_a_500(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, "xbsec.webhooks"):
        delivery = deliver(receiver(Recorder(fail=1), store=BrokenStore({"release"})))
    assert (delivery.status, delivery.reason) == (500, "HANDLER_FAILED")
    assert "cannot release" in caplog.text


def test_an_event_held_by_another_delivery_is_answered_503_to_come_again() -> None:
    store = MemoryEventStore()
    store.begin("rem_A1-SUCCESS", lease=60)
    handler = Recorder()
    delivery = deliver(receiver(handler, store=store))
    assert (delivery.status, delivery.reason) == (503, "IN_PROGRESS")
    assert not handler.events


def test_a_store_answering_new_without_a_token_is_not_trusted() -> None:
    class Tokenless(BrokenStore):
        def begin(self, event_ref: str, *, lease: float) -> EventClaim:
            return EventClaim("new")

    handler = Recorder()
    assert deliver(receiver(handler, store=Tokenless(set()))).status == 503
    assert not handler.events


def test_dedupe_holds_across_receivers_sharing_a_sqlite_store(tmp_path: Any) -> None:
    handler = Recorder()
    first = receiver(handler, store=SQLiteEventStore(tmp_path / "events.db"))
    second = receiver(handler, store=SQLiteEventStore(tmp_path / "events.db"))
    assert deliver(first).handled
    assert deliver(second).duplicate
    assert len(handler.events) == 1


def test_the_observer_sees_every_delivery_and_cannot_break_one(
        caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Delivery] = []
    target = receiver(observer=seen.append)
    deliver(target)
    deliver(target)
    deliver(target, certificate=None)
    assert [(d.status, d.duplicate) for d in seen] == [(200, False), (200, True), (403, False)]

    def broken(delivery: Delivery) -> None:
        raise ValueError("observer bug")

    with caplog.at_level(logging.ERROR, "xbsec.webhooks"):
        assert deliver(receiver(observer=broken)).handled
    assert "observer raised ValueError" in caplog.text


@pytest.mark.parametrize(("options", "message"), [
    ({"max_body_bytes": 0}, "max_body_bytes"),
    ({"lease": 0}, "lease"),
    ({"keep": -1}, "keep"),
    ({"client_ca": "trust", "client_subject": "CN=x"}, "ClientCertificateTrust itself"),
])
def test_settings_that_cannot_work_are_refused(options: dict[str, Any], message: str) -> None:
    if options.get("client_ca") == "trust":
        options["client_ca"] = ClientCertificateTrust(pki().ca)
    options.setdefault("client_ca", pki().ca)
    with pytest.raises(ConfigurationError, match=message):
        WebhookReceiver(Recorder(), **options)


def test_a_trust_may_be_given_whole() -> None:
    trust = ClientCertificateTrust(pki().ca, subject=pki().client.subject.rfc4514_string())
    target = WebhookReceiver(Recorder(), client_ca=trust)
    assert target.admission.trust is trust
    assert deliver(target).handled
