"""Property: whatever body reaches a POST endpoint, the answer is a 2xx or a 4xx business
envelope in the request's format, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.sandbox.samples import V0, V1, payment_request, quote_request
from xbsec.documents import document_format, dumps_json, dumps_xml, loads
from xbsec.error_envelope import parse_errors
from xbsec.errors import PayloadError

pytestmark = pytest.mark.anyio

POSTS = {
    f"{V1}/quotes": "quoterequest", f"{V1}/payment": "paymentrequest",
    f"{V1}/rem_1/cancel": "cancelpaymentrequest",
    f"{V0}/quotes/confirmations": "quoteconfirmation",
    f"{V0}/quotes/cancellations": "quotecancellation",
    f"{V0}/accounts/validations": "accountvalidation",
    f"{V0}/accounts/generate-ibans": "ibangeneration", f"{V0}/banks/details": "bankdetails",
    f"{V0}/rfi/requests/rfi_1": "answers", f"{V0}/rfi/documents": "document",
}
NAMES = st.sampled_from(["transaction_reference", "payment_amount", "amount", "currency",
                         "quote_type", "forward", "reverse", "proposal_id", "iban", "bic",
                         "answers", "question_id", "answer", "document", "request_id",
                         "payment_type", "fees_included", "country", "bban", "x"])
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
                                                                 allow_infinity=False)
           | st.text(max_size=30) | st.sampled_from(["100.00", "USD", "EUR", "P2P", "Q1",
                                                     "DE89370400440532013000", "true", ""]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(NAMES, inner, max_size=5), max_leaves=20)


def _mutated(template: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    (root, content), = template.items()
    return st.dictionaries(NAMES, VALUES, max_size=4).map(
        lambda changes: {root: {**content, **changes}})


DOCUMENTS = (st.builds(lambda root, value: {root: value}, st.sampled_from(sorted(
    set(POSTS.values()))), VALUES) | _mutated(quote_request())
    | _mutated(payment_request("pen_1")) | VALUES)


def _encoded(document: Any, fmt: str) -> bytes | None:
    try:
        return dumps_json(document) if fmt == "json" else dumps_xml(document)
    except PayloadError:
        return None  # not every value has an XML form


BODIES = (st.tuples(DOCUMENTS, st.sampled_from(["json", "xml"])).map(
    lambda pair: (_encoded(*pair), f"application/{pair[1]}"))
    | st.tuples(st.binary(max_size=200), st.sampled_from(
        ["application/json", "application/xml", "text/plain", "application/xml; charset=utf-8",
         ""])))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(url=st.sampled_from(sorted(POSTS)), payload=BODIES)
async def test_any_body_gets_a_2xx_or_a_4xx_envelope(
        client: httpx.AsyncClient, url: str, payload: tuple[bytes | None, str]) -> None:
    content, content_type = payload
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post(url, content=content or b"", headers=headers)
    assert response.status_code < 500, response.text
    event(f"status {response.status_code}")
    fmt = document_format(response.headers["content-type"])
    if response.status_code < 300:
        assert isinstance(loads(response.content, fmt), dict)
        return
    assert 400 <= response.status_code < 500
    assert parse_errors(response.content, fmt)
    if fmt == "json":
        error = json.loads(response.content)["Errors"]["Error"]
        for item in error if isinstance(error, list) else [error]:
            assert item["Recoverable"] == "false"
