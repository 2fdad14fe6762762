"""End to end in process: XBS client -> XBSGateway (OAuth 1.0a, JWE) -> sandbox -> back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.sandbox.partner_keys import Keys, partner_keys
from tests.sandbox.samples import KYC, OTHER_PARTNER, PARTNER, TRANSFER
from xbsec import AsyncXBSClient
from xbsec.client import ClientPipeline, Encryption, OAuth1Auth
from xbsec.documents import Format
from xbsec.errors import BusinessError, GatewayError
from xbsec.oauth1 import OAuth1Signer
from xbsec.policy import SecurityPolicy
from xbsec.sandbox import create_sandbox_app
from xbsec.server.gateway import XBSGateway

pytestmark = pytest.mark.anyio

CONSUMER_KEY = "sandbox-consumer!" + "0" * 16


@pytest.fixture(scope="module")
def keys() -> Keys:
    return partner_keys(CONSUMER_KEY, PARTNER)


@pytest.fixture
async def gateway_transport(keys: Keys, tmp_path: Path) -> AsyncIterator[httpx.ASGITransport]:
    sandbox = create_sandbox_app(tmp_path / "sandbox.db")
    gateway = XBSGateway(sandbox, keys.registry, policy=SecurityPolicy.mastercard_compatible(),
                         external_url="http://testserver")
    yield httpx.ASGITransport(app=gateway)
    sandbox.close()


def _client(keys: Keys, transport: httpx.ASGITransport, *, fmt: Format, encrypt: bool,
            partner_id: str = PARTNER) -> AsyncXBSClient:
    encryption = (Encryption(keys.client_encryption_certificate, keys.mastercard_encryption)
                  if encrypt else None)
    pipeline = ClientPipeline(OAuth1Auth(OAuth1Signer(CONSUMER_KEY, keys.signing)),
                              encryption=encryption, format=fmt)
    return AsyncXBSClient(pipeline=pipeline, base_url="http://testserver",
                          partner_id=partner_id, retries=0,
                          http=httpx.AsyncClient(transport=transport))


MOBILE = "tel:+254700000001"


@pytest.mark.parametrize("encrypt", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_the_payment_flow_through_the_gateway(
        keys: Keys, gateway_transport: httpx.ASGITransport, fmt: Format,
        encrypt: bool) -> None:
    async with _client(keys, gateway_transport, fmt=fmt, encrypt=encrypt) as xbs:
        quote = await xbs.create_quote({**TRANSFER, "recipient_account_uri": MOBILE,
                                        "quote_type": {"forward": {"receiver_currency": "EUR"}}})
        proposal = quote["proposals"]["proposal"][0]  # a list, XML too (conformed)
        assert proposal["fees_included"] is True
        payment = await xbs.create_payment({"transaction_reference": "PAY-1",
                                            "proposal_id": proposal["id"], **KYC})
        assert payment["status"] == "PENDING"
        assert (await xbs.retrieve_payment(payment["id"]))["id"] == payment["id"]
        by_reference = await xbs.retrieve_payment_by_reference("PAY-1")
        assert by_reference["id"] == payment["id"]

        with pytest.raises(BusinessError) as duplicate:
            await xbs.create_payment({"transaction_reference": "PAY-1",
                                      "proposal_id": proposal["id"], **KYC})
        assert (duplicate.value.status, duplicate.value.reason_code,
                duplicate.value.source) == (409, "DUPLICATE_VALUE", "transaction_reference")
        assert duplicate.value.errors[0].request_id  # the gateway's request id

        cancelled = await xbs.cancel_payment(payment["id"])
        assert cancelled["status"] == "SUCCESS"
        accounts = await xbs.balances(include_balance=True)
        details = accounts[0]["balanceDetails"]
        assert details["availableBalance"]["amount"] == "1000000.00"


async def test_json_only_apis_through_the_gateway(
        keys: Keys, gateway_transport: httpx.ASGITransport) -> None:
    async with _client(keys, gateway_transport, fmt="json", encrypt=True) as xbs:
        rates = await xbs.carded_rates()
        assert rates["rate"][0]["tiers"]["tier"][0]["rate_id"]
        validation = await xbs.validate_account(
            {"accountUri": {"type": "IBAN", "value": "DE89370400440532013000"}})
        assert validation["status"] == "SUCCESS"
        guide = await xbs.endpoint_guide(payment_type="P2P",
                                         destination_payment_instrument="BANK",
                                         destination_country="DEU", destination_currency="EUR")
        assert guide[0]["technical"]["fields"]


async def test_a_partner_the_consumer_does_not_hold_is_refused_by_the_gateway(
        keys: Keys, gateway_transport: httpx.ASGITransport) -> None:
    async with _client(keys, gateway_transport, fmt="json", encrypt=False,
                       partner_id=OTHER_PARTNER) as xbs:
        with pytest.raises(GatewayError):
            await xbs.retrieve_payment("rem_1")
