"""Mastercard's reference app, replayed: each of its 25 request bodies, byte for byte, with
its headers, signed (OAuth 1.0a) and, in the encrypted runs, JWE-encrypted, through
``XBSGateway`` to the sandbox, gets the outcome the reference app's own tests expect.

The bodies are read from ``../shared/xbs-contract/examples/refapp/`` (never copied into the
project); ``PROPOSAL_ID`` and ``TRANSACTION_REFERENCE`` are filled from a real quote made
first, as the reference app fills them. Each body gets a fresh sandbox, since the reference
app's references (normalised in those files) repeat from one body to the next.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract.conftest import refapp_dir
from tests.sandbox.partner_keys import Keys, partner_keys
from xbsec import AsyncXBSClient
from xbsec.client import ClientPipeline, Encryption, OAuth1Auth
from xbsec.documents import Format, document_format, loads
from xbsec.error_envelope import parse_errors
from xbsec.oauth1 import OAuth1Signer
from xbsec.policy import SecurityPolicy
from xbsec.sandbox import create_sandbox_app
from xbsec.server.gateway import XBSGateway

pytestmark = pytest.mark.anyio

PARTNER = "SANDBOX_1234567"
CONSUMER_KEY = "refapp-consumer!" + "0" * 16
V1 = f"/send/v1/partners/{PARTNER}/crossborder"
V0 = f"/send/partners/{PARTNER}/crossborder"
KYC: Any = {"sender": {"first_name": "Pat", "last_name": "Rose"},
            "recipient": {"first_name": "Jerin", "last_name": "John"}}
QUOTE = {"transaction_reference": "081700000000000QTE", "sender_account_uri": "tel:+2130000",
         "recipient_account_uri": "tel:+213070001",
         "payment_amount": {"amount": "100", "currency": "USD"},
         "payment_origination_country": "USA", "payment_type": "P2P",
         "quote_type": {"forward": {"fees_included": "true", "receiver_currency": "MAD"}}}


@pytest.fixture(scope="module")
def keys() -> Keys:
    return partner_keys(CONSUMER_KEY, PARTNER)


@dataclass
class Wire:
    """The sandbox behind the gateway, and a partner who signs (and may encrypt)."""

    pipeline: ClientPipeline
    http: httpx.AsyncClient
    xbs: AsyncXBSClient
    encrypted: bool

    async def send(self, method: str, path: str, body: bytes = b"",
                   headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """``body`` exactly as given, with the reference app's headers; the answer's
        status and document (decrypted when it was encrypted)."""
        out = self.pipeline.request(method, f"http://testserver{path}", body=body,
                                    headers={"x-mc-routing": "nextgen-apigw", **(headers or {})},
                                    encrypt=self.encrypted)
        response = await self.http.request(out.method, out.url, content=out.body,
                                           headers=out.headers)
        incoming = self.pipeline.response(out, response.status_code, response.headers,
                                          response.content)
        if incoming.status >= 400:
            return incoming.status, parse_errors(incoming.body, incoming.format or "json")
        assert incoming.encrypted == (self.encrypted and bool(incoming.body))
        return incoming.status, loads(incoming.body, document_format(
            incoming.headers["content-type"]))


@pytest.fixture(params=[False, True], ids=["plain", "encrypted"])
async def wire(request: pytest.FixtureRequest, keys: Keys,
               tmp_path: Path) -> AsyncIterator[Wire]:
    sandbox = create_sandbox_app(tmp_path / "sandbox.db")
    gateway = XBSGateway(sandbox, keys.registry, policy=SecurityPolicy.mastercard_compatible(),
                         external_url="http://testserver")
    encrypted = bool(request.param)
    pipeline = ClientPipeline(
        OAuth1Auth(OAuth1Signer(CONSUMER_KEY, keys.signing)),
        encryption=Encryption(keys.client_encryption_certificate, keys.mastercard_encryption)
        if encrypted else None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway)) as http:
        xbs = AsyncXBSClient(pipeline=pipeline, base_url="http://testserver",
                             partner_id=PARTNER, retries=0, http=http)
        yield Wire(pipeline, http, xbs, encrypted)
    sandbox.close()


def _body(name: str, **placeholders: str) -> bytes:
    content = (refapp_dir() / name).read_bytes()
    for placeholder, value in placeholders.items():
        content = content.replace(placeholder.encode(), value.encode())
    return content


def _content_type(name: str) -> dict[str, str]:
    return {"Content-Type": "application/xml" if name.endswith(".xml") else "application/json"}


def _root(document: Any, name: str) -> Any:
    (root,) = document
    assert root == name
    return document[root]


async def _quote(wire: Wire, **changes: Any) -> tuple[str, str]:
    quote = await wire.xbs.create_quote({**QUOTE, **changes})  # type: ignore[typeddict-item]
    return quote["transaction_reference"], quote["proposals"]["proposal"][0]["id"]


# -- the outcome each file gets, as the reference app's tests expect it -------------------

Check = Callable[[Wire, str], Awaitable[None]]


async def _a_quote(wire: Wire, name: str, fees_included: bool | None,
                   receiver: str) -> None:
    status, answer = await wire.send("POST", f"{V1}/quotes", _body(name), _content_type(name))
    assert status == 200, answer
    quote = _root(answer, "quote")
    proposal = quote["proposals"]["proposal"]
    proposal = proposal[0] if isinstance(proposal, list) else proposal
    assert proposal["id"].startswith("pen_")
    assert proposal["credited_amount"]["currency"] == receiver
    if fees_included is not None:
        assert str(proposal["fees_included"]).lower() == str(fees_included).lower()


async def quote_fees_included(wire: Wire, name: str) -> None:
    await _a_quote(wire, name, True, "MAD")


async def quote_fees_not_included(wire: Wire, name: str) -> None:
    await _a_quote(wire, name, False, "USD")


async def quote_reverse(wire: Wire, name: str) -> None:
    await _a_quote(wire, name, None, "USD")


async def payment_with_quote(wire: Wire, name: str) -> None:
    _, proposal_id = await _quote(wire)
    status, answer = await wire.send("POST", f"{V1}/payment",
                                     _body(name, PROPOSAL_ID=proposal_id), _content_type(name))
    assert status == 200, answer
    payment = _root(answer, "payment")
    assert payment["proposal_id"] == proposal_id
    assert payment["transaction_reference"] == "081700000000000RMFQ"
    assert payment["status"] == "PENDING"
    assert payment["recipient"]["first_name"] == "Jerin"


async def payment_one_shot(wire: Wire, name: str) -> None:
    status, answer = await wire.send("POST", f"{V1}/payment", _body(name), _content_type(name))
    assert status == 200, answer
    payment = _root(answer, "payment")
    assert payment["status"] == "PENDING"
    assert "proposal_id" not in payment
    assert payment["payment_amount"] == {"amount": "200.00", "currency": "INR"}


async def payment_bad_proposal(wire: Wire, name: str) -> None:
    status, errors = await wire.send("POST", f"{V1}/payment", _body(name), _content_type(name))
    assert status >= 400
    assert [(e.source, e.reason_code) for e in errors] == [("proposal_id", "DECLINE")]


async def cancel_payment(wire: Wire, name: str) -> None:
    _, proposal_id = await _quote(wire)  # to a mobile-money recipient: cancellable
    payment = await wire.xbs.create_payment({"transaction_reference": "081700000000000CNL",
                                             "proposal_id": proposal_id, **KYC})
    status, answer = await wire.send("POST", f"{V1}/{payment['id']}/cancel", _body(name),
                                     _content_type(name))
    assert status == 200, answer
    assert _root(answer, "cancelpayment") == {"status": "SUCCESS"}


async def confirm_quote(wire: Wire, name: str) -> None:
    reference, proposal_id = await _quote(wire)
    status, answer = await wire.send(
        "POST", f"{V0}/quotes/confirmations",
        _body(name, TRANSACTION_REFERENCE=reference, PROPOSAL_ID=proposal_id),
        _content_type(name))
    assert status == 200, answer
    assert answer["status"] == "CONFIRMED"
    assert (answer["transactionReference"], answer["proposalId"]) == (reference, proposal_id)


async def cancel_confirmed_quote(wire: Wire, name: str) -> None:
    reference, proposal_id = await _quote(wire)
    await wire.xbs.confirm_quote(reference, proposal_id)
    status, answer = await wire.send(
        "POST", f"{V0}/quotes/cancellations",
        _body(name, TRANSACTION_REFERENCE=reference, PROPOSAL_ID=proposal_id),
        _content_type(name))
    assert status == 200, answer
    assert answer == {"transactionReference": reference, "status": "PENDING",
                      "proposalId": proposal_id}


async def rfi_update(wire: Wire, name: str) -> None:
    _, proposal_id = await _quote(wire, payment_amount={"amount": "20000", "currency": "USD"})
    payment = await wire.xbs.create_payment({"transaction_reference": "081700000000000RFI",
                                             "proposal_id": proposal_id, **KYC})
    request_id = (await wire.xbs.sandbox_rfi_notification(payment["id"]))["requestId"]
    status, answer = await wire.send("POST", f"{V0}/rfi/requests/{request_id}", _body(name),
                                     _content_type(name))
    assert status == 200, answer
    assert answer["updateResponse"]["requestStatus"] == "REVIEW"


async def rfi_upload(wire: Wire, name: str) -> None:
    status, answer = await wire.send("POST", f"{V0}/rfi/documents", _body(name),
                                     _content_type(name))
    assert status == 200, answer
    document_id = answer["uploadDocumentResponse"]["documentId"]
    downloaded = await wire.xbs.download_rfi_document(document_id)
    assert downloaded["downloadDocumentResponse"]["fileName"] == "test.doc"


async def bav_generate_iban(wire: Wire, name: str) -> None:
    status, answer = await wire.send("POST", f"{V0}/accounts/generate-ibans", _body(name),
                                     _content_type(name))
    assert status == 200, answer
    (account,) = answer["ibanDetails"]["accounts"]["account"]
    assert account["type"] == "IBAN"
    assert account["value"].startswith("IT")


async def bav_validation(wire: Wire, name: str) -> None:
    status, answer = await wire.send("POST", f"{V0}/accounts/validations", _body(name),
                                     _content_type(name))
    assert status == 200, answer
    assert answer["status"] == "SUCCESS"
    if "card-eligibility" in name:
        assert answer["receivingEligibility"]["status"] == "ELIGIBLE"


async def bav_bank_lookup(wire: Wire, name: str) -> None:
    status, answer = await wire.send("POST", f"{V0}/banks/details", _body(name),
                                     _content_type(name))
    assert status == 200, answer
    assert answer["bankInfo"]["total"] == 1
    assert answer["bankInfo"]["banks"]["bankData"][0]["name"] == "Barclays Bank PLC"


REPLAYS: dict[str, list[Check]] = {
    "quote-forward-fees-included.json": [quote_fees_included],
    "quote-forward-fees-included.xml": [quote_fees_included],
    "quote-forward-fees-not-included.json": [quote_fees_not_included],
    "quote-forward-fees-not-included.xml": [quote_fees_not_included],
    "quote-reverse.json": [quote_reverse],
    "quote-reverse.xml": [quote_reverse],
    "payment-with-quote.json": [payment_with_quote],
    "payment-with-quote.xml": [payment_with_quote],
    "payment-oneshot-p2b-fwd-fees-not-included.json": [payment_one_shot],
    "payment-oneshot-p2b-fwd-fees-not-included.xml": [payment_one_shot],
    "payment-oneshot-b2b.json": [payment_one_shot],
    "payment-oneshot-g2p.json": [payment_one_shot],
    "payment-oneshot-reverse.json": [payment_one_shot],
    "payment-bad-proposal.json": [payment_bad_proposal],
    "cancel-payment.json": [cancel_payment],
    "cancel-payment.xml": [cancel_payment],
    "quote-confirmation.json": [confirm_quote, cancel_confirmed_quote],
    "cancel-confirmed-quote.json": [cancel_confirmed_quote],
    "rfi-update-request.json": [rfi_update],
    "rfi-upload-document.json": [rfi_upload],
    "bav-generate-iban.json": [bav_generate_iban],
    "bav-validate-iban.json": [bav_validation],
    "bav-validate-card-eligibility.json": [bav_validation],
    "bav-validate-account-status.json": [bav_validation],
    "bav-bank-info-lookup.json": [bav_bank_lookup],
}
CASES = [(name, check) for name, checks in REPLAYS.items() for check in checks]


def test_every_file_of_the_reference_app_is_replayed() -> None:
    found = sorted(p.name for p in refapp_dir().iterdir() if p.suffix in (".json", ".xml"))
    assert sorted(REPLAYS) == found
    assert len(found) == 25


@pytest.mark.parametrize(("name", "check"), CASES,
                         ids=[f"{name}-{check.__name__}" for name, check in CASES])
async def test_the_reference_apps_body_gets_its_expected_outcome(wire: Wire, name: str,
                                                                 check: Check) -> None:
    await check(wire, name)


# -- the reference app's GETs, with the Content-Type it sends on them ---------------------

@pytest.mark.parametrize(("path", "headers", "fmt"), [
    (f"{V1}/rates", {"Content-Type": "application/json"}, "json"),
    (f"{V1}/rates", {"Content-Type": "application/xml"}, "xml"),  # carded rates, use case 2
    (f"{V0}/accounts", {"Content-Type": "application/xml"}, "json"),
    (f"{V0}/accounts/acct_1234?include_balance=true", {"Content-Type": "application/json"},
     "json"),
    ("/crossborder/endpoint-guide/specifications?payment_type=P2P&destination_payment_"
     "instrument=BANK&destination_country=MAR&destination_currency=MAD",
     {"Content-Type": "application/xml", "Partner-Ref-Id": PARTNER,
      "Specification-Type": "TEG"}, "json"),
])
async def test_the_reference_apps_gets_are_served(wire: Wire, path: str,
                                                  headers: dict[str, str], fmt: Format) -> None:
    out = wire.pipeline.request("GET", f"http://testserver{path}", headers=headers,
                                encrypt=wire.encrypted)
    # The reference app names no Accept on these; xbsec's pipeline would ask for the
    # Content-Type's format, so the header goes (it is not signed).
    sent = {k: v for k, v in out.headers.items() if k != "Accept"}
    response = await wire.http.get(out.url, headers=sent)
    assert response.status_code == 200, response.text
    incoming = wire.pipeline.response(out, response.status_code, response.headers,
                                      response.content)
    assert incoming.format == fmt


async def test_a_payment_is_retrieved_as_the_reference_app_asks(wire: Wire) -> None:
    _, proposal_id = await _quote(wire)
    payment = await wire.xbs.create_payment({"transaction_reference": "081700000000000GET",
                                             "proposal_id": proposal_id, **KYC})
    by_id, answer = await wire.send("GET", f"{V1}/{payment['id']}", headers={
        "Content-Type": "application/xml"})
    assert by_id == 200
    assert answer["payment"]["id"] == payment["id"]
    by_ref, answer = await wire.send("GET", f"{V1}?ref=081700000000000GET", headers={
        "Content-Type": "application/json", "Accept": "application/json"})
    assert by_ref == 200
    assert answer["payment"]["id"] == payment["id"]
