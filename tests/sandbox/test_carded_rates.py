"""Carded rates: every pair from a settlement currency, at the rates quotes use."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.samples import V1, body, quote_request, send
from xbsec.sandbox.money import CURRENCIES

pytestmark = pytest.mark.anyio


async def test_the_rates_of_the_day(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V1}/rates")
    assert response.status_code == 200
    rates = body(response)["rates"]
    assert rates["effective_date"] == "2023-11-14"
    pairs = {(r["sender_currency"], r["receiver_currency"]) for r in rates["rate"]}
    assert len(pairs) == 3 * (len(CURRENCIES) - 1)
    assert ("USD", "USD") not in pairs


async def test_a_quote_uses_the_carded_rate(client: httpx.AsyncClient) -> None:
    rates = body(await client.get(f"{V1}/rates"))["rates"]["rate"]
    carded = next(r["fx_rate"] for r in rates
                  if (r["sender_currency"], r["receiver_currency"]) == ("USD", "EUR"))
    quote = body(await send(client, "POST", f"{V1}/quotes", quote_request()))
    assert quote["quote"]["proposals"]["proposal"][0]["fx_rate"] == carded
