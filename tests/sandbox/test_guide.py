"""The Endpoint Guide in Mastercard's shape (REF): a JSON array of specifications, TEG
technical fields or BEG business facts, RESOURCE_UNKNOWN for a corridor it does not serve."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.samples import PARTNER, body, reasons

pytestmark = pytest.mark.anyio

URL = "/crossborder/endpoint-guide/specifications"
QUERY = {"payment_type": "P2P", "destination_payment_instrument": "BANK",
         "destination_country": "DEU", "destination_currency": "EUR"}


async def _guide(client: httpx.AsyncClient, kind: str = "TEG", headers: Any = None,
                 **query: Any) -> httpx.Response:
    return await client.get(URL, params={**QUERY, **query}, headers={
        "Partner-Ref-Id": PARTNER, "Specification-Type": kind, **(headers or {})})


async def test_the_transaction_endpoint_guide(client: httpx.AsyncClient) -> None:
    response = await _guide(client)
    assert response.status_code == 200
    (specification,) = body(response)
    assert specification["paymentType"] == "P2P"
    assert specification["destinationCountry"] == "DEU"
    assert specification["destinationPaymentInstrument"] == "BANK"
    fields = {f["fieldName"]: f for f in specification["technical"]["fields"]}
    assert fields["recipient_account_uri"]["validationPattern"].startswith("^ban:")
    assert fields["recipient.first_name"]["mandatory"] == "M"
    assert "business" not in specification


async def test_business_parties_are_organisations(client: httpx.AsyncClient) -> None:
    (specification,) = body(await _guide(client, payment_type="B2B"))
    fields = {f["fieldName"] for f in specification["technical"]["fields"]}
    assert {"sender.organization_name", "recipient.organization_name"} <= fields
    assert "recipient.first_name" not in fields


async def test_the_business_endpoint_guide(client: httpx.AsyncClient) -> None:
    (specification,) = body(await _guide(client, "BEG"))
    assert specification["business"]["flowTypes"]
    assert "technical" not in specification


@pytest.mark.parametrize("query", [
    {"destination_country": "DEU", "destination_currency": "JPY"},
    {"destination_country": "ATA", "destination_currency": "USD"},
])
async def test_an_unsupported_corridor_is_an_unknown_resource(
        client: httpx.AsyncClient, query: dict[str, str]) -> None:
    response = await _guide(client, **query)
    assert response.status_code == 404
    assert reasons(response) == {("Endpoint", "RESOURCE_UNKNOWN")}


async def test_the_reference_apps_xml_content_type_on_a_get_is_no_refusal(
        client: httpx.AsyncClient) -> None:
    response = await _guide(client, headers={"content-type": "application/xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize(("kind", "query", "source", "reason"), [
    ("TEG", {"payment_type": ""}, "payment_type", "MISSING_REQUIRED_INPUT"),
    ("TEG", {"payment_type": "X2Y"}, "payment_type", "INVALID_INPUT_VALUE"),
    ("TEG", {"destination_payment_instrument": "PIGEON"}, "destination_payment_instrument",
     "INVALID_INPUT_VALUE"),
    ("TEG", {"destination_country": "DE"}, "destination_country", "INVALID_INPUT_LENGTH"),
    ("TEG", {"destination_country": "XXX"}, "destination_country", "INVALID_INPUT_VALUE"),
    ("TEG", {"destination_currency": "ABC"}, "destination_currency", "INVALID_INPUT_VALUE"),
    ("XYZ", {}, "Specification-Type", "INVALID_INPUT_VALUE"),
    ("", {}, "Specification-Type", "MISSING_REQUIRED_INPUT"),
])
async def test_refusals(client: httpx.AsyncClient, kind: str, query: dict[str, str],
                        source: str, reason: str) -> None:
    response = await _guide(client, kind, **query)
    assert response.status_code == 400
    assert reasons(response) == {(source, reason)}
