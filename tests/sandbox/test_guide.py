"""The Endpoint Guide: TEG fields and BEG banks, from the query and two headers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.samples import PARTNER, body, reasons

pytestmark = pytest.mark.anyio

URL = "/crossborder/endpoint-guide/specifications"
QUERY = {"payment_type": "P2P", "destination_payment_instrument": "BANK",
         "destination_country": "DEU", "destination_currency": "EUR"}


async def _guide(client: httpx.AsyncClient, kind: str = "TEG", **query: Any) -> httpx.Response:
    return await client.get(URL, params={**QUERY, **query},
                            headers={"Partner-Ref-Id": PARTNER, "Specification-Type": kind})


async def test_the_transaction_endpoint_guide(client: httpx.AsyncClient) -> None:
    response = await _guide(client)
    assert response.status_code == 200
    specification = body(response)["specifications"]
    assert {k: specification[k] for k in QUERY} == QUERY
    fields = {f["name"]: f for f in specification["fields"]}
    assert fields["recipient_account_uri"]["format"].startswith("ban:")
    assert fields["recipient.first_name"]["requirement"] == "MANDATORY"
    assert fields["transaction_reference"]["max_length"] == "40"


async def test_business_parties_are_organisations(client: httpx.AsyncClient) -> None:
    fields = {f["name"] for f in body(await _guide(client, payment_type="B2B"))
              ["specifications"]["fields"]}
    assert {"sender.organization_name", "recipient.organization_name"} <= fields
    assert "recipient.first_name" not in fields


async def test_the_answer_depends_only_on_the_query(client: httpx.AsyncClient) -> None:
    assert (await _guide(client)).content == (await _guide(client)).content
    assert (await _guide(client, "BEG")).content != (
        await _guide(client, "BEG", destination_country="FRA")).content


async def test_the_bank_endpoint_guide(client: httpx.AsyncClient) -> None:
    banks = body(await _guide(client, "BEG"))["specifications"]["banks"]
    assert len(banks) == 3
    assert all(len(b["bank_code"]) == 4 and b["bank_code"].isalpha() for b in banks)


@pytest.mark.parametrize(("kind", "query", "source", "reason"), [
    ("TEG", {"payment_type": ""}, "payment_type", "MISSING_REQUIRED_INPUT"),
    ("TEG", {"payment_type": "X2Y"}, "payment_type", "INVALID_INPUT_VALUE"),
    ("TEG", {"destination_payment_instrument": "PIGEON"}, "destination_payment_instrument",
     "INVALID_INPUT_VALUE"),
    ("TEG", {"destination_country": "DE"}, "destination_country", "INVALID_INPUT_LENGTH"),
    ("TEG", {"destination_currency": "ABC"}, "destination_currency", "INVALID_INPUT_VALUE"),
    ("XYZ", {}, "Specification-Type", "INVALID_INPUT_VALUE"),
    ("", {}, "Specification-Type", "MISSING_REQUIRED_INPUT"),
    ("BEG", {"destination_payment_instrument": "CARD"}, "destination_payment_instrument",
     "INVALID_INPUT_VALUE"),
])
async def test_refusals(client: httpx.AsyncClient, kind: str, query: dict[str, str],
                        source: str, reason: str) -> None:
    response = await _guide(client, kind, **query)
    assert response.status_code == 400
    assert reasons(response) == {(source, reason)}
