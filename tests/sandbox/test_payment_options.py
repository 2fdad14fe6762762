"""The three ways to pay (GEN PaymentApi): with a quote, with a carded rate, one-shot."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import KYC, TRANSFER, V1, body, new_proposal, reasons, send
from xbsec.documents import Format

pytestmark = pytest.mark.anyio


def _one_shot(**changes: Any) -> dict[str, Any]:
    return {"paymentrequest": {**TRANSFER, **KYC, "transaction_reference": "ONE-SHOT",
                               **changes}}


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_one_shot_payment_is_priced_like_a_quote(client: httpx.AsyncClient,
                                                         fmt: Format) -> None:
    response = await send(client, "POST", f"{V1}/payment", _one_shot(fx_type={
        "forward": {"receiver_currency": "EUR", "fees_included": "false"}}), fmt)
    assert response.status_code == 200, response.text
    payment = body(response)["payment"]
    assert "proposal_id" not in payment
    assert payment["charged_amount"] == {"amount": "102.00", "currency": "USD"}
    assert payment["credited_amount"]["currency"] == "EUR"
    assert payment["fx_type"] == {"forward": {"fees_included": "false",
                                              "receiver_currency": "EUR"}}


async def test_a_one_shot_reverse_payment(client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/payment", _one_shot(
        payment_amount={"amount": "200", "currency": "INR"},
        fx_type={"reverse": {"sender_currency": "USD"}, "forward": None}))
    payment = body(response)["payment"]
    assert payment["credited_amount"] == {"amount": "200.00", "currency": "INR"}
    assert payment["charged_amount"]["currency"] == "USD"
    assert payment["fx_type"] == {"reverse": {"sender_currency": "USD"}}


async def test_a_one_shot_payment_without_fx_type_includes_the_fees(
        client: httpx.AsyncClient) -> None:
    payment = body(await send(client, "POST", f"{V1}/payment", _one_shot()))["payment"]
    assert payment["fx_type"] == {"forward": {"fees_included": "true",
                                              "receiver_currency": "USD"}}
    assert payment["charged_amount"] == {"amount": "100.00", "currency": "USD"}


async def test_a_payment_with_a_quote_needs_only_the_proposal(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    response = await send(client, "POST", f"{V1}/payment", {"paymentrequest": {
        "transaction_reference": "NEW-REF", "proposal_id": proposal_id, **KYC}})
    assert response.status_code == 200, response.text
    payment = body(response)["payment"]
    assert payment["sender_account_uri"] == TRANSFER["sender_account_uri"]
    assert payment["payment_amount"] == TRANSFER["payment_amount"]


async def _rate_id(client: httpx.AsyncClient, sender: str, receiver: str, tier: int) -> str:
    rates = body(await client.get(f"{V1}/rates"))["rates"]["rate"]
    (rate,) = [r for r in rates
               if (r["from_currency_code"], r["to_currency_code"]) == (sender, receiver)]
    return str(rate["tiers"]["tier"][tier]["rate_id"])


async def test_a_payment_with_a_carded_rate_gets_its_bid_rate(client: httpx.AsyncClient) -> None:
    rate_id = await _rate_id(client, "USD", "EUR", 0)
    rates = body(await client.get(f"{V1}/rates"))["rates"]["rate"]
    bid = next(t["bid_rate"] for r in rates for t in r["tiers"]["tier"]
               if t["rate_id"] == rate_id)
    response = await send(client, "POST", f"{V1}/payment", _one_shot(card_rate_id=rate_id))
    assert response.status_code == 200, response.text
    payment = body(response)["payment"]
    assert payment["card_rate_id"] == rate_id
    assert payment["fx_rate"] == bid
    assert payment["credited_amount"]["currency"] == "EUR"


async def test_yesterdays_carded_rate_is_declined(client: httpx.AsyncClient,
                                                  clock: FakeClock) -> None:
    rate_id = await _rate_id(client, "USD", "EUR", 1)
    clock.advance(24 * 3600)
    response = await send(client, "POST", f"{V1}/payment", _one_shot(card_rate_id=rate_id))
    assert response.status_code == 402
    assert reasons(response) == {("card_rate_id", "DECLINE")}


@pytest.mark.parametrize(("changes", "source"), [
    ({"payment_amount": {"amount": "10", "currency": "GBP"}}, "payment_amount.currency"),
    ({"fx_type": {"forward": {"receiver_currency": "INR"}}}, "fx_type"),
    ({"proposal_id": "pen_1"}, "card_rate_id"),
])
async def test_a_carded_rate_payment_must_fit_its_rate(
        client: httpx.AsyncClient, changes: dict[str, Any], source: str) -> None:
    rate_id = await _rate_id(client, "USD", "EUR", 0)
    response = await send(client, "POST", f"{V1}/payment",
                          _one_shot(card_rate_id=rate_id, **changes))
    assert response.status_code == 400
    assert source in {s for s, _ in reasons(response)}


@pytest.mark.parametrize(("payment_type", "missing"), [
    ("P2P", {("sender.first_name", "MISSING_REQUIRED_INPUT"),
             ("sender.last_name", "MISSING_REQUIRED_INPUT"),
             ("recipient.first_name", "MISSING_REQUIRED_INPUT"),
             ("recipient.last_name", "MISSING_REQUIRED_INPUT")}),
    ("B2B", {("sender.organization_name", "MISSING_REQUIRED_INPUT"),
             ("recipient.organization_name", "MISSING_REQUIRED_INPUT")}),
    ("G2P", {("sender.organization_name", "MISSING_REQUIRED_INPUT"),
             ("recipient.first_name", "MISSING_REQUIRED_INPUT"),
             ("recipient.last_name", "MISSING_REQUIRED_INPUT")}),
])
async def test_a_payment_names_its_parties_as_its_type_says(
        client: httpx.AsyncClient, payment_type: str, missing: set[tuple[str, str]]) -> None:
    response = await send(client, "POST", f"{V1}/payment", {"paymentrequest": {
        **TRANSFER, "payment_type": payment_type}})
    assert response.status_code == 400
    assert reasons(response) == missing


async def test_a_payment_with_a_quote_names_its_parties_too(client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    response = await send(client, "POST", f"{V1}/payment", {"paymentrequest": {
        "transaction_reference": "NEW-REF", "proposal_id": proposal_id,
        "sender": KYC["sender"]}})
    assert reasons(response) == {("recipient.first_name", "MISSING_REQUIRED_INPUT"),
                                 ("recipient.last_name", "MISSING_REQUIRED_INPUT")}


async def test_the_party_check_can_be_switched_off(tmp_path: Any) -> None:
    from xbsec.sandbox import create_sandbox_app

    app = create_sandbox_app(tmp_path / "lenient.db", require_kyc=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as lenient:
        response = await send(lenient, "POST", f"{V1}/payment", {"paymentrequest": TRANSFER})
    app.close()
    assert response.status_code == 200, response.text
