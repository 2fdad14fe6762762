"""Every XBSClient method builds the request the contract describes: its operation's method
and path, and a body that the operation's request schema accepts (JSON and, where the API
speaks it, XML). Checked on the Call each method builds, before any network."""

from __future__ import annotations

import re
from typing import Any

import pytest

from xbsec.client.endpoints import Call, Endpoint, SyncEndpoints, XBSEndpoints
from xbsec.contract import JSON, XML, operation, operation_ids, request_validator

PARTNER = "SANDBOX_1234567"
PAYMENT = {"transaction_reference": "0999999034810154901",
           "sender_account_uri": "tel:+254108989", "recipient_account_uri": "tel:+254700001",
           "payment_amount": {"amount": "100.00", "currency": "USD"},
           "payment_origination_country": "USA", "payment_type": "P2P"}


class Recorder(SyncEndpoints, XBSEndpoints):
    """A client that keeps each Call instead of sending it."""

    partner_id = PARTNER

    def __init__(self) -> None:
        self.calls: list[Call[Any]] = []

    def _call(self, call: Call[Any]) -> Any:
        self.calls.append(call)
        return None


# Each endpoint method with arguments that make a complete, realistic request.
CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "create_quote": ((dict(PAYMENT, quote_type={"forward": {"receiver_currency": "EUR"}}),),
                     {}),
    "create_payment": (({"transaction_reference": "PAY-1", "proposal_id": "pen_1",
                         "sender": {"first_name": "Pat", "last_name": "Rose"}},), {}),
    "retrieve_payment": (("rem_1",), {}),
    "retrieve_payment_by_reference": (("PAY-1",), {}),
    "cancel_payment": (("rem_1",), {}),
    "carded_rates": ((), {}),
    "confirm_quote": (("0999999034810154901", "pen_1"), {}),
    "cancel_confirmed_quote": (("0999999034810154901", "pen_1"), {}),
    "retrieve_confirmed_quote": (("0999999034810154901", "pen_1"), {}),
    "balances": ((), {"include_balance": True}),
    "balance": (("acct_1001",), {}),
    "validate_account": (({"requestType": "CES",
                           "accountUri": {"type": "PAN", "value": "4960144263583144"}},), {}),
    "generate_ibans": (({"accountUri": {"type": "ban", "value": "0604511619000000000001"},
                         "country": "ITA"},), {}),
    "bank_details": (({"name": "Barclays Bank PLC", "country": "GBR",
                       "bic": {"type": "UKSORT", "value": "204846"}},), {}),
    "validate_address": (({"line1": "1 Main St", "city": "Arlington", "country": "USA"},), {}),
    "endpoint_guide": ((), {"payment_type": "P2P", "destination_payment_instrument": "BANK",
                            "destination_country": "DEU", "destination_currency": "EUR"}),
    "rfi_request": (("22f6eca0-0000-4000-8000-000000000000",), {}),
    "update_rfi_request": (("22f6eca0-0000-4000-8000-000000000000",
                            {"sender": {"fullName": "Joseph Bloggs"}}), {}),
    "upload_rfi_document": (({"fileName": "a.pdf", "file": "JVBERi0xLjc="},), {}),
    "download_rfi_document": (("a04b4f7d-0000-4000-8000-000000000000",), {}),
    "set_payment_status": (("rem_1", "REJECTED"), {"code": "AML", "message": "Screened"}),
    "sandbox_rfi_notification": (("rem_1",), {}),
}
XML_CALLS = ("create_quote", "create_payment", "cancel_payment", "confirm_quote")


def _built(name: str, **extra: Any) -> Call[Any]:
    client = Recorder()
    args, kwargs = CALLS[name]
    getattr(client, name)(*args, **kwargs, **extra)
    (call,) = client.calls
    return call


def _path_pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))


def test_every_operation_has_a_client_method() -> None:
    endpoints = {name for name, value in vars(XBSEndpoints).items()
                 if isinstance(value, Endpoint)}
    real = {op for op in operation_ids() if not operation(op).webhook}
    assert endpoints == real == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_method_builds_its_operations_request(name: str) -> None:
    call = _built(name)
    op = operation(name)
    assert call.operation_id == name
    assert call.method == op.method
    assert _path_pattern(op.path).fullmatch(call.path), (call.path, op.path)
    if op.request_media_types:
        assert call.document is not None
        media_type = JSON if call.format in (None, "json") else XML
        problems = request_validator(name, media_type).problems(call.document)
        assert problems == (), problems
    else:
        assert call.document is None


@pytest.mark.parametrize("name", XML_CALLS)
def test_the_xml_request_matches_the_xml_schema(name: str) -> None:
    call = _built(name, format="xml")
    assert request_validator(name, XML).problems(call.document) == ()


def test_the_reference_apps_cancel_and_confirmation_shapes() -> None:
    assert _built("confirm_quote").document == {"transactionReference": "0999999034810154901",
                                                "proposalId": "pen_1"}
    assert _built("confirm_quote", format="xml").document == {"quoteconfirmationrequest": {
        "transactionReference": "0999999034810154901", "proposalId": "pen_1"}}
    assert _built("cancel_confirmed_quote").document == {
        "transactionReference": "0999999034810154901", "proposalId": "pen_1"}
    assert _built("cancel_payment").document == {"cancelpaymentrequest": {}}


def test_balances_leave_include_balance_out_by_default_as_mastercard() -> None:
    client = Recorder()
    client.balances()
    client.balance("acct_1001")
    assert [call.query for call in client.calls] == [(), ()]
    assert _built("balances").query == (("include_balance", "true"),)
