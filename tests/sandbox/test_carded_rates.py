"""Carded rates in Mastercard's shape (GEN Rate): tiers, each with a rate_id to pay with."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.samples import V1, body, quote_request, send
from xbsec.sandbox.carded_rates import CARDED_FROM, CARDED_TO

pytestmark = pytest.mark.anyio


async def test_the_rates_of_the_day(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V1}/rates")
    assert response.status_code == 200
    rates = body(response)["rates"]["rate"]
    pairs = {(r["from_currency_code"], r["to_currency_code"]) for r in rates}
    assert len(pairs) == len(rates) == len(CARDED_FROM) * len(CARDED_TO) - len(
        set(CARDED_FROM) & set(CARDED_TO))
    usd_eur = next(r for r in rates if (r["from_currency_code"], r["to_currency_code"])
                   == ("USD", "EUR"))
    assert usd_eur["valid_from"] == "2023-11-14T00:00:00Z"
    assert usd_eur["valid_to"] == "2023-11-14T23:59:59Z"
    tiers = usd_eur["tiers"]["tier"]
    assert [t["from_amount"] for t in tiers] == ["0", "10000"]
    assert tiers[0]["rate_id"] == "CR20231114USDEUR1"
    for tier in tiers:
        assert float(tier["bid_rate"]) < float(tier["mid_rate"]) < float(tier["ask_rate"])


async def test_the_mid_rate_is_the_quotes_rate(client: httpx.AsyncClient) -> None:
    rates = body(await client.get(f"{V1}/rates"))["rates"]["rate"]
    mid = next(r["tiers"]["tier"][0]["mid_rate"] for r in rates
               if (r["from_currency_code"], r["to_currency_code"]) == ("USD", "EUR"))
    quote = body(await send(client, "POST", f"{V1}/quotes", quote_request()))
    assert quote["quote"]["proposals"]["proposal"][0]["quote_fx_rate"] == mid


async def test_rates_in_xml_as_the_reference_app_pulls_them(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V1}/rates", headers={"content-type": "application/xml"})
    assert response.status_code == 200
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><rates><rate>')
