"""POST quotes: priced proposals in JSON and XML, and every refusal of a quote request."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandbox.samples import V1, body, count_rows, quote_request, reasons, send
from xbsec.documents import Format

pytestmark = pytest.mark.anyio

PRICED = ("fees_included", "charged_amount", "credited_amount", "principal_amount",
          "fees_amount", "fx_rate")


def _proposal(response: httpx.Response) -> dict[str, Any]:
    proposal = body(response)["quote"]["proposals"]["proposal"]
    return proposal[0] if isinstance(proposal, list) else proposal  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_quote_has_one_priced_proposal(client: httpx.AsyncClient, fmt: Format) -> None:
    response = await send(client, "POST", f"{V1}/quotes", quote_request(), fmt)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"application/{fmt}; charset=utf-8"
    quote = body(response)["quote"]
    assert quote["transaction_reference"] == "0999999034810154901"
    assert quote["quote_type"] == {"forward": {"receiver_currency": "EUR",
                                               "fees_included": "false"}}
    proposal = _proposal(response)
    assert proposal["id"] == proposal["proposal_id"]
    assert proposal["id"].startswith("pen_")
    assert proposal["resource_type"] == "proposal"
    assert proposal["charged_amount"] == {"amount": "103.00", "currency": "USD"}
    assert proposal["fees_amount"] == {"amount": "3.00", "currency": "USD"}
    assert proposal["credited_amount"]["currency"] == "EUR"
    # 1_700_000_000 is 2023-11-14T22:13:20Z; proposals live 30 minutes
    assert proposal["expiration_date"] == "2023-11-14T22:43:20.000Z"


async def test_the_same_request_gets_the_same_numbers(client: httpx.AsyncClient) -> None:
    first = _proposal(await send(client, "POST", f"{V1}/quotes", quote_request()))
    second = _proposal(await send(client, "POST", f"{V1}/quotes", quote_request()))
    assert {k: first[k] for k in PRICED} == {k: second[k] for k in PRICED}
    assert first["id"] != second["id"]


async def test_json_and_xml_quotes_agree(client: httpx.AsyncClient) -> None:
    as_json = _proposal(await send(client, "POST", f"{V1}/quotes", quote_request(), "json"))
    as_xml = _proposal(await send(client, "POST", f"{V1}/quotes", quote_request(), "xml"))
    assert {k: as_json[k] for k in PRICED} == {k: as_xml[k] for k in PRICED}


async def test_a_reverse_quote(client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/quotes", quote_request(
        payment_amount={"amount": "5000", "currency": "JPY"},
        quote_type={"reverse": {"sender_currency": "USD"}}))
    proposal = _proposal(response)
    assert proposal["credited_amount"] == {"amount": "5000", "currency": "JPY"}
    assert proposal["charged_amount"]["currency"] == "USD"


async def test_without_quote_type_the_quote_is_forward_in_one_currency(
        client: httpx.AsyncClient) -> None:
    request = quote_request()
    del request["quoterequest"]["quote_type"]
    proposal = _proposal(await send(client, "POST", f"{V1}/quotes", request))
    assert proposal["fx_rate"] == "1"
    assert proposal["credited_amount"] == {"amount": "100.00", "currency": "USD"}


async def test_fees_included_come_out_of_the_amount(client: httpx.AsyncClient) -> None:
    proposal = _proposal(await send(client, "POST", f"{V1}/quotes", quote_request(
        quote_type={"forward": {"receiver_currency": "EUR", "fees_included": True}})))
    assert proposal["fees_included"] == "true"
    assert proposal["charged_amount"]["amount"] == "100.00"
    assert proposal["principal_amount"]["amount"] == "97.00"


async def test_a_quote_is_stored(client: httpx.AsyncClient, database: Any) -> None:
    await send(client, "POST", f"{V1}/quotes", quote_request())
    assert count_rows(database, "proposals") == 1


MISSING = "MISSING_REQUIRED_INPUT"
VALUE = "INVALID_INPUT_VALUE"
LENGTH = "INVALID_INPUT_LENGTH"


@pytest.mark.parametrize(("changes", "source", "reason"), [
    ({"transaction_reference": ""}, "transaction_reference", MISSING),
    ({"transaction_reference": "x" * 41}, "transaction_reference", LENGTH),
    ({"transaction_reference": "has space"}, "transaction_reference", VALUE),
    ({"transaction_reference": 12.5}, "transaction_reference", VALUE),
    ({"sender_account_uri": None}, "sender_account_uri", MISSING),
    ({"sender_account_uri": "mailto:a@b"}, "sender_account_uri", VALUE),
    ({"recipient_account_uri": "ban:" + "1" * 300}, "recipient_account_uri", LENGTH),
    ({"payment_amount": None}, "payment_amount", MISSING),
    ({"payment_amount": "100"}, "payment_amount", VALUE),
    ({"payment_amount": {"currency": "USD"}}, "payment_amount.amount", MISSING),
    ({"payment_amount": {"amount": "100"}}, "payment_amount.currency", MISSING),
    ({"payment_amount": {"amount": "-1", "currency": "USD"}}, "payment_amount.amount", VALUE),
    ({"payment_amount": {"amount": "0", "currency": "USD"}}, "payment_amount.amount", VALUE),
    ({"payment_amount": {"amount": "1e3", "currency": "USD"}}, "payment_amount.amount", VALUE),
    ({"payment_amount": {"amount": True, "currency": "USD"}}, "payment_amount.amount", VALUE),
    ({"payment_amount": {"amount": "1" * 20, "currency": "USD"}}, "payment_amount.amount",
     LENGTH),
    ({"payment_amount": {"amount": "10.001", "currency": "USD"}}, "payment_amount.amount",
     VALUE),
    ({"payment_amount": {"amount": "10.5", "currency": "JPY"}}, "payment_amount.amount",
     VALUE),
    ({"payment_amount": {"amount": "10", "currency": "XYZ"}}, "payment_amount.currency",
     VALUE),
    ({"payment_amount": {"amount": "10", "currency": "usd"}}, "payment_amount.currency",
     VALUE),
    ({"payment_amount": {"amount": "10", "currency": "USDX"}}, "payment_amount.currency",
     LENGTH),
    ({"payment_origination_country": "US"}, "payment_origination_country", LENGTH),
    ({"payment_origination_country": "us1"}, "payment_origination_country", VALUE),
    ({"payment_type": "P2X"}, "payment_type", VALUE),
    ({"payment_type": ["P2P", "B2B"]}, "payment_type", VALUE),
    ({"quote_type": "forward"}, "quote_type", VALUE),
    ({"quote_type": {}}, "quote_type", VALUE),
    ({"quote_type": {"forward": {"receiver_currency": "EUR"},
                     "reverse": {"sender_currency": "USD"}}}, "quote_type", VALUE),
    ({"quote_type": {"forward": {}}}, "quote_type.forward.receiver_currency", MISSING),
    ({"quote_type": {"forward": "EUR"}}, "quote_type.forward", VALUE),
    ({"quote_type": {"forward": {"receiver_currency": "ABC"}}},
     "quote_type.forward.receiver_currency", VALUE),
    ({"quote_type": {"forward": {"receiver_currency": "EUR", "fees_included": "yes"}}},
     "quote_type.forward.fees_included", VALUE),
    ({"quote_type": {"reverse": {"sender_currency": ""}}},
     "quote_type.reverse.sender_currency", MISSING),
    ({"payment_amount": {"amount": "1.00", "currency": "USD"},
      "quote_type": {"forward": {"receiver_currency": "EUR", "fees_included": "true"}}},
     "payment_amount.amount", VALUE),
])
async def test_a_bad_member_is_named_with_its_reason(
        client: httpx.AsyncClient, database: Any, changes: dict[str, Any], source: str,
        reason: str) -> None:
    request = quote_request(**changes)
    request["quoterequest"] = {k: v for k, v in request["quoterequest"].items()
                               if v is not None}
    response = await send(client, "POST", f"{V1}/quotes", request)
    assert response.status_code == 400
    assert reasons(response) == {(source, reason)}
    assert count_rows(database, "proposals") == 0


async def test_every_problem_is_reported_at_once(client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/quotes", {"quoterequest": {
        "payment_type": "P2X", "payment_amount": {"amount": "x", "currency": "USD"}}})
    assert response.status_code == 400
    assert reasons(response) == {
        ("transaction_reference", MISSING), ("sender_account_uri", MISSING),
        ("recipient_account_uri", MISSING), ("payment_amount.amount", VALUE),
        ("payment_origination_country", MISSING), ("payment_type", VALUE)}
    assert isinstance(response.json()["Errors"]["Error"], list)


async def test_an_xml_quote_with_bad_members_is_refused_in_xml(
        client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/quotes",
                          quote_request(payment_type="NOPE"), "xml")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Errors>')
    assert b"<Recoverable>false</Recoverable>" in response.content
    assert reasons(response) == {("payment_type", VALUE)}


@pytest.mark.parametrize("document", [
    {"paymentrequest": {}}, {"quoterequest": {}, "extra": {}}, [], "text",
    {"quoterequest": "text"}, {"quoterequest": ["a"]},
])
async def test_the_root_must_be_quoterequest(client: httpx.AsyncClient, document: Any) -> None:
    response = await send(client, "POST", f"{V1}/quotes", document)
    assert response.status_code == 400
    assert {reason for _, reason in reasons(response)} == {"INVALID_INPUT_FORMAT"}


async def test_an_empty_quote_request_is_missing_everything(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{V1}/quotes", content=b"<quoterequest/>",
                                 headers={"content-type": "application/xml"})
    assert response.status_code == 400
    assert ("transaction_reference", MISSING) in reasons(response)


async def test_a_body_is_required(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{V1}/quotes", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert reasons(response) == {("quoterequest", MISSING)}
