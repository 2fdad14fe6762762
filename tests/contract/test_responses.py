"""Responses in the real shapes (FIDELITY §3, §5) match the contract; the shapes the old
sandbox invented do not, so the response schemas can check every sandbox answer."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from xbsec.contract import response_validator, schema_validator

MONEY = {"amount": "100.00", "currency": "USD"}
PROPOSAL = {
    "id": "pen_400000034542210", "resource_type": "proposal", "fees_included": True,
    "expiration_date": "2019-09-09T04:32:52-05:00", "quote_fx_rate": "9.9564",
    "charged_amount": MONEY, "credited_amount": {"amount": "975.71", "currency": "MAD"},
    "principal_amount": {"amount": "98.00", "currency": "USD"},
    "confirmation_expiry_time": "2019-09-09T04:22:52.000-05:00",
}
QUOTE = {"quote": {"transaction_reference": "081700000000000ACFQ", "payment_type": "P2P",
                   "proposals": {"proposal": [PROPOSAL]}}}
PENDING = {"payment": {
    "transaction_reference": "081700000000000RMFQ", "id": "rem_L1qZ8BLdmK9qUAFaGmpOwrpE6N0",
    "resource_type": "payment", "created": "2019-09-09T04:32:52-05:00",
    "proposal_id": "pen_400000034542210", "status": "PENDING",
    "status_timestamp": "2019-09-09T04:32:52-05:00", "pending_stage": "Processing",
    "pending_max_completion_date": "2019-09-11T04:32:52-05:00",
    "fees_amount": {"amount": "2.00", "currency": "USD"}, "charged_amount": MONEY,
    "credited_amount": {"amount": "975.71", "currency": "MAD"}, "principal_amount": MONEY,
    "sender_account_uri": "tel:+2130000", "recipient_account_uri": "tel:+213070001",
    "payment_amount": MONEY, "payment_origination_country": "USA",
    "fx_type": {"forward": {"fees_included": "true", "receiver_currency": "MAD"}},
    "payment_type": "P2P", "fx_rate": "9.9564",
    "settlement_details": MONEY,
}}
REJECTED = {"payment": {
    **{k: v for k, v in PENDING["payment"].items()
       if k not in ("pending_stage", "pending_max_completion_date")},
    "status": "REJECTED", "rejected_status": {"Code": "062000", "Message": "Rejected by RSP"},
}}
BALANCES = [
    {"accountId": "acct_1001", "settlementCurrency": "USD", "accountState": "ACTIVE",
     "openingBalanceTimestamp": "00:00:00Z", "balanceAsOfTimestamp": "2023-05-02T10:15:30Z",
     "balanceDetails": {
         "openingBalance": {"amount": "10000.00", "currency": "USD"},
         "processedAmount": {"amount": "-250.00", "currency": "USD"},
         "reservedBalance": {"amount": "100.00", "currency": "USD"},
         "availableBalance": {"amount": "9650.00", "currency": "USD"},
         "settlementAccountBalance": {"amount": "9750.00", "currency": "USD"},
         "thresholdAmount": {"amount": "1000.00", "currency": "USD"},
         "queuedBalance": {"amount": "0.00", "currency": "USD"},
         "thresholds": [{"type": "LOW_BALANCE", "value": {"low": 1000, "high": 50000.5}}]}},
    {"accountId": "acct_1002", "settlementCurrency": "JPY", "accountState": "ACTIVE"},
]
GUIDE = [{
    "paymentType": "P2P", "destinationCountry": "MAR", "destinationCurrency": "MAD",
    "destinationPaymentInstrument": "BANK",
    "technical": {"lastUpdatedTime": "2024-01-01", "fields": [
        {"fieldName": "recipient.first_name", "mandatory": "M",
         "validationPattern": "^[A-Za-z ]{1,35}$",
         "supportedValues": [{"id": "1", "name": "one"}]}]},
    "business": {"region": "MEA", "supportedCustomerTypes": ["P2P"],
                 "recipientNotification": True, "brands": ["X"], "futureMember": {"x": 1}},
}]
CANCELLED = {"cancelpayment": {"status": "SUCCESS"}}
CONFIRMED = {"transactionReference": "t1", "status": "CONFIRMED",
             "proposalId": "pen_400000034542210",
             "paymentSubmissionExpiryTime": "2023-05-02T10:45:30.000Z"}
RATES = {"rates": {"rate": [{
    "partner_id": "SANDBOX_1234567", "event_type": "CARDFX_PUB", "type": "single",
    "use": "CMSP", "from_currency_code": "USD", "to_currency_code": "EUR",
    "valid_from": "2023-05-02T10:00:00Z", "valid_to": "2023-05-03T10:00:00Z",
    "account_type": "BANK", "tier_identifier_rate": "",
    "tiers": {"tier": [{"from_amount": "", "rate_id": "11ig8xy5uc10fm11cymngqstcqq",
                        "ask_rate": "", "mid_rate": "", "bid_rate": "0.9123"}]}}]}}
RFI = {"retrieveResponse": {
    "requestId": "22f6eca0-5e4c-4f6b-9e2a-8d3f1c2b4a5e", "requestStatus": "OPEN",
    "transactions": [{"recipientUri": "tel:+213070001", "senderUri": "tel:+2130000",
                      "paymentDateTime": "2023-05-02T10:00:00Z",
                      "transactionReference": "t1"}],
    "sender": {"fullName": {"request": {"label": "Full name", "kind": "TEXT"},
                            "review": {"status": "PENDING"}, "response": {"value": None}}}},
    "requestStatus": {"requestHistory": [{"eventRef": "e1", "eventType": "CREATED",
                                          "eventActor": "RFI team",
                                          "timestamp": "2023-05-02T10:00:00Z"}]}}
VALIDATION = {"refId": "r1", "status": "SUCCESS", "message": "ok",
              "receivingEligibility": {"crossBorder": {"eligible": "Y", "fasterFunds": "N"},
                                       "paymentSystem": "MC", "product": "DEBIT",
                                       "status": "ELIGIBLE"}}
BUSINESS_ERROR = {"Errors": {"Error": {
    "RequestId": "13559438", "Source": "proposal_id", "ReasonCode": "DECLINE",
    "Description": "Declined", "Recoverable": "false",
    "Details": {"Detail": {"Name": "ErrorDetailCode", "Value": "082000"}}}}}
GATEWAY_ERROR = {"Errors": {"Error": [{"Source": "Gateway", "ReasonCode": "DECLINED",
                                       "Description": "Unauthorized - Access Not Granted",
                                       "Recoverable": False, "Details": None}]}}

GOOD: list[tuple[str, int, Any]] = [
    ("create_quote", 200, QUOTE),
    ("create_payment", 200, PENDING),
    ("retrieve_payment", 200, PENDING),
    ("retrieve_payment_by_reference", 200, REJECTED),
    ("cancel_payment", 200, CANCELLED),
    ("carded_rates", 200, RATES),
    ("carded_rates", 200, {"rates": {}}),  # 3P: what the real sandbox answers
    ("confirm_quote", 200, CONFIRMED),
    ("cancel_confirmed_quote", 200, {"transactionReference": "t1", "status": "PENDING",
                                     "proposalId": "pen_400000034542210"}),
    ("balances", 200, BALANCES),
    ("balance", 200, BALANCES[0]),
    ("endpoint_guide", 200, GUIDE),
    ("rfi_request", 200, RFI),
    ("update_rfi_request", 200, {"updateResponse": {"referenceId": "x1",
                                                    "requestStatus": "REVIEW"}}),
    ("validate_account", 200, VALIDATION),
    ("generate_ibans", 200, {"ibanDetails": {"accounts": {"account": [
        {"type": "IBAN", "value": "FR1420041010050500013M02606"}]},
        "bank": {"name": "La Banque Postale", "branchCode": "2004101005"}}}),
    ("bank_details", 200, {"bankInfo": {"total": 1, "banks": {"bankData": [{
        "bics": [{"type": "UKSORT", "value": "204846",
                  "ach": {"enabled": False}}], "name": "Barclays Bank PLC",
        "sanctionDetails": {"eu": False, "hmt": False, "ofac": False, "un": False}}]}}}),
    ("validate_address", 200, {"address": {"line1": "1 Main St", "city": "Arlington",
                                           "countrySubdivision": "VA",
                                           "postalCode": "22207", "country": "USA"}}),
    ("set_payment_status", 200, REJECTED),
    ("create_payment", 402, BUSINESS_ERROR),
    ("create_quote", 400, GATEWAY_ERROR),
    ("create_quote", 401, GATEWAY_ERROR),
    ("balance", 404, {"Errors": {"Error": [BUSINESS_ERROR["Errors"]["Error"]] * 2}}),
]


@pytest.mark.parametrize(("operation_id", "status", "body"), GOOD)
def test_real_shapes_match(operation_id: str, status: int, body: Any) -> None:
    assert response_validator(operation_id, status).problems(body) == ()


def _without(document: dict[str, Any], *path: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return changed


def _with(document: Any, value: Any, *path: str | int) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


_P = ("quote", "proposals", "proposal", 0)
BAD: list[tuple[str, str, int, Any, str]] = [
    # (why, operation, status, body, the keyword that refuses it)
    ("fx_rate instead of quote_fx_rate", "create_quote", 200,
     _with(_without(QUOTE, *_P, "quote_fx_rate"), "9.9564", *_P, "fx_rate"), "required"),
    ("fees_included as a string", "create_quote", 200,
     _with(QUOTE, "true", *_P, "fees_included"), "type"),
    ("extra proposal members", "create_quote", 200,
     _with(QUOTE, "pen_1", *_P, "proposal_id"), "additionalProperties"),
    ("the quote request echoed", "create_quote", 200,
     _with(QUOTE, MONEY, "quote", "payment_amount"), "additionalProperties"),
    ("balances in an accounts.account wrapper", "balances", 200,
     {"accounts": {"account": [{"account_id": "acct_1001", "currency": "USD",
                                "balance": "10.00"}]}}, "type"),
    ("a balance in an account wrapper", "balance", 200,
     {"account": {"account_id": "acct_1001"}}, "required"),
    ("status CANCELLED", "retrieve_payment", 200,
     _with(_without(PENDING, "payment", "pending_stage"), "CANCELLED", "payment", "status"),
     "enum"),
    ("PENDING without its stage", "retrieve_payment", 200,
     _without(PENDING, "payment", "pending_stage"), "required"),
    ("a stage after PENDING", "retrieve_payment", 200,
     _with(PENDING, "SUCCESS", "payment", "status"), "not"),
    ("REJECTED without rejected_status", "retrieve_payment", 200,
     _without(REJECTED, "payment", "rejected_status"), "required"),
    ("rejected_status on a creation answer", "create_payment", 200,
     REJECTED, "additionalProperties"),
    ("the old cancellation answer", "cancel_payment", 200,
     {"cancelpayment": {"id": "rem_1", "resource_type": "payment",
                        "transaction_reference": "t1", "status": "CANCELLED",
                        "status_timestamp": "2023-05-02T12:00:00.000Z"}},
     "additionalProperties"),
    ("a quoteconfirmation root", "confirm_quote", 200,
     {"quoteconfirmation": {"transaction_reference": "t1", "proposal_id": "p1",
                            "status": "CONFIRMED"}}, "required"),
    ("the old carded rates", "carded_rates", 200,
     {"rates": {"effective_date": "2023-05-02",
                "rate": [{"sender_currency": "USD", "receiver_currency": "EUR",
                          "fx_rate": "0.91"}]}}, "additionalProperties"),
    ("the old endpoint guide", "endpoint_guide", 200,
     {"specifications": {"fields": [{"name": "x", "requirement": "M"}]}}, "type"),
    ("a timestamp without a zone", "create_payment", 200,
     _with(PENDING, "2019-09-09 04:32:52", "payment", "created"), "pattern"),
    ("a numeric amount", "create_payment", 200,
     _with(PENDING, 100, "payment", "payment_amount", "amount"), "type"),
    ("a gateway error with a string Recoverable", "create_quote", 401,
     _with(GATEWAY_ERROR, "false", "Errors", "Error", 0, "Recoverable"), "type"),
    ("an error without a ReasonCode", "create_payment", 402,
     _without(BUSINESS_ERROR, "Errors", "Error", "ReasonCode"), "required"),
]


@pytest.mark.parametrize(("why", "operation_id", "status", "body", "keyword"), BAD,
                         ids=[case[0] for case in BAD])
def test_invented_or_wrong_shapes_are_refused(why: str, operation_id: str, status: int,
                                              body: Any, keyword: str) -> None:
    problems = response_validator(operation_id, status).problems(body)
    assert problems, why
    assert keyword in {p.keyword for p in problems}, (why, problems)


def test_push_bodies_have_schemas_too() -> None:
    push = {"eventRef": "e-1", "eventType": "PAYMENT",
            "eventTimestamp": "2023-05-02T10:00:00Z", "transactionReference": "t1",
            "payment": REJECTED["payment"]}
    assert schema_validator("StatusChangeNotification").problems(push) == ()
    assert {p.keyword for p in schema_validator("StatusChangeNotification").problems(
        _without(push, "payment"))} == {"required"}
    rfi = {"eventRef": "e-2", "eventType": "REQUEST_CREATED",
           "eventTimestamp": "2023-05-02T10:00:00Z",
           "requestId": "22f6eca0-5e4c-4f6b-9e2a-8d3f1c2b4a5e", "requestStatus": "OPEN"}
    assert schema_validator("RfiNotification").problems(rfi) == ()
    assert schema_validator("CardedRateNotification").problems(
        {"eventRef": "e-3", "rates": RATES["rates"]}) == ()
    assert schema_validator("AccountValidationNotification").problems(
        {"eventRef": "e-4", "eventTimestamp": "2023-05-02T10:00:00Z",
         "accountValidation": VALIDATION}) == ()
