"""Request documents and small readers shared by the sandbox tests."""

from __future__ import annotations

import copy
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

from xbsec.documents import Format, document_format, dumps, loads
from xbsec.error_envelope import ErrorItem, parse_errors

PARTNER = "SANDBOX_1234567"
OTHER_PARTNER = "OTHER_7654321"
V1 = f"/send/v1/partners/{PARTNER}/crossborder"
V0 = f"/send/partners/{PARTNER}/crossborder"

TRANSFER: dict[str, Any] = {
    "transaction_reference": "0999999034810154901",
    "sender_account_uri": "tel:+254108989",
    "recipient_account_uri": "ban:DE89370400440532013000;bic=COBADEFFXXX",
    "payment_amount": {"amount": "100.00", "currency": "USD"},
    "payment_origination_country": "USA",
    "payment_type": "P2P",
}


KYC: dict[str, Any] = {
    "sender": {"first_name": "Pat", "last_name": "Rose", "nationality": "USA"},
    "recipient": {"first_name": "Jerin", "last_name": "John", "nationality": "DEU"},
}
"""The parties of a P2P payment, which a payment must name (``require_parties``)."""


def quote_request(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(TRANSFER)
    body["quote_type"] = {"forward": {"receiver_currency": "EUR", "fees_included": "false"}}
    body.update(changes)
    return {"quoterequest": body}


def payment_request(proposal_id: str, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(TRANSFER)
    body["proposal_id"] = proposal_id
    body.update(copy.deepcopy(KYC))
    body.update(changes)
    return {"paymentrequest": body}


async def send(client: httpx.AsyncClient, method: str, url: str, document: Any = None,
               fmt: Format = "json", **kwargs: Any) -> httpx.Response:
    """``document`` serialised in ``fmt`` with its Content-Type (none for a bare GET)."""
    headers = dict(kwargs.pop("headers", {}))
    content = None
    if document is not None:
        content = dumps(document, fmt)
        headers.setdefault("content-type", f"application/{fmt}")
    elif fmt == "xml":
        headers.setdefault("accept", "application/xml")
    return await client.request(method, url, content=content, headers=headers, **kwargs)


def body(response: httpx.Response) -> Any:
    """The response document, read in the format its Content-Type says."""
    return loads(response.content, document_format(response.headers["content-type"]))


def errors(response: httpx.Response) -> tuple[ErrorItem, ...]:
    return parse_errors(response.content, document_format(response.headers["content-type"]))


def reasons(response: httpx.Response) -> set[tuple[str, str]]:
    """``{(Source, ReasonCode)}`` of an error answer."""
    return {(item.source, item.reason_code) for item in errors(response)}


async def new_proposal(client: httpx.AsyncClient, fmt: Format = "json",
                       **changes: Any) -> str:
    response = await send(client, "POST", f"{V1}/quotes", quote_request(**changes), fmt)
    assert response.status_code == 200, response.text
    proposal = body(response)["quote"]["proposals"]["proposal"]
    return str((proposal[0] if isinstance(proposal, list) else proposal)["id"])


async def new_payment(client: httpx.AsyncClient, reference: str = "REF-1",
                      fmt: Format = "json", **changes: Any) -> dict[str, Any]:
    proposal_id = await new_proposal(client, fmt, transaction_reference=reference, **changes)
    response = await send(client, "POST", f"{V1}/payment",
                          payment_request(proposal_id, transaction_reference=reference,
                                          **changes), fmt)
    assert response.status_code == 200, response.text
    payment: dict[str, Any] = body(response)["payment"]
    return payment


def scoped_client(app: Any, partner_ids: Any, *, request_id: str = "req-1",
                  base_url: str = "http://sandbox") -> httpx.AsyncClient:
    """A client whose requests reach ``app`` as the gateway passes them: with
    ``scope["xbsec"]`` naming the caller's partner ids."""
    identity = {"consumer_key": "ck", "partner_ids": partner_ids, "auth": "oauth1",
                "request_id": request_id, "psd2": False}

    async def behind_gateway(scope: Any, receive: Any, send: Any) -> None:
        await app({**scope, "xbsec": identity}, receive, send)

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=behind_gateway),
                             base_url=base_url)


def count_rows(database: Path, table: str) -> int:
    with closing(sqlite3.connect(database)) as connection:
        count: int = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
    return count


async def rfi_request_id(client: httpx.AsyncClient, payment_id: str) -> str:
    """The request for information a payment opened, as the RFI push would name it."""
    response = await client.get(f"/sandbox/payments/{payment_id}/rfi")
    assert response.status_code == 200, response.text
    return str(response.json()["requestId"])


def confirmation(reference: str, proposal_id: str) -> dict[str, str]:
    """A quote confirmation (or cancellation) body, camelCase and without a root."""
    return {"transactionReference": reference, "proposalId": proposal_id}


async def set_status(client: httpx.AsyncClient, payment_id: str, status: str,
                     **members: str) -> httpx.Response:
    """The sandbox's control endpoint: move a payment to ``status`` at once."""
    return await send(client, "POST", f"/sandbox/payments/{payment_id}/status",
                      {"status": status, **members})
