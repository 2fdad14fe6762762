"""Reading pushes into typed events: each kind, its attributes, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.webhooks import samples
from xbsec.contract import request_validator
from xbsec.contract.notifications import OPERATIONS, notification_kind
from xbsec.errors import PushNotificationError
from xbsec.webhooks import (
    AccountValidationEvent,
    CardedRateEvent,
    RfiEvent,
    StatusChangeEvent,
    parse_event,
)


@pytest.mark.parametrize(("kind", "document"), [
    ("statusChange", samples.status_change()),
    ("statusChange", samples.status_change(status="REJECTED")),
    ("statusChange", samples.quote_status_change()),
    ("cardedRate", samples.carded_rate()),
    ("rfi", samples.rfi()),
    ("accountValidation", samples.account_validation()),
])
def test_the_samples_are_pushes_in_the_contracts_shapes(kind: str, document: Any) -> None:
    assert notification_kind(document) == kind
    request_validator(OPERATIONS[kind]).validate(document)  # type: ignore[index]


def test_a_payment_status_change() -> None:
    event = parse_event(samples.status_change(), encrypted=True)
    assert isinstance(event, StatusChangeEvent)
    assert (event.event_ref, event.kind, event.event_type) == ("rem_A1-SUCCESS", "statusChange",
                                                               "PAYMENT")
    assert (event.status, event.transaction_reference, event.partner_id) == (
        "SUCCESS", "REF123", "SANDBOX_1")
    assert event.payment is not None
    assert event.payment["id"] == "rem_A1"
    assert event.quote is None
    assert event.encrypted
    assert event.timestamp == "2024-01-02T03:05:05-05:00"
    assert event.payload == samples.status_change()


def test_a_quote_status_change_reads_the_cancellation_first() -> None:
    event = parse_event(samples.quote_status_change())
    assert isinstance(event, StatusChangeEvent)
    assert (event.event_type, event.payment, event.status) == ("QUOTE", None, "CANCELLED")
    document = samples.quote_status_change()
    del document["quote"]["quote"]["cancelStatus"]
    assert parse_event(document).status == "CONFIRMED"  # type: ignore[union-attr]
    document["quote"]["quote"]["confirmStatus"] = "CONFIRMED"
    assert parse_event(document).status is None  # type: ignore[union-attr]
    document["quote"]["quote"] = "not an object"
    assert parse_event(document).status is None  # type: ignore[union-attr]


def test_carded_rates_rfi_and_account_validation() -> None:
    rates = parse_event(samples.carded_rate())
    assert isinstance(rates, CardedRateEvent)
    assert rates.timestamp is None
    assert rates.partner_id is None
    assert rates.rates[0]["to_currency_code"] == "EUR"
    assert parse_event({"eventRef": "r", "rates": {}}).rates == ()  # type: ignore[union-attr]

    request = parse_event(samples.rfi())
    assert isinstance(request, RfiEvent)
    assert (request.event_type, request.request_id, request.request_status) == (
        "REQUEST_CREATED", "4b7e", "OPEN")
    assert request.transactions == ({"transactionReference": "REF123"},)

    validation = parse_event(samples.account_validation())
    assert isinstance(validation, AccountValidationEvent)
    assert (validation.status, validation.ref_id) == ("SUCCESS", "r-1")
    assert validation.result["message"] == "ok"


def test_members_it_does_not_know_are_kept_not_refused() -> None:
    document = {**samples.rfi(), "somethingNew": {"x": 1}}
    assert parse_event(document).payload["somethingNew"] == {"x": 1}


def _broken(document: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    target = document
    for name in path[:-1]:
        target = target[name]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


@pytest.mark.parametrize(("document", "named"), [
    (_broken(samples.status_change(), ("eventRef",), KeyError), "eventRef"),
    (_broken(samples.status_change(), ("eventRef",), ""), "eventRef"),
    (_broken(samples.status_change(), ("eventRef",), "x" * 257), "eventRef"),
    (_broken(samples.status_change(), ("eventRef",), 12), "eventRef"),
    (_broken(samples.status_change(), ("payment",), KeyError), "payment"),
    (_broken(samples.status_change(), ("payment", "status"), KeyError), "status"),
    (_broken(samples.status_change(), ("transactionReference",), None), "transactionReference"),
    (_broken(samples.status_change(), ("eventTimestamp",), KeyError), "eventTimestamp"),
    (_broken(samples.status_change(), ("partnerId",), 7), "partnerId"),
    (_broken(samples.quote_status_change(), ("quote",), []), "quote"),
    (_broken(samples.carded_rate(), ("rates",), []), "rates"),
    (_broken(samples.carded_rate(), ("rates", "rate"), "x"), "rates.rate"),
    (_broken(samples.carded_rate(), ("rates", "rate"), [1]), "rates.rate"),
    (_broken(samples.rfi(), ("requestStatus",), KeyError), "requestStatus"),
    (_broken(samples.rfi(), ("transactions",), {"a": 1}), "transactions"),
    (_broken(samples.account_validation(), ("accountValidation", "status"), ""), "status"),
    (_broken(samples.account_validation(), ("accountValidation",), "x"), "accountValidation"),
])
def test_a_push_missing_what_its_event_needs_is_refused_by_name(document: Any,
                                                                named: str) -> None:
    with pytest.raises(PushNotificationError) as refused:
        parse_event(document)
    assert (refused.value.status, refused.value.reason) == (400, "INVALID_NOTIFICATION")
    assert named in str(refused.value)


@pytest.mark.parametrize("document", [[], "x", None, {}, {"eventRef": "a"},
                                      {"eventRef": "a", "eventType": "OTHER"}])
def test_a_document_that_is_no_push_is_refused(document: Any) -> None:
    assert notification_kind(document) is None
    with pytest.raises(PushNotificationError) as refused:
        parse_event(document)
    assert (refused.value.status, refused.value.reason) == (400, "UNKNOWN_NOTIFICATION")
