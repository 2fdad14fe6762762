"""What the sandbox puts in its push outbox, and when: every body in the contract's shape.

In process, on a pinned clock; the sending itself is tested over real TLS in
``tests/e2e/test_push_notifications.py``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import (
    PARTNER,
    V0,
    confirmation,
    new_payment,
    new_proposal,
    reasons,
    rfi_request_id,
    scoped_client,
    send,
    set_status,
)
from xbsec.contract import request_validator
from xbsec.contract.notifications import OPERATIONS
from xbsec.sandbox import SandboxApp, create_sandbox_app
from xbsec.sandbox.proposals import CANCELLATION_SECONDS
from xbsec.sandbox.pushes import carded_rates_due, due_quote_cancellations, due_status_changes
from xbsec.sandbox.timestamps import iso_timestamp
from xbsec.sandbox.triggers import RETURN_SECONDS, SETTLEMENT_SECONDS
from xbsec.webhooks import StatusChangeEvent, parse_event

pytestmark = pytest.mark.anyio


class Waker:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1


@pytest.fixture
def waker() -> Waker:
    return Waker()


@pytest.fixture
def pushing(database: Path, clock: FakeClock, waker: Waker) -> Iterator[SandboxApp]:
    sandbox = create_sandbox_app(database, clock=clock, pushes=waker)
    yield sandbox
    sandbox.close()


@pytest.fixture
async def http(pushing: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=pushing),
                                 base_url="http://sandbox") as client:
        yield client


def outbox(database: Path) -> list[dict[str, Any]]:
    """The pushes, oldest first, each body checked against the contract."""
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT kind, partner_id, payment_id, document, state"
                                  " FROM push_outbox ORDER BY id").fetchall()
    found = []
    for kind, partner, payment_id, document, state in rows:
        parsed = json.loads(document)
        request_validator(OPERATIONS[kind]).validate(parsed)
        found.append({"kind": kind, "partner": partner, "payment_id": payment_id,
                      "state": state, "body": parsed})
    return found


def scan(app: SandboxApp, now: float) -> int:
    with app.store.transaction(write=True) as db:
        return due_status_changes(db, now)


def quote_scan(app: SandboxApp, now: float) -> int:
    with app.store.transaction(write=True) as db:
        return due_quote_cancellations(db, now)


async def test_a_status_set_by_the_control_endpoint_is_pushed_in_the_real_shape(
        http: httpx.AsyncClient, database: Path, waker: Waker) -> None:
    payment = await new_payment(http, "REF-A")
    assert outbox(database) == []  # a new payment is not pushed
    assert (await set_status(http, payment["id"], "SUCCESS")).status_code == 200
    (push,) = outbox(database)
    assert push["kind"] == "statusChange"
    assert push["payment_id"] == payment["id"]
    assert push["state"] == "pending"
    body = push["body"]
    assert body["eventRef"] == f"{payment['id']}-SUCCESS"
    assert (body["eventType"], body["partnerId"], body["transactionReference"]) == (
        "PAYMENT", PARTNER, "REF-A")
    assert body["payment"]["status"] == "SUCCESS"
    assert body["payment"]["id"] == payment["id"]
    assert "pending_stage" not in body["payment"]
    assert waker.calls >= 3


async def test_a_rejection_carries_its_rejected_status(http: httpx.AsyncClient,
                                                       database: Path) -> None:
    payment = await new_payment(http, "REF-R")
    await set_status(http, payment["id"], "REJECTED", code="AML", message="Screened out")
    (push,) = outbox(database)
    assert push["body"]["payment"]["rejected_status"] == {"Code": "AML",
                                                          "Message": "Screened out"}


async def test_statuses_reached_by_the_schedule_are_pushed_once_with_their_own_time(
        http: httpx.AsyncClient, pushing: SandboxApp, database: Path, clock: FakeClock) -> None:
    returned = await new_payment(http, "REF-RET")  # the reference suffix RET: SUCCESS, RETURNED
    rejected = await new_payment(http, "REF-REJ")
    held = await new_payment(http, "REF-HOLD")
    created = clock.now
    assert scan(pushing, clock.now) == 0
    clock.advance(SETTLEMENT_SECONDS + 5)
    assert scan(pushing, clock.now) == 2
    assert scan(pushing, clock.now) == 0
    clock.advance(RETURN_SECONDS)
    assert scan(pushing, clock.now) == 1
    assert scan(pushing, clock.now + 3600) == 0
    pushes = outbox(database)
    assert [p["body"]["eventRef"] for p in pushes] == [
        f"{returned['id']}-SUCCESS", f"{rejected['id']}-REJECTED", f"{returned['id']}-RETURNED"]
    assert {p["payment_id"] for p in pushes} == {returned["id"], rejected["id"]}
    assert held["id"] not in {p["payment_id"] for p in pushes}
    success = pushes[0]["body"]
    assert success["eventTimestamp"] == iso_timestamp(created + SETTLEMENT_SECONDS)
    assert pushes[2]["body"]["payment"]["return_status"]["Message"]


async def test_a_status_set_after_an_unpushed_settlement_pushes_both_in_order(
        http: httpx.AsyncClient, database: Path, clock: FakeClock) -> None:
    payment = await new_payment(http, "REF-S")
    clock.advance(SETTLEMENT_SECONDS + 1)  # settled, and no scan has seen it
    assert (await set_status(http, payment["id"], "RETURNED")).status_code == 200
    assert [p["body"]["payment"]["status"] for p in outbox(database)] == ["SUCCESS",
                                                                           "RETURNED"]


async def test_a_cancellation_is_pushed_and_so_is_its_requests_cancellation(
        http: httpx.AsyncClient, database: Path) -> None:
    payment = await new_payment(http, "REF-C", recipient_account_uri="tel:+254700000001",
                                payment_amount={"amount": "10000.00", "currency": "USD"})
    request_id = await rfi_request_id(http, payment["id"])
    response = await send(http, "POST", f"/send/v1/partners/{PARTNER}/crossborder/"
                          f"{payment['id']}/cancel")
    assert response.status_code == 200, response.text
    pushes = outbox(database)
    assert [(p["kind"], p["body"]["eventRef"]) for p in pushes] == [
        ("rfi", f"{request_id}-1"), ("statusChange", f"{payment['id']}-REJECTED"),
        ("rfi", f"{request_id}-2")]
    assert pushes[1]["body"]["payment"]["rejected_status"]["Code"] == "CANCELLED"
    assert (pushes[2]["body"]["eventType"], pushes[2]["body"]["requestStatus"]) == (
        "REQUEST_CANCELLED", "CANCELLED")
    history = (await http.get(f"{V0}/rfi/requests/{request_id}")).json()
    assert [e["eventType"] for e in history["requestStatus"]["requestHistory"]] == [
        "REQUEST_CREATED", "REQUEST_CANCELLED"]


async def test_a_confirmed_quotes_cancellation_is_pushed_once_it_is_done(
        http: httpx.AsyncClient, pushing: SandboxApp, database: Path,
        clock: FakeClock) -> None:
    reference = "REF-Q"
    proposal_id = await new_proposal(http, transaction_reference=reference)
    confirmed = await send(http, "POST", f"{V0}/quotes/confirmations",
                           confirmation(reference, proposal_id))
    assert confirmed.status_code == 200, confirmed.text
    asked = clock.now
    cancelled = await send(http, "POST", f"{V0}/quotes/cancellations",
                           confirmation(reference, proposal_id))
    assert cancelled.status_code == 200, cancelled.text
    assert quote_scan(pushing, clock.now) == 0
    assert outbox(database) == []  # neither the confirmation nor the asking is pushed
    clock.advance(CANCELLATION_SECONDS)
    assert quote_scan(pushing, clock.now) == 1
    assert quote_scan(pushing, clock.now + 60) == 0
    (push,) = outbox(database)
    assert (push["kind"], push["partner"], push["payment_id"]) == ("statusChange", PARTNER, None)
    pushed = push["body"]
    assert (pushed["eventRef"], pushed["eventType"], pushed["transactionReference"]) == (
        f"{proposal_id}-CANCELLED", "QUOTE", reference)
    assert pushed["eventTimestamp"] == iso_timestamp(asked + CANCELLATION_SECONDS)
    # The quote as its retrieval answers it, even when the push loop sees it late.
    url = f"{V0}/quotes/{reference}/proposals/{proposal_id}"
    assert pushed["quote"] == (await http.get(url)).json()
    assert pushed["quote"]["quote"]["cancelStatus"]["status"] == "CANCELLED"
    event = parse_event(pushed)
    assert isinstance(event, StatusChangeEvent)
    assert (event.event_type, event.status) == ("QUOTE", "CANCELLED")


async def test_a_cancellation_asked_while_pushes_were_off_is_not_pushed(
        client: httpx.AsyncClient, app: SandboxApp, database: Path, clock: FakeClock) -> None:
    proposal_id = await new_proposal(client, transaction_reference="REF-QOFF")
    for path in ("confirmations", "cancellations"):
        answer = await send(client, "POST", f"{V0}/quotes/{path}",
                            confirmation("REF-QOFF", proposal_id))
        assert answer.status_code == 200, answer.text
    clock.advance(CANCELLATION_SECONDS)
    assert quote_scan(app, clock.now) == 0
    assert outbox(database) == []


async def test_each_event_of_a_request_for_information_is_pushed(
        http: httpx.AsyncClient, database: Path) -> None:
    payment = await new_payment(http, "REF-RFI",
                                payment_amount={"amount": "12000.00", "currency": "USD"})
    request_id = await rfi_request_id(http, payment["id"])
    response = await send(http, "POST", f"{V0}/rfi/requests/{request_id}",
                          {"updateRequest": {"sender": {"fullName": "Pat Rose"}}})
    assert response.status_code == 200, response.text
    first, second = outbox(database)
    assert first["body"] == (await http.get(f"/sandbox/payments/{payment['id']}/rfi")).json() \
        | {"requestStatus": "OPEN"}
    assert (first["body"]["eventType"], first["body"]["requestStatus"]) == (
        "REQUEST_CREATED", "OPEN")
    assert (second["body"]["eventRef"], second["body"]["eventType"],
            second["body"]["requestStatus"]) == (f"{request_id}-2", "REQUEST_UPDATED", "REVIEW")
    assert second["body"]["transactions"][0]["transactionReference"] == "REF-RFI"


async def test_an_account_validation_is_pushed_with_its_answer(http: httpx.AsyncClient,
                                                               database: Path) -> None:
    response = await send(http, "POST", f"{V0}/accounts/validations",
                          {"requestType": "IVS", "accountUri": {
                              "type": "IBAN", "value": "DE89370400440532013000"}})
    assert response.status_code == 200, response.text
    (push,) = outbox(database)
    assert push["kind"] == "accountValidation"
    assert push["body"]["accountValidation"] == response.json()
    assert push["body"]["eventRef"] == response.json()["refId"]


async def test_carded_rates_are_pushed_once_a_day_to_each_partner(
        pushing: SandboxApp, database: Path, clock: FakeClock) -> None:
    with pushing.store.transaction(write=True) as db:
        assert carded_rates_due(db, ["P1", "P2", "P1"], clock.now) == 2
        assert carded_rates_due(db, ["P1", "P2"], clock.now + 1) == 0
        assert carded_rates_due(db, ["P1", "P2"], clock.now + 86400) == 2
    pushes = outbox(database)
    assert [p["partner"] for p in pushes] == ["P1", "P2", "P1", "P2"]
    assert pushes[0]["body"]["eventRef"].startswith("rates-P1-")
    assert pushes[0]["body"]["eventRef"] != pushes[2]["body"]["eventRef"]
    assert pushes[0]["body"]["rates"]["rate"][0]["partner_id"] == "P1"


async def test_without_pushes_nothing_is_pushed_even_when_they_come_on_later(
        client: httpx.AsyncClient, app: SandboxApp, database: Path, clock: FakeClock) -> None:
    payment = await new_payment(client, "REF-OFF",
                                payment_amount={"amount": "10000.00", "currency": "USD"})
    await set_status(client, payment["id"], "SUCCESS")
    other = await new_payment(client, "REF-OFF2")
    clock.advance(SETTLEMENT_SECONDS + 1)
    assert scan(app, clock.now) == 0
    assert outbox(database) == []
    assert other["status"] == "PENDING"


async def test_the_deliveries_endpoint_lists_the_callers_pushes(
        pushing: SandboxApp, http: httpx.AsyncClient) -> None:
    payment = await new_payment(http, "REF-L")
    await set_status(http, payment["id"], "SUCCESS")
    with pushing.store.transaction(write=True) as db:
        carded_rates_due(db, [PARTNER, "SOMEONE_ELSE"], pushing.clock())
    listed = (await http.get("/sandbox/webhooks/deliveries")).json()["deliveries"]
    assert [d["type"] for d in listed] == ["cardedRate", "cardedRate", "statusChange"]
    status = listed[2]
    assert (status["eventRef"], status["state"], status["attempts"], status["paymentId"]) == (
        f"{payment['id']}-SUCCESS", "pending", 0, payment["id"])
    assert "nextAttempt" in status
    assert "lastStatus" not in status
    only = (await http.get("/sandbox/webhooks/deliveries",
                           params={"paymentId": payment["id"]})).json()["deliveries"]
    assert [d["eventRef"] for d in only] == [status["eventRef"]]
    by_ref = (await http.get("/sandbox/webhooks/deliveries",
                             params={"eventRef": status["eventRef"],
                                     "state": "pending"})).json()["deliveries"]
    assert len(by_ref) == 1
    assert (await http.get("/sandbox/webhooks/deliveries",
                           params={"state": "failed"})).json() == {"deliveries": []}
    async with scoped_client(pushing, [PARTNER]) as mine:
        scoped = (await mine.get("/sandbox/webhooks/deliveries")).json()["deliveries"]
    assert {d["partnerId"] for d in scoped} == {PARTNER}
    assert len(scoped) == 2
    async with scoped_client(pushing, []) as nobody:
        assert (await nobody.get("/sandbox/webhooks/deliveries")).json() == {"deliveries": []}


@pytest.mark.parametrize(("query", "source"), [
    ({"state": "lost"}, "state"), ({"eventRef": "x" * 65}, "eventRef"),
    ({"paymentId": "x" * 32}, "paymentId")])
async def test_the_deliveries_endpoint_refuses_a_bad_query(http: httpx.AsyncClient,
                                                           query: dict[str, str],
                                                           source: str) -> None:
    response = await http.get("/sandbox/webhooks/deliveries", params=query)
    assert response.status_code == 400
    assert {item[0] for item in reasons(response)} == {source}
