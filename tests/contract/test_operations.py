"""Looking operations up: what a client builds a call from and a server routes and checks by."""

from __future__ import annotations

import pytest

import xbsec.contract as contract
from xbsec.contract import JSON, XML, Operation, operation, request_validator, response_validator
from xbsec.errors import ConfigurationError


def test_an_operation_says_method_path_and_media_types() -> None:
    op = operation("create_quote")
    assert isinstance(op, Operation)
    assert (op.method, op.path) == ("POST", "/send/v1/partners/{partner-id}/crossborder/quotes")
    assert op.request_media_types == (JSON, XML)
    assert op.request_required
    assert op.success_status == "200"
    assert op.response_media_types(200) == (JSON, XML)
    assert op.tags == ("quotes",)
    assert not op.webhook


def test_an_unknown_operation_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="no operation 'request'"):
        operation("request")  # the client's escape hatch is no operation of the API


def test_parameters_carry_their_location_and_a_schema() -> None:
    by_ref = {p.name: p for p in operation("retrieve_payment_by_reference").parameters}
    assert (by_ref["ref"].location, by_ref["ref"].required) == ("query", True)
    assert by_ref["ref"].schema["$defs"]["TransactionReference"]["maxLength"] == 40
    partner = by_ref["partner-id"]
    assert (partner.location, partner.required) == ("path", True)
    assert partner.schema["$defs"]["PartnerId"]["maxLength"] == 35
    assert by_ref["x-encrypted"].location == "header"
    assert not by_ref["x-encrypted"].required


def test_include_balance_defaults_to_false() -> None:
    for name in ("balances", "balance"):
        (flag,) = [p for p in operation(name).parameters if p.name == "include_balance"]
        assert flag.location == "query"
        assert not flag.required
        assert flag.schema["type"] == "boolean"
        assert flag.schema["default"] is False


def test_the_endpoint_guide_has_no_partner_in_its_path_but_two_headers() -> None:
    op = operation("endpoint_guide")
    assert (op.method, op.path) == ("GET", "/crossborder/endpoint-guide/specifications")
    params = {p.name: p for p in op.parameters}
    assert params["Partner-Ref-Id"].location == "header"
    assert params["Partner-Ref-Id"].required
    assert params["Specification-Type"].schema["enum"] == ["TEG", "BEG"]
    assert {"payment_type", "destination_payment_instrument", "destination_country",
            "destination_currency"} <= {n for n, p in params.items() if p.location == "query"}


def test_address_validation_and_the_sandbox_control() -> None:
    address = operation("validate_address")
    assert (address.method, address.path) == (
        "POST", "/send/address-validation-service/addresses/validations")
    status = operation("set_payment_status")
    assert (status.method, status.path, status.tags) == (
        "POST", "/sandbox/payments/{payment_id}/status", ("sandbox",))
    # It answers the payment as retrieve does.
    assert status.response_schema(200) == operation("retrieve_payment").response_schema(200)


def test_push_notifications_are_operations_marked_webhook() -> None:
    push = operation("on_status_change")
    assert push.webhook
    assert (push.method, push.path) == ("POST", "statusChange")
    assert push.request_media_types == (JSON,)
    assert push.response_media_types(200) == ()


def test_a_media_type_or_status_the_operation_lacks_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="takes no application/xml body"):
        operation("validate_account").request_schema(XML)
    with pytest.raises(ConfigurationError, match="takes no"):
        operation("retrieve_payment").request_schema(JSON)
    with pytest.raises(ConfigurationError, match="no 418 response"):
        operation("create_quote").response_schema(418)
    with pytest.raises(ConfigurationError, match="not application/xml"):
        operation("balances").response_schema(200, XML)


def test_document_hands_out_copies() -> None:
    first = contract.document()
    first["paths"].clear()
    first["components"]["schemas"]["Quote"]["required"].append("changed")
    second = contract.document()
    assert second["paths"]
    assert "changed" not in second["components"]["schemas"]["Quote"]["required"]
    assert operation("create_quote").response_schema()["$defs"]["Quote"]["required"] == [
        "transaction_reference", "proposals"]


def test_schemas_are_self_contained_json_schema() -> None:
    schema = contract.request_schema("create_quote")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$ref"] == "#/$defs/QuoteRequestDocument"
    assert "#/components/" not in str(schema)
    assert {"QuoteRequest", "PaymentAmount", "CurrencyCode"} <= set(schema["$defs"])
    assert "Payment" not in schema["$defs"]  # only what the body reaches
    schema["$defs"].clear()  # a fresh dict each time
    assert contract.request_schema("create_quote")["$defs"]
    assert contract.component_schema("Payment")["$ref"] == "#/$defs/Payment"
    with pytest.raises(ConfigurationError, match="no schema 'Nope'"):
        contract.component_schema("Nope")


def test_validators_are_built_once_per_operation_status_and_media_type() -> None:
    assert request_validator("create_quote") is request_validator("create_quote", JSON)
    assert request_validator("create_quote", XML) is not request_validator("create_quote")
    assert response_validator("retrieve_payment", 200) is \
        response_validator("retrieve_payment", "200", JSON)
    assert contract.schema_validator("Payment") is contract.schema_validator("Payment")


def test_the_public_face_is_pinned() -> None:
    assert contract.__all__ == [
        "JSON", "XML", "DocumentValidator", "Operation", "Parameter", "Problem",
        "component_schema", "conform_xml", "document", "document_bytes", "operation",
        "operation_ids", "request_schema", "request_validator", "response_schema",
        "response_validator", "schema_validator"]
    for name in contract.__all__:
        assert getattr(contract, name) is not None


def test_the_contract_is_pure_core_and_loads_jsonschema_only_to_validate() -> None:
    import subprocess
    import sys

    code = (
        "import sys, xbsec.contract as c\n"
        "c.operation('create_quote').request_schema(c.XML)\n"
        "c.conform_xml({'x': ''}, {})\n"
        "print(sorted(m for m in sys.modules if m.startswith('xbsec')))\n"
        "print('jsonschema' in sys.modules)\n"
        "c.request_validator('create_quote')\n"
        "print('jsonschema' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    loaded = eval(out[0])  # noqa: S307 - a list literal printed by our own child process
    allowed = {"xbsec", "xbsec._lazy", "xbsec._version", "xbsec.errors"}
    assert {m for m in loaded if not m.startswith("xbsec.contract")} <= allowed
    assert out[1:] == ["False", "True"]
