"""The contract document itself: a valid OpenAPI 3.1 document, complete and consistent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from xbsec.contract import XML, document, document_bytes, operation, operation_ids
from xbsec.contract._document import component

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
V1 = "/send/v1/partners/{partner-id}/crossborder"
V0 = "/send/partners/{partner_id}/crossborder"

# FIDELITY §2 rows 1-19 (method and path as the real API has them), plus the sandbox's control.
ENDPOINTS = {
    ("post", f"{V1}/quotes"): "create_quote",
    ("post", f"{V1}/payment"): "create_payment",
    ("get", f"{V1}/{{payment-id}}"): "retrieve_payment",
    ("get", V1): "retrieve_payment_by_reference",
    ("post", f"{V1}/{{payment-id}}/cancel"): "cancel_payment",
    ("get", f"{V1}/rates"): "carded_rates",
    ("post", f"{V0}/quotes/confirmations"): "confirm_quote",
    ("post", f"{V0}/quotes/cancellations"): "cancel_confirmed_quote",
    ("get", f"{V0}/quotes/{{transaction-reference}}/proposals/{{proposal-id}}"):
        "retrieve_confirmed_quote",
    ("get", f"{V0}/accounts"): "balances",
    ("get", f"{V0}/accounts/{{account_id}}"): "balance",
    ("get", f"{V0}/rfi/requests/{{request_id}}"): "rfi_request",
    ("post", f"{V0}/rfi/requests/{{request_id}}"): "update_rfi_request",
    ("post", f"{V0}/rfi/documents"): "upload_rfi_document",
    ("get", f"{V0}/rfi/documents/{{document_id}}"): "download_rfi_document",
    ("post", f"{V0}/accounts/generate-ibans"): "generate_ibans",
    ("post", f"{V0}/accounts/validations"): "validate_account",
    ("post", f"{V0}/banks/details"): "bank_details",
    ("get", "/crossborder/endpoint-guide/specifications"): "endpoint_guide",
    ("post", "/send/address-validation-service/addresses/validations"): "validate_address",
    ("post", "/sandbox/payments/{payment_id}/status"): "set_payment_status",
    ("get", "/sandbox/payments/{payment_id}/rfi"): "sandbox_rfi_notification",
}
WEBHOOK_OPERATIONS = {"on_status_change", "on_carded_rates", "on_rfi", "on_account_validation"}


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield method, path, item[method]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _pointer(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _resolved(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    return _pointer(doc, node["$ref"]) if "$ref" in node else node


@pytest.mark.slow
def test_the_document_is_a_valid_openapi_3_1_document() -> None:
    from openapi_spec_validator import validate

    doc = document()
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_the_file_is_two_space_indented_json_in_a_stable_form() -> None:
    text = document_bytes().decode("utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_every_reference_resolves() -> None:
    doc = document()
    refs = set(_refs(doc))
    assert len(refs) > 100
    for ref in refs:
        assert _pointer(doc, ref) is not None, ref


def test_every_component_schema_is_used() -> None:
    doc = document()
    used = {ref.rsplit("/", 1)[1] for ref in _refs(doc)
            if ref.startswith("#/components/schemas/")}
    # The encrypted wrapper is the encryption layer's, named by the x-encrypted parameter.
    assert set(doc["components"]["schemas"]) - used == {"EncryptedPayload"}
    assert "EncryptedPayload" in doc["components"]["parameters"]["XEncrypted"]["description"]


def test_the_paths_are_exactly_the_real_endpoints_and_the_sandbox_control() -> None:
    found = {(method, path): op["operationId"] for method, path, op in _operations(document())}
    assert found == ENDPOINTS


def test_operation_ids_are_snake_case_method_names_and_unique() -> None:
    ids = operation_ids()
    assert len(ids) == len(set(ids)) == len(ENDPOINTS) + len(WEBHOOK_OPERATIONS)
    assert set(ids) == set(ENDPOINTS.values()) | WEBHOOK_OPERATIONS
    for operation_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", operation_id), operation_id


def test_every_operation_answers_a_2xx_with_a_schema_and_errors() -> None:
    doc = document()
    for method, path, op in _operations(doc):
        responses = op["responses"]
        success = [s for s in responses if s.startswith("2")]
        assert success == ["200"], (method, path)
        content = _resolved(doc, responses["200"])["content"]
        assert content, path
        assert all("schema" in media for media in content.values()), path
        errors = {s for s in responses if s[0] in "45"}
        assert {"400", "401", "403", "500"} <= errors, (method, path, errors)
        for status in errors:
            media = _resolved(doc, responses[status])["content"]["application/json"]
            assert media["schema"]["$ref"].rsplit("/", 1)[1] in ("Errors", "GatewayErrors")


def test_error_statuses_where_the_real_api_uses_them() -> None:
    doc = document()
    ops = {op["operationId"]: op for _, _, op in _operations(doc)}
    for name in ("create_payment", "create_quote"):
        assert {"402", "409"} <= set(ops[name]["responses"])  # DECLINE; duplicate reference
    for name in ("retrieve_payment", "retrieve_payment_by_reference", "balance",
                 "endpoint_guide", "rfi_request", "bank_details"):
        assert "404" in ops[name]["responses"], name
    for method, _, op in _operations(doc):
        assert ("413" in op["responses"]) == (method == "post"), op["operationId"]
        assert {"422", "429", "503"} <= set(op["responses"])
    unauthorized = _resolved(doc, ops["create_quote"]["responses"]["401"])
    assert unauthorized["content"]["application/json"]["schema"]["$ref"].endswith(
        "/GatewayErrors")
    declined = _resolved(doc, ops["create_payment"]["responses"]["402"])
    assert declined["content"]["application/json"]["schema"]["$ref"].endswith("/Errors")


XML_OPERATIONS = {"create_quote", "create_payment", "retrieve_payment",
                  "retrieve_payment_by_reference", "cancel_payment", "carded_rates",
                  "confirm_quote"}


@pytest.mark.parametrize("operation_id", sorted(ENDPOINTS.values()))
def test_xml_is_offered_exactly_where_the_real_api_speaks_it(operation_id: str) -> None:
    op = operation(operation_id)
    media_types = {media for _, found in op.responses for media in found}
    media_types |= set(op.request_media_types)
    if operation_id in XML_OPERATIONS:
        assert XML in op.response_media_types(200)
        assert XML in media_types
    else:
        assert media_types == {"application/json"}


@pytest.mark.parametrize("operation_id", sorted(XML_OPERATIONS))
def test_every_xml_body_names_its_root_element(operation_id: str) -> None:
    op = operation(operation_id)
    if XML in op.request_media_types:
        assert len(op.request_schema(XML)["required"]) == 1
    for status, media_types in op.responses:
        if XML in media_types:
            (root,) = op.response_schema(status, XML)["required"]
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", root)


def test_the_transaction_roots_are_the_real_ones() -> None:
    roots = {
        ("create_quote", "request"): "quoterequest",
        ("create_quote", "response"): "quote",
        ("create_payment", "request"): "paymentrequest",
        ("create_payment", "response"): "payment",
        ("retrieve_payment", "response"): "payment",
        ("cancel_payment", "request"): "cancelpaymentrequest",
        ("cancel_payment", "response"): "cancelpayment",
        ("carded_rates", "response"): "rates",
        ("confirm_quote", "request"): "quoteconfirmationrequest",
    }
    for (operation_id, side), root in roots.items():
        op = operation(operation_id)
        schema = op.request_schema(XML) if side == "request" else op.response_schema(200, XML)
        assert schema["required"] == [root], (operation_id, side)
        if side == "response" or operation_id != "confirm_quote":
            json_schema = (op.request_schema() if side == "request"
                           else op.response_schema(200))
            assert root in json.dumps(json_schema), (operation_id, side)


def test_every_schema_is_valid_json_schema_2020_12() -> None:
    from jsonschema import Draft202012Validator

    from xbsec.contract._document import bundle

    names = document()["components"]["schemas"]
    everything = bundle({"anyOf": [{"$ref": f"#/components/schemas/{n}"} for n in names]})
    assert set(everything["$defs"]) == set(names)
    Draft202012Validator.check_schema(everything)
    for operation_id in operation_ids():
        for parameter in operation(operation_id).parameters:
            Draft202012Validator.check_schema(parameter.schema)


@pytest.mark.slow
def test_every_body_schema_of_every_operation_is_valid_json_schema_2020_12() -> None:
    from jsonschema import Draft202012Validator

    for operation_id in operation_ids():
        op = operation(operation_id)
        for media_type in op.request_media_types:
            Draft202012Validator.check_schema(op.request_schema(media_type))
        for status, media_types in op.responses:
            for media_type in media_types:
                Draft202012Validator.check_schema(op.response_schema(status, media_type))


def test_request_objects_are_open_and_response_objects_closed() -> None:
    # FIDELITY §8: unknown members are tolerated in requests; responses are checked exactly.
    for name in ("QuoteRequest", "PaymentRequest", "CancelPaymentRequest", "Address",
                 "QuoteConfirmationRequest", "AccountValidationRequest", "RfiPartyAnswer"):
        assert "additionalProperties" not in component(name), name
    for name in ("Quote", "Proposal", "Payment", "RetrievePayment", "Account",
                 "BalanceDetails", "QuoteConfirmation", "Rate", "CancelPayment", "Error"):
        assert component(name)["additionalProperties"] is False, name


def test_servers_are_the_documented_edges_and_the_local_sandbox() -> None:
    servers = {s["url"]: s for s in document()["servers"]}
    assert {"https://sandbox.api.mastercard.com", "https://api.mastercard.com",
            "https://sandbox.api.xbs.mastercard.eu", "https://sandbox.api.xbs.mastercard.uk",
            "https://mtf.api.xbs.mastercard.eu", "https://mtf.api.xbs.mastercard.uk",
            "https://api.xbs.mastercard.eu", "https://api.xbs.mastercard.uk"} < set(servers)
    local = servers["http://127.0.0.1:{port}"]
    assert local["variables"]["port"]["default"] == "8080"


def test_security_schemes_and_the_encryption_header() -> None:
    doc = document()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["OAuth1"] == {**schemes["OAuth1"], "type": "apiKey", "in": "header",
                                 "name": "Authorization"}
    assert "RSA-SHA256" in schemes["OAuth1"]["description"]
    for name in ("RequestToken", "AccessToken"):
        assert (schemes[name]["type"], schemes[name]["scheme"]) == ("http", "bearer")
    assert doc["security"] == [{"OAuth1": []}, {"RequestToken": []}]
    for _, path, op in _operations(doc):
        names = {_resolved(doc, p)["name"] for p in op["parameters"]}
        assert ("x-encrypted" in names) == (not path.startswith("/sandbox/")), path
    assert operation("balances").operation_id == "balances"
    balances = next(op for _, _, op in _operations(doc) if op["operationId"] == "balances")
    assert {"AccessToken": []} in balances["security"]


def test_webhooks_describe_the_four_push_notifications() -> None:
    webhooks = document()["webhooks"]
    bodies = {name: item["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
              for name, item in webhooks.items()}
    assert sorted(bodies.values()) == sorted(
        f"#/components/schemas/{n}" for n in ("StatusChangeNotification", "CardedRateNotification",
                                              "RfiNotification", "AccountValidationNotification"))
    for name in ("StatusChangeNotification", "CardedRateNotification", "RfiNotification",
                 "AccountValidationNotification"):
        assert "eventRef" in component(name)["required"]
        assert "chosen:" in component(name)["description"]


def test_choices_are_marked_where_the_sources_are_silent() -> None:
    doc = document()
    ops = {op["operationId"]: op for _, _, op in _operations(doc)}
    assert "chosen: POST" in ops["validate_address"]["description"]
    for name in ("PendingStage", "CancelPayment", "QuoteCancellation", "AddressValidationRequest",
                 "AddressValidationResponse", "EndpointGuideBusiness", "Timestamp"):
        assert "chosen:" in component(name)["description"], name
    assert "chosen:" in ops["create_quote"]["description"]  # 409 for a duplicate reference
