"""Balances in Mastercard's shape (GEN Account): a JSON array of camelCase accounts, with
balanceDetails only when include_balance=true, moved by the partner's payments."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import V0, V1, body, new_payment, reasons, set_status

pytestmark = pytest.mark.anyio
WITH = {"include_balance": "true"}


async def _details(client: httpx.AsyncClient, account_id: str = "acct_1001") -> dict[str, Any]:
    account = body(await client.get(f"{V0}/accounts/{account_id}", params=WITH))
    return {k: v["amount"] for k, v in account["balanceDetails"].items() if k != "thresholds"}


async def test_every_account_without_balances_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V0}/accounts")
    assert response.status_code == 200
    accounts = body(response)
    assert isinstance(accounts, list)
    assert [(a["accountId"], a["settlementCurrency"]) for a in accounts] == [
        ("acct_1001", "USD"), ("acct_1002", "JPY"), ("acct_1003", "BHD"), ("acct_1234", "EUR")]
    assert all(a["accountState"] == "ACTIVE" for a in accounts)
    assert all("balanceDetails" not in a for a in accounts)


async def test_include_balance_gives_the_details(client: httpx.AsyncClient) -> None:
    accounts = body(await client.get(f"{V0}/accounts", params={"include_balance": "TRUE"}))
    details = accounts[0]["balanceDetails"]
    assert details["openingBalance"] == {"amount": "1000000.00", "currency": "USD"}
    assert details["availableBalance"] == {"amount": "1000000.00", "currency": "USD"}
    assert details["queuedBalance"] == {"amount": "0.00", "currency": "USD"}
    assert accounts[1]["balanceDetails"]["openingBalance"]["amount"] == "1000000"  # JPY
    assert accounts[0]["balanceAsOfTimestamp"] == "2023-11-14T17:13:20-05:00"


async def test_a_pending_payment_is_reserved_a_settled_one_processed(
        client: httpx.AsyncClient, clock: FakeClock) -> None:
    payment = await new_payment(client)
    pending = await _details(client)
    assert pending["reservedBalance"] == "102.00"
    assert pending["availableBalance"] == "999898.00"
    assert pending["processedAmount"] == "0.00"
    await set_status(client, payment["id"], "SUCCESS")
    settled = await _details(client)
    assert settled["reservedBalance"] == "0.00"
    assert settled["processedAmount"] == "-102.00"
    assert settled["settlementAccountBalance"] == "999898.00"
    await set_status(client, payment["id"], "RETURNED")
    assert (await _details(client))["settlementAccountBalance"] == "1000000.00"


async def test_a_cancelled_payment_reserves_nothing(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, recipient_account_uri="tel:+254700000001")
    await client.post(f"{V1}/{payment['id']}/cancel")
    assert (await _details(client))["reservedBalance"] == "0.00"


async def test_one_account(client: httpx.AsyncClient) -> None:
    accounts = body(await client.get(f"{V0}/accounts"))
    one = await client.get(f"{V0}/accounts/acct_1234")
    assert one.status_code == 200
    assert body(one) == accounts[3]


async def test_a_bad_include_balance_and_an_unknown_account(client: httpx.AsyncClient) -> None:
    bad = await client.get(f"{V0}/accounts", params={"include_balance": "maybe"})
    assert bad.status_code == 400
    assert reasons(bad) == {("include_balance", "INVALID_INPUT_VALUE")}
    response = await client.get(f"{V0}/accounts/acct_0")
    assert response.status_code == 404
    assert reasons(response) == {("account_id", "RESOURCE_UNKNOWN")}


async def test_balances_are_json_only_even_with_the_reference_apps_xml_content_type(
        client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V0}/accounts", headers={"content-type": "application/xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
