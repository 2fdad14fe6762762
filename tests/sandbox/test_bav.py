"""Bank account validation: validate, generate an IBAN, look up a bank (JSON only)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.samples import V0, body, reasons, send

pytestmark = pytest.mark.anyio


async def _post(client: httpx.AsyncClient, path: str, document: Any) -> httpx.Response:
    return await send(client, "POST", f"{V0}/{path}", document)


@pytest.mark.parametrize(("request_body", "status", "reason"), [
    ({"iban": "DE89 3704 0044 0532 0130 00"}, "VALID", None),
    ({"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"}, "VALID", None),
    ({"iban": "DE88370400440532013000"}, "INVALID", "CHECKSUM"),
    ({"iban": "DE893704004405320130"}, "INVALID", "LENGTH_FOR_COUNTRY"),
    ({"iban": "ZZ89370400440532013000"}, "INVALID", "UNSUPPORTED_COUNTRY"),
    ({"iban": "1234567890123456"}, "INVALID", "FORMAT"),
    ({"iban": "DE89370400440532013000", "bic": "COBAFRPPXXX"}, "INVALID",
     "BIC_COUNTRY_MISMATCH"),
])
async def test_validation_results(client: httpx.AsyncClient, request_body: dict[str, str],
                                  status: str, reason: str | None) -> None:
    response = await _post(client, "accounts/validations", {"accountvalidation": request_body})
    assert response.status_code == 200
    result = body(response)["accountvalidation"]
    assert result["status"] == status
    assert result.get("reason") == reason
    assert " " not in result["iban"]


@pytest.mark.parametrize(("request_body", "source", "reason"), [
    ({}, "iban", "MISSING_REQUIRED_INPUT"),
    ({"iban": "DE89"}, "iban", "INVALID_INPUT_LENGTH"),
    ({"iban": "D" * 43}, "iban", "INVALID_INPUT_LENGTH"),
    ({"iban": "D" * 35 + " " * 5}, "iban", "INVALID_INPUT_LENGTH"),
    ({"iban": "DE89-3704-0044-0532"}, "iban", "INVALID_INPUT_VALUE"),
    ({"iban": "DE89370400440532013000", "bic": "COBA"}, "bic", "INVALID_INPUT_LENGTH"),
    ({"iban": "DE89370400440532013000", "bic": "coba-deff"}, "bic", "INVALID_INPUT_VALUE"),
    ({"iban": "DE89370400440532013000", "account_holder_name": "x" * 141},
     "account_holder_name", "INVALID_INPUT_LENGTH"),
])
async def test_validation_refusals(client: httpx.AsyncClient, request_body: dict[str, str],
                                   source: str, reason: str) -> None:
    response = await _post(client, "accounts/validations", {"accountvalidation": request_body})
    assert response.status_code == 400
    assert reasons(response) == {(source, reason)}


async def test_generate_an_iban(client: httpx.AsyncClient) -> None:
    response = await _post(client, "accounts/generate-ibans", {"ibangeneration": {
        "country": "DE", "bban": "370400440532013000"}})
    assert response.status_code == 200
    assert body(response)["ibangeneration"]["iban"] == "DE89370400440532013000"


@pytest.mark.parametrize(("request_body", "source", "reason"), [
    ({"bban": "1"}, "country", "MISSING_REQUIRED_INPUT"),
    ({"country": "ZZ", "bban": "1"}, "country", "INVALID_INPUT_VALUE"),
    ({"country": "DE", "bban": "12345"}, "bban", "INVALID_INPUT_LENGTH"),
    ({"country": "DE", "bban": "37040044053201300x"}, "bban", "INVALID_INPUT_VALUE"),
])
async def test_generate_refusals(client: httpx.AsyncClient, request_body: dict[str, str],
                                 source: str, reason: str) -> None:
    response = await _post(client, "accounts/generate-ibans", {"ibangeneration": request_body})
    assert response.status_code == 400
    assert reasons(response) == {(source, reason)}


async def test_bank_details_from_a_bic(client: httpx.AsyncClient) -> None:
    response = await _post(client, "banks/details", {"bankdetails": {"bic": "COBADEFFXXX"}})
    assert response.status_code == 200
    assert body(response)["bankdetails"] == {
        "bic": "COBADEFFXXX", "bank_code": "COBA", "bank_name": "Sandbox Bank COBA",
        "country": "DE", "city": "Sandbox City FF", "branch": "XXX"}


async def test_bank_details_from_an_iban(client: httpx.AsyncClient) -> None:
    response = await _post(client, "banks/details", {"bankdetails": {
        "iban": "GB82WEST12345698765432"}})
    details = body(response)["bankdetails"]
    assert (details["bank_code"], details["country"]) == ("WEST", "GB")
    digits = await _post(client, "banks/details", {"bankdetails": {
        "iban": "DE89370400440532013000"}})
    assert body(digits)["bankdetails"]["bank_code"] == "DHAE"  # 3704, digit by digit


async def test_the_unknown_bank(client: httpx.AsyncClient) -> None:
    response = await _post(client, "banks/details", {"bankdetails": {"bic": "ZZZZDEFF"}})
    assert response.status_code == 404
    assert reasons(response) == {("bic", "RESOURCE_UNKNOWN")}


@pytest.mark.parametrize(("request_body", "source"), [
    ({}, "bankdetails"),
    ({"bic": "COBADEFF", "iban": "DE89370400440532013000"}, "bankdetails"),
    ({"iban": "DE88370400440532013000"}, "iban"),
    ({"bic": "COBA1EFF"}, "bic"),
])
async def test_bank_details_refusals(client: httpx.AsyncClient, request_body: dict[str, str],
                                     source: str) -> None:
    response = await _post(client, "banks/details", {"bankdetails": request_body})
    assert response.status_code == 400
    assert {s for s, _ in reasons(response)} == {source}
