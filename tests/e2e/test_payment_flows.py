"""Quote -> payment -> retrieve by id and by reference -> cancel, through ``XBSClient``, over
real HTTP to ``xbsec sandbox serve``: both auth modes, encrypted and plain, JSON and XML."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.documents import Wire, new_reference, payment_for, proposal_id, quote_for
from tests.e2e.sandbox_process import Project, SandboxServer
from xbsec.client.xbs import AsyncXBSClient
from xbsec.documents import Format
from xbsec.errors import BusinessError


@pytest.fixture(params=["oauth1", "request-token"])
def served(request: pytest.FixtureRequest) -> tuple[str, Project, SandboxServer]:
    """Each auth mode with its own project: ``init`` and ``init --auth request-token``."""
    if request.param == "oauth1":
        return "oauth1", request.getfixturevalue("oauth1_project"), request.getfixturevalue(
            "oauth1_sandbox")
    return "request-token", request.getfixturevalue("token_project"), request.getfixturevalue(
        "token_sandbox")


def _check_wire(wire: Wire, auth: str, fmt: Format, encrypted: bool, reference: str) -> None:
    scheme = "OAuth " if auth == "oauth1" else "Bearer "
    for response in wire.responses:
        sent = response.request
        assert sent.headers["authorization"].startswith(scheme)
        assert sent.headers["content-type"] == f"application/{fmt}"
        assert response.headers["content-type"].startswith(f"application/{fmt}")
        assert response.headers["x-request-id"]
        assert (sent.headers.get("x-encrypted") == "true") is encrypted
        if sent.content:
            assert (b"encrypted_payload" in sent.content) is encrypted
        if response.status_code == 200:
            assert (b"encrypted_payload" in response.content) is encrypted
    # The reference travels in the quote and the payment requests and in every answer that
    # describes the payment: in the clear only when nothing is encrypted.
    quote, payment = (r.request.content for r in wire.responses[:2])
    answers = [r.content for r in wire.responses if r.status_code == 200
               and not r.request.url.path.endswith("/cancel")]
    for seen in (quote, payment, *answers):
        assert (reference.encode() in seen) is not encrypted


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
def test_quote_pay_retrieve_cancel(served: tuple[str, Project, SandboxServer], fmt: Format,
                                   encrypted: bool) -> None:
    auth, project, server = served
    wire = Wire()
    reference = new_reference()
    with project.client(server, format=fmt, encrypted=encrypted, http=wire.client()) as xbs:
        quote = xbs.create_quote(quote_for(reference))
        assert quote["transaction_reference"] == reference
        payment = xbs.create_payment(payment_for(reference, proposal_id(quote)))
        assert payment["status"] == "PENDING"
        assert payment["transaction_reference"] == reference
        assert payment["proposal_id"] == proposal_id(quote)

        assert xbs.retrieve_payment(payment["id"]) == payment
        assert xbs.retrieve_payment_by_reference(reference) == payment

        cancelled = xbs.cancel_payment(payment["id"])
        assert cancelled == {"status": "SUCCESS"}
        assert xbs.retrieve_payment(payment["id"])["status"] == "REJECTED"
        with pytest.raises(BusinessError) as again:
            xbs.cancel_payment(payment["id"])
    assert (again.value.status, again.value.reason_code) == (409, "DUPLICATE_VALUE")
    assert len(wire.responses) == 7
    _check_wire(wire, auth, fmt, encrypted, reference)


def test_carded_rates_encrypted(served: tuple[str, Project, SandboxServer]) -> None:
    _, project, server = served
    wire = Wire()
    with project.client(server, http=wire.client()) as xbs:
        rates = xbs.carded_rates()
    assert rates
    (response,) = wire.responses
    assert response.request.headers["x-encrypted"] == "true"
    assert response.content.startswith(b'{"encrypted_payload":{"data":"')


@pytest.mark.anyio
async def test_the_async_client_over_the_wire(oauth1_project: Project,
                                              oauth1_sandbox: SandboxServer) -> None:
    reference = new_reference()
    profile = oauth1_project.profile(base_url=oauth1_sandbox.url)
    async with AsyncXBSClient(profile) as xbs:
        quote: Any = await xbs.create_quote(quote_for(reference))
        payment = await xbs.create_payment(payment_for(reference, proposal_id(quote)))
        assert await xbs.retrieve_payment_by_reference(reference) == payment
        cancelled = await xbs.cancel_payment(payment["id"])
    assert cancelled["status"] == "SUCCESS"
