"""The Errors envelope: every shape of SPEC §2.8 and §8.3 read, the gateway form written."""

from __future__ import annotations

import json

import pytest

from xbsec import PayloadError
from xbsec.error_envelope import ErrorDetail, ErrorItem, parse_errors, render_errors

SINGLE = {"Errors": {"Error": {
    "RequestId": "13559438", "Source": "proposal_id", "ReasonCode": "INVALID_INPUT_VALUE",
    "Description": "Invalid Input Value", "Recoverable": "false",
    "Details": {"Detail": {"Name": "ErrorDetailCode", "Value": "082000"}}}}}
MULTIPLE = {"Errors": {"Error": [
    {"Source": "amount", "ReasonCode": "INVALID_INPUT_LENGTH", "Description": "a",
     "Recoverable": True, "Details": {"Detail": [{"Name": "n1", "Value": "v1"},
                                                 {"Name": "n2", "Value": 2}]}},
    {"Source": "currency", "ReasonCode": "MISSING_REQUIRED_INPUT", "Description": "b",
     "Recoverable": "TRUE", "Details": None},
]}}
GATEWAY = (b'{"Errors":{"Error":[{"Source":"Gateway","ReasonCode":"AUTHENTICATION_FAILED",'
           b'"Description":"Signature verification failed","Recoverable":false,'
           b'"Details":null}]}}')


def test_single_error_object_with_a_single_detail() -> None:
    (item,) = parse_errors(json.dumps(SINGLE).encode(), "json")
    assert item == ErrorItem("proposal_id", "INVALID_INPUT_VALUE", "Invalid Input Value",
                             False, (ErrorDetail("ErrorDetailCode", "082000"),), "13559438")
    assert not item.from_gateway


def test_several_errors_and_details_in_arrays_with_boolean_or_string_recoverable() -> None:
    first, second = parse_errors(json.dumps(MULTIPLE).encode(), "json")
    assert first.recoverable is True
    assert first.details == (ErrorDetail("n1", "v1"), ErrorDetail("n2", "2"))
    assert second.recoverable is True
    assert second.details == ()


def test_the_gateway_envelope() -> None:
    (item,) = parse_errors(GATEWAY, "json")
    assert item.from_gateway
    assert item.reason_code == "AUTHENTICATION_FAILED"
    assert item.recoverable is False


def test_missing_members_are_empty_and_scalars_become_text() -> None:
    (item,) = parse_errors(b'{"Errors":{"Error":{"Source":true,"ReasonCode":42}}}', "json")
    assert (item.source, item.reason_code, item.description) == ("true", "42", "")
    assert item.request_id is None


def test_render_keeps_the_request_id_first() -> None:
    body = render_errors([ErrorItem("s", "R", "d", request_id="77")], "json")
    assert body.startswith(b'{"Errors":{"Error":[{"RequestId":"77","Source":"s"')


def test_member_names_are_matched_without_case() -> None:
    body = b'{"errors":{"error":{"source":"x","reasoncode":"Y","description":"z"}}}'
    assert parse_errors(body, "json")[0].reason_code == "Y"


def test_xml_forms() -> None:
    body = (b"<Errors><Error><RequestId>1</RequestId><Source>Endpoint</Source>"
            b"<ReasonCode>RESOURCE_UNKNOWN</ReasonCode><Description>no</Description>"
            b"<Recoverable>false</Recoverable><Details><Detail><Name>a</Name><Value>b</Value>"
            b"</Detail><Detail><Name>c</Name><Value>d</Value></Detail></Details></Error>"
            b"<Error><Source>s</Source><ReasonCode>R</ReasonCode><Description/>"
            b"<Recoverable>true</Recoverable><Details/></Error></Errors>")
    first, second = parse_errors(body, "xml")
    assert first.details == (ErrorDetail("a", "b"), ErrorDetail("c", "d"))
    assert first.request_id == "1"
    assert second.recoverable is True
    assert second.description == ""


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_render_then_parse_round_trips(fmt) -> None:
    items = parse_errors(json.dumps(MULTIPLE).encode(), "json")
    assert parse_errors(render_errors(items, fmt), fmt) == items  # type: ignore[arg-type]


def test_render_writes_the_gateway_form_exactly() -> None:
    item = ErrorItem("Gateway", "AUTHENTICATION_FAILED", "Signature verification failed")
    assert render_errors([item], "json") == GATEWAY


@pytest.mark.parametrize(("body", "message"), [
    (b"<html>502 Bad Gateway</html>", "is not valid JSON"),
    (b"[]", "not an Errors envelope"),
    (b'{"error":"invalid_grant"}', "not an Errors envelope"),
    (b'{"Errors":{}}', "holds no Error"),
    (b'{"Errors":{"Error":["x"]}}', "not an object"),
    (b'{"Errors":{"Error":{"Details":{"Detail":[1]}}}}', "Detail in the Errors"),
    (b'{"Errors":{"Error":{"Source":{"a":1}}}}', "holds an object"),
])
def test_malformed_bodies_are_payload_errors(body, message) -> None:
    with pytest.raises(PayloadError, match=message):
        parse_errors(body, "json")
