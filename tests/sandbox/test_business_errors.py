"""The XBS business form of the Errors envelope (SPEC §8.3), as the sandbox writes it."""

from __future__ import annotations

import json

import pytest

from xbsec.documents import loads_xml
from xbsec.error_envelope import ErrorDetail, ErrorItem, parse_errors
from xbsec.errors import PayloadError
from xbsec.sandbox import Refusal, render_business_errors

DECLINED = ErrorItem("proposal_id", "INVALID_INPUT_VALUE", "Invalid Input Value",
                     details=(ErrorDetail("ErrorDetailCode", "082000"),),
                     request_id="13559438")


def test_one_error_is_the_spec_example_byte_for_byte() -> None:
    assert render_business_errors([DECLINED], "json") == (
        b'{"Errors":{"Error":{"RequestId":"13559438","Source":"proposal_id",'
        b'"ReasonCode":"INVALID_INPUT_VALUE","Description":"Invalid Input Value",'
        b'"Recoverable":"false",'
        b'"Details":{"Detail":{"Name":"ErrorDetailCode","Value":"082000"}}}}}')


def test_several_errors_and_details_are_arrays() -> None:
    second = ErrorItem("payment_type", "MISSING_REQUIRED_INPUT", "payment_type is required",
                       recoverable=True, details=(ErrorDetail("A", "1"), ErrorDetail("B", "2")))
    document = json.loads(render_business_errors([DECLINED, second], "json"))
    errors = document["Errors"]["Error"]
    assert isinstance(errors, list)
    assert [e["Source"] for e in errors] == ["proposal_id", "payment_type"]
    assert errors[1]["Recoverable"] == "true"
    assert errors[1]["Details"]["Detail"] == [{"Name": "A", "Value": "1"},
                                              {"Name": "B", "Value": "2"}]
    assert "RequestId" not in errors[1]


def test_an_error_without_details_has_no_details_member() -> None:
    item = ErrorItem("Endpoint", "RESOURCE_UNKNOWN", "no such endpoint")
    assert "Details" not in json.loads(render_business_errors([item], "json"))["Errors"]["Error"]


def test_xml_form_has_the_same_structure() -> None:
    xml = render_business_errors([DECLINED], "xml")
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Errors><Error>')
    assert loads_xml(xml) == {"Errors": {"Error": {
        "RequestId": "13559438", "Source": "proposal_id", "ReasonCode": "INVALID_INPUT_VALUE",
        "Description": "Invalid Input Value", "Recoverable": "false",
        "Details": {"Detail": {"Name": "ErrorDetailCode", "Value": "082000"}}}}}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_parser_reads_it_back(fmt: str) -> None:
    second = ErrorItem("x", "DECLINE", "declined", details=(ErrorDetail("N", "V"),))
    for items in ([DECLINED], [DECLINED, second]):
        assert parse_errors(render_business_errors(items, fmt), fmt) == tuple(items)  # type: ignore[arg-type]


def test_an_empty_envelope_is_refused() -> None:
    with pytest.raises(PayloadError):
        render_business_errors([], "json")
    with pytest.raises(PayloadError):
        Refusal(400, [])
