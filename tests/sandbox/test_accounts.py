"""Balances: one settlement account per currency, moved by the partner's payments."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.samples import V0, V1, body, new_payment, reasons, send
from xbsec.documents import Format

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_every_account_with_its_balance(client: httpx.AsyncClient, fmt: Format) -> None:
    response = await send(client, "GET", f"{V0}/accounts", fmt=fmt)
    assert response.status_code == 200
    accounts = body(response)["accounts"]["account"]
    assert [a["currency"] for a in accounts] == ["USD", "EUR", "GBP"]
    assert accounts[0]["balance"] == {"amount": "1000000.00", "currency": "USD"}
    assert accounts[0]["status"] == "ACTIVE"
    assert accounts[0]["account_id"].startswith("ACC")


async def test_payments_and_cancellations_move_the_balance(client: httpx.AsyncClient) -> None:
    first = await new_payment(client, "A")
    await new_payment(client, "B", payment_amount={"amount": "50.00", "currency": "EUR"},
                      quote_type={"forward": {"receiver_currency": "USD"}})
    accounts = body(await client.get(f"{V0}/accounts"))["accounts"]["account"]
    assert accounts[0]["balance"]["amount"] == "999897.00"       # 100.00 + 3.00 fee
    assert accounts[1]["balance"]["amount"] == "999947.66"       # 50.00 + 1.84 + 0.50 fee
    await client.post(f"{V1}/{first['id']}/cancel")
    accounts = body(await client.get(f"{V0}/accounts"))["accounts"]["account"]
    assert accounts[0]["balance"]["amount"] == "1000000.00"


async def test_one_account(client: httpx.AsyncClient) -> None:
    accounts = body(await client.get(f"{V0}/accounts"))["accounts"]["account"]
    one = await client.get(f"{V0}/accounts/{accounts[1]['account_id']}")
    assert one.status_code == 200
    assert body(one) == {"account": accounts[1]}


async def test_include_balance(client: httpx.AsyncClient) -> None:
    without = body(await client.get(f"{V0}/accounts", params={"include_balance": "false"}))
    assert all("balance" not in a for a in without["accounts"]["account"])
    explicit = body(await client.get(f"{V0}/accounts", params={"include_balance": "TRUE"}))
    assert all("balance" in a for a in explicit["accounts"]["account"])
    bad = await client.get(f"{V0}/accounts", params={"include_balance": "maybe"})
    assert bad.status_code == 400
    assert reasons(bad) == {("include_balance", "INVALID_INPUT_VALUE")}


async def test_an_unknown_account(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V0}/accounts/ACC000")
    assert response.status_code == 404
    assert reasons(response) == {("account_id", "RESOURCE_UNKNOWN")}
