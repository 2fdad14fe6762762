"""One partner never sees another's resources; the gateway's identity is checked again."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.samples import (
    OTHER_PARTNER,
    PARTNER,
    V0,
    V1,
    body,
    confirmation,
    new_payment,
    new_proposal,
    payment_request,
    quote_request,
    reasons,
    rfi_request_id,
    scoped_client,
    send,
    set_status,
)
from xbsec.sandbox import SandboxApp

pytestmark = pytest.mark.anyio

OTHER_V1 = V1.replace(PARTNER, OTHER_PARTNER)
OTHER_V0 = V0.replace(PARTNER, OTHER_PARTNER)


async def test_a_partner_cannot_see_another_partners_payment(client: httpx.AsyncClient) -> None:
    payment = await new_payment(client, "SHARED-REF", payment_amount={
        "amount": "20000.00", "currency": "USD"})
    request_id = await rfi_request_id(client, payment["id"])
    for response in (await client.get(f"{OTHER_V1}/{payment['id']}"),
                     await client.get(OTHER_V1, params={"ref": "SHARED-REF"}),
                     await client.post(f"{OTHER_V1}/{payment['id']}/cancel")):
        assert response.status_code == 404
        assert {reason for _, reason in reasons(response)} == {"RESOURCE_UNKNOWN"}
    rfi = await client.get(f"{OTHER_V0}/rfi/requests/{request_id}")
    assert reasons(rfi) == {("request_id", "DECLINE")}
    # and the owner still sees it, untouched
    mine = body(await client.get(f"{V1}/{payment['id']}"))["payment"]
    assert mine["status"] == "PENDING"


async def test_a_partner_cannot_pay_or_confirm_another_partners_proposal(
        client: httpx.AsyncClient) -> None:
    proposal_id = await new_proposal(client)
    paid = await send(client, "POST", f"{OTHER_V1}/payment", payment_request(proposal_id))
    assert paid.status_code == 402
    assert reasons(paid) == {("proposal_id", "DECLINE")}
    confirmed = await send(client, "POST", f"{OTHER_V0}/quotes/confirmations",
                           confirmation("0999999034810154901", proposal_id))
    assert confirmed.status_code == 402
    assert reasons(confirmed) == {("proposalId", "DECLINE")}


async def test_transaction_references_are_unique_per_partner(client: httpx.AsyncClient) -> None:
    await new_payment(client, "SAME")
    again = await send(client, "POST", f"{V1}/quotes", quote_request(transaction_reference="SAME"))
    assert reasons(again) == {("transaction_reference", "DECLINE")}
    other = await send(client, "POST", f"{OTHER_V1}/quotes",
                       quote_request(transaction_reference="SAME"))
    other_proposal = body(other)["quote"]["proposals"]["proposal"][0]["id"]
    response = await send(client, "POST", f"{OTHER_V1}/payment",
                          payment_request(other_proposal, transaction_reference="SAME"))
    assert response.status_code == 200


async def test_balances_move_with_the_partners_own_payments_only(
        client: httpx.AsyncClient) -> None:
    payment = await new_payment(client)
    assert (await set_status(client, payment["id"], "SUCCESS")).status_code == 200
    query = {"include_balance": "true"}
    mine = body(await client.get(f"{V0}/accounts", params=query))[0]["balanceDetails"]
    theirs = body(await client.get(f"{OTHER_V0}/accounts", params=query))[0]["balanceDetails"]
    assert mine["settlementAccountBalance"]["amount"] == "999898.00"
    assert theirs["settlementAccountBalance"]["amount"] == "1000000.00"


async def test_the_control_endpoint_moves_only_the_callers_payments(app: SandboxApp) -> None:
    async with scoped_client(app, [PARTNER]) as mine:
        payment = await new_payment(mine)
    async with scoped_client(app, [OTHER_PARTNER]) as theirs:
        refused = await set_status(theirs, payment["id"], "SUCCESS")
        notification = await theirs.get(f"/sandbox/payments/{payment['id']}/rfi")
    assert refused.status_code == 404
    assert reasons(refused) == {("payment_id", "RESOURCE_UNKNOWN")}
    assert notification.status_code == 404


async def test_the_gateway_identity_is_checked_again(app: SandboxApp) -> None:
    async with scoped_client(app, [OTHER_PARTNER]) as client:
        refused = await client.get(f"{V1}/rem_1")
        allowed = await client.get(f"{OTHER_V1}/rem_1")
    assert refused.status_code == 403
    assert reasons(refused) == {("partner_id", "PERMISSION_DENIED")}
    assert allowed.status_code == 404  # entitled: the payment just does not exist


@pytest.mark.parametrize("partner_ids", [None, "SANDBOX_1234567", [], {"x": 1}])
async def test_a_malformed_identity_denies(app: SandboxApp, partner_ids: object) -> None:
    async with scoped_client(app, partner_ids) as client:
        response = await client.get(f"{V1}/rem_1")
    assert response.status_code == 403


async def test_a_partner_without_the_gateway_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V1}/rem_1")
    assert response.status_code == 404


async def test_the_endpoint_guide_partner_comes_from_its_header(app: SandboxApp) -> None:
    query = {"payment_type": "P2P", "destination_payment_instrument": "BANK",
             "destination_country": "DEU", "destination_currency": "EUR"}
    url = "/crossborder/endpoint-guide/specifications"
    async with scoped_client(app, [PARTNER]) as client:
        allowed = await client.get(url, params=query, headers={
            "Partner-Ref-Id": PARTNER, "Specification-Type": "TEG"})
        refused = await client.get(url, params=query, headers={
            "Partner-Ref-Id": OTHER_PARTNER, "Specification-Type": "TEG"})
        missing = await client.get(url, params=query, headers={"Specification-Type": "TEG"})
    assert allowed.status_code == 200
    assert refused.status_code == 403
    assert reasons(refused) == {("Partner-Ref-Id", "PERMISSION_DENIED")}
    assert missing.status_code == 400
    assert reasons(missing) == {("Partner-Ref-Id", "MISSING_REQUIRED_INPUT")}


@pytest.mark.parametrize("partner", ["has%20space", "x" * 36, "caf%C3%A9"])
async def test_a_malformed_partner_id_is_refused(client: httpx.AsyncClient,
                                                 partner: str) -> None:
    response = await client.get(f"/send/v1/partners/{partner}/crossborder/rem_1")
    assert response.status_code == 400
    assert reasons(response) == {("partner_id", "INVALID_INPUT_VALUE")}
