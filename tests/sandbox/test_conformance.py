"""The sandbox's check of its own answers: an answer the contract does not describe becomes
a 500 CONTRACT_VIOLATION and is logged, so that the test that caused it fails."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

from tests.sandbox.samples import V0, V1, body, errors, quote_request, send
from xbsec.sandbox import SandboxApp, create_sandbox_app, routes
from xbsec.sandbox.conformance import ResponseChecker
from xbsec.sandbox.request import Reply

pytestmark = pytest.mark.anyio


async def test_the_test_suite_checks_every_sandbox(app: SandboxApp) -> None:
    assert app.checker is not None


async def test_an_invented_answer_is_a_violation(
        client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch,
        sandbox_answers_match_the_contract: Any) -> None:
    def invented(request: Any, store: Any) -> Reply:
        return Reply({"quote": {"transaction_reference": "R", "fx_rate": "1.1"}})

    monkeypatch.setattr(routes, "ROUTES", tuple(
        dataclasses.replace(route, handler=invented) if route.operation_id == "create_quote"
        else route for route in routes.ROUTES))
    response = await send(client, "POST", f"{V1}/quotes", quote_request())
    assert response.status_code == 500
    (error,) = errors(response)
    assert error.reason_code == "CONTRACT_VIOLATION"
    assert "create_quote 200 json" in error.description
    found = sandbox_answers_match_the_contract.found
    assert len(found) == 1
    assert "fx_rate" in found[0] or "proposals" in found[0]
    found.clear()  # caused on purpose


def test_the_checker_names_what_is_wrong() -> None:
    checker = ResponseChecker()
    assert checker.violation("balances", 200, "json", b"[]") is None
    assert "accounts" in (checker.violation("balances", 200, "json",
                                            b'{"accounts":{"account":[]}}') or "")
    assert "no 418" in (checker.violation("balances", 418, "json", b"{}") or "")
    assert "does not parse" in (checker.violation("balances", 200, "json", b"{") or "")
    assert checker.violation(None, 404, "xml", b"<Errors><Error><Source>Endpoint</Source>"
                             b"<ReasonCode>RESOURCE_UNKNOWN</ReasonCode><Description>x"
                             b"</Description><Recoverable>false</Recoverable></Error>"
                             b"</Errors>") is None
    assert checker.violation(None, 200, "json", b"{}") is not None


async def test_unchecked_sandboxes_answer_as_they_are(tmp_path: Any) -> None:
    app = create_sandbox_app(tmp_path / "unchecked.db", check_responses=False)
    assert app.checker is None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        assert (await client.get(f"{V0}/accounts")).status_code == 200
    app.close()


async def test_the_contract_is_served(client: httpx.AsyncClient) -> None:
    from xbsec.contract import document_bytes

    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.content == document_bytes()
    assert body(response)["openapi"] == "3.1.0"
