"""conform_xml: what XML cannot say (a list of one, null, a boolean), the schema says."""

from __future__ import annotations

from typing import Any

import pytest

from xbsec.contract import XML, conform_xml, operation, response_validator
from xbsec.documents import dumps_xml, loads_xml
from xbsec.errors import ConfigurationError

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "root": {"$ref": "#/$defs/Root"},
    },
    "$defs": {
        "Root": {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/$defs/Item"},
                          "xml": {"wrapped": False}},
                "names": {"type": "array", "items": {"type": "string", "xml": {"name": "name"}},
                          "xml": {"wrapped": True}},
                "flag": {"type": "boolean"},
                "count": {"type": ["integer", "null"]},
                "ratio": {"type": "number"},
                "note": {"type": ["string", "null"]},
                "text": {"type": "string"},
                "nested": {"$ref": "#/$defs/Item"},
                "either": {"anyOf": [{"$ref": "#/$defs/Item"},
                                     {"type": "array", "items": {"$ref": "#/$defs/Item"}}]},
                "choice": {"anyOf": [{"type": "boolean"}, {"type": "string"}]},
                "renamed": {"type": "boolean", "xml": {"name": "Renamed"}},
            },
        },
        "Item": {"type": "object", "properties": {"on": {"type": "boolean"}}},
    },
}


def _conform(xml: str) -> Any:
    return conform_xml(loads_xml(xml.encode()), SCHEMA)["root"]


def test_a_lone_element_becomes_a_list_of_one_where_the_schema_says_array() -> None:
    assert _conform("<root><items><on>true</on></items></root>") == {"items": [{"on": True}]}
    assert _conform("<root><items><on>true</on></items><items><on>false</on></items></root>") \
        == {"items": [{"on": True}, {"on": False}]}


def test_a_wrapped_array_loses_its_wrapper() -> None:
    assert _conform("<root><names><name>a</name></names></root>") == {"names": ["a"]}
    assert _conform("<root><names><name>a</name><name>b</name></names></root>") == \
        {"names": ["a", "b"]}
    assert _conform("<root><names/></root>") == {"names": []}


def test_empty_elements_become_null_an_empty_object_or_stay_empty() -> None:
    assert _conform("<root><note/><count/><nested/><items/><text/></root>") == {
        "note": None, "count": None, "nested": {}, "items": [], "text": ""}
    # xsi:nil is an attribute, which the parser does not read: it is just empty.
    nil = '<root xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><note xsi:nil="true"/>'
    assert _conform(nil + "</root>") == {"note": None}


def test_text_becomes_a_boolean_or_a_number_where_the_schema_wants_one() -> None:
    assert _conform("<root><flag>false</flag><count>12</count><ratio>1.25</ratio>"
                    "<text>true</text></root>") == {
        "flag": False, "count": 12, "ratio": 1.25, "text": "true"}
    # Text that is not what the schema wants is left for validation to refuse.
    assert _conform("<root><flag>yes</flag><count>1.5</count></root>") == {
        "flag": "yes", "count": "1.5"}


def test_a_choice_keeps_a_single_object_and_prefers_text_when_text_is_allowed() -> None:
    assert _conform("<root><either><on>true</on></either></root>") == {"either": {"on": True}}
    assert _conform("<root><either><on>true</on></either><either/></root>") == {
        "either": [{"on": True}, {}]}
    assert _conform("<root><choice>true</choice></root>") == {"choice": "true"}


def test_an_element_renamed_by_xml_name_is_found_and_unknown_ones_are_kept() -> None:
    assert _conform("<root><Renamed>true</Renamed><other>x</other></root>") == {
        "Renamed": True, "other": "x"}


def test_the_document_is_not_modified() -> None:
    document = loads_xml(b"<root><items><on>true</on></items></root>")
    conform_xml(document, SCHEMA)
    assert document == {"root": {"items": {"on": "true"}}}


def test_a_reference_outside_defs_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="bundled schema"):
        conform_xml({"root": "x"}, {"properties": {"root": {"$ref": "#/components/x"}}})


def _quote(proposals: int) -> dict[str, Any]:
    proposal = {"id": "pen_400000034542210", "resource_type": "proposal",
                "fees_included": True, "expiration_date": "2019-09-09T04:32:52.000-05:00",
                "quote_fx_rate": "0.9", "charged_amount": {"amount": "100", "currency": "USD"},
                "credited_amount": {"amount": "90", "currency": "EUR"},
                "principal_amount": {"amount": "100", "currency": "USD"}}
    return {"quote": {"transaction_reference": "t1", "payment_type": "P2P",
                      "proposals": {"proposal": [proposal] * proposals}}}


@pytest.mark.parametrize("proposals", [1, 2])
def test_an_xml_quote_reads_back_as_its_json_form(proposals: int) -> None:
    validator = response_validator("create_quote", 200, XML)
    conformed = validator.validate(loads_xml(dumps_xml(_quote(proposals))))
    assert conformed == _quote(proposals)


def test_xml_error_envelopes_conform_both_ways() -> None:
    business = {"Errors": {"Error": {"RequestId": "13559438", "Source": "proposal_id",
                                     "ReasonCode": "DECLINE", "Description": "Declined",
                                     "Recoverable": "false",
                                     "Details": {"Detail": {"Name": "ErrorDetailCode",
                                                            "Value": "082000"}}}}}
    validator = response_validator("create_payment", 402, XML)
    assert validator.validate(loads_xml(dumps_xml(business))) == business
    gateway = loads_xml(b"<Errors><Error><Source>Gateway</Source><ReasonCode>DECLINED"
                        b"</ReasonCode><Description>x</Description><Recoverable>false"
                        b"</Recoverable><Details/></Error></Errors>")
    assert response_validator("create_quote", 401, XML).validate(gateway) == {"Errors": {
        "Error": [{"Source": "Gateway", "ReasonCode": "DECLINED", "Description": "x",
                   "Recoverable": False, "Details": None}]}}


def test_request_xml_schemas_name_the_root_the_parser_returns() -> None:
    schema = operation("create_payment").request_schema(XML)
    assert schema["required"] == ["paymentrequest"]
    assert conform_xml({"paymentrequest": ""}, schema) == {"paymentrequest": {}}
