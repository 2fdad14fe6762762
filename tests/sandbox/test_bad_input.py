"""Whatever arrives, the answer is a clear business envelope: never a 500, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import FakeClock
from tests.sandbox.samples import V0, V1, body, count_rows, errors, quote_request, reasons, send
from xbsec.sandbox import create_sandbox_app

pytestmark = pytest.mark.anyio

FORMAT = "INVALID_INPUT_FORMAT"
JSON = {"content-type": "application/json"}
XML = {"content-type": "application/xml"}


@pytest.mark.parametrize(("content", "headers"), [
    (b'{"quoterequest": {"transaction_reference": "0999', JSON),
    (b'{"quoterequest": {}} trailing', JSON),
    (b'{"quoterequest": {"a": 1, "a": 2}}', JSON),
    (b'{"quoterequest": {"a": NaN}}', JSON),
    (b'\xff\xfe{"quoterequest": {}}', JSON),
    (b"[" * 100_000 + b"]" * 100_000, JSON),
    (b'{"quoterequest": {"payment_amount": {"amount": ' + b"9" * 5_000 + b"}}}", JSON),
    (b'{"quoterequest": {"n": -' + b"9" * 5_000 + b"}}", JSON),
    (b'{"quoterequest": {"n": 1e999999}}', JSON),
    (b"<quoterequest><transaction_reference>1</quoterequest>", XML),
    (b"<quoterequest>\xff</quoterequest>", XML),
    (b"not xml at all", XML),
])
async def test_a_malformed_body_is_an_input_format_error(
        client: httpx.AsyncClient, database: Path, content: bytes,
        headers: dict[str, str]) -> None:
    response = await client.post(f"{V1}/quotes", content=content, headers=headers)
    assert response.status_code == 400
    assert reasons(response) == {("Body", FORMAT)}
    assert count_rows(database, "proposals") == 0


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quoterequest><transaction_reference>&lol3;</transaction_reference></quoterequest>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<quoterequest><transaction_reference>&x;</transaction_reference></quoterequest>"""
DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE quoterequest><quoterequest/>'


@pytest.mark.parametrize("content", [BOMB, EXTERNAL, DOCTYPE])
async def test_xml_with_a_dtd_is_refused_unexpanded(client: httpx.AsyncClient,
                                                    content: bytes) -> None:
    response = await client.post(f"{V1}/quotes", content=content, headers=XML)
    assert response.status_code == 400
    assert reasons(response) == {("Body", FORMAT)}
    assert b"lol" not in response.content
    assert b"root:" not in response.content


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "json", "*/*"])
async def test_an_unsupported_content_type_is_refused(client: httpx.AsyncClient,
                                                      content_type: str) -> None:
    response = await client.post(f"{V1}/quotes", content=b"{}",
                                 headers={"content-type": content_type})
    assert response.status_code == 400
    assert reasons(response) == {("Content-Type", FORMAT)}
    assert response.headers["content-type"].startswith("application/json")


async def test_a_body_without_a_content_type_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{V1}/quotes", content=b'{"quoterequest": {}}')
    assert response.status_code == 400
    assert reasons(response) == {("Content-Type", FORMAT)}


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8",
                                          "APPLICATION/JSON", "application/vnd.x+json"])
async def test_content_type_parameters_and_case_are_ignored(client: httpx.AsyncClient,
                                                            content_type: str) -> None:
    response = await client.post(f"{V1}/quotes", content=send_bytes(quote_request()),
                                 headers={"content-type": content_type})
    assert response.status_code == 200


def send_bytes(document: Any) -> bytes:
    from xbsec.documents import dumps_json

    return dumps_json(document)


@pytest.mark.parametrize(("method", "url", "root"), [
    ("POST", f"{V0}/quotes/cancellations", "cancelConfirmedQuoteRequest"),
    ("POST", f"{V0}/accounts/validations", "accountUri"),
    ("POST", f"{V0}/accounts/generate-ibans", "accountUri"),
    ("POST", f"{V0}/banks/details", "bank"),
    ("POST", f"{V0}/rfi/documents", "uploadDocumentRequest"),
    ("POST", f"{V0}/rfi/requests/rfi_1", "updateRequest"),
    ("POST", "/send/address-validation-service/addresses/validations", "address"),
])
async def test_json_only_apis_refuse_xml_in_json(client: httpx.AsyncClient, method: str,
                                                 url: str, root: str) -> None:
    response = await send(client, method, url, {root: {"x": "1"}}, "xml")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert reasons(response) == {("Content-Type", FORMAT)}


@pytest.mark.parametrize("url", [f"{V0}/accounts", f"{V0}/rfi/requests/rfi_1",
                                 f"{V0}/rfi/documents/doc_1", f"{V0}/quotes/r/proposals/p"])
async def test_json_only_gets_refuse_an_xml_accept(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url, headers={"accept": "application/xml"})
    assert response.status_code == 400
    assert reasons(response) == {("Accept", FORMAT)}
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("url", [f"{V0}/accounts", f"{V1}/rates",
                                 "/crossborder/endpoint-guide/specifications"])
async def test_a_get_with_the_reference_apps_content_type_is_served(
        client: httpx.AsyncClient, url: str) -> None:
    # Mastercard's reference app sends Content-Type: application/xml on every GET, JSON-only
    # APIs included (FIDELITY §3 item 11): a header describing no body refuses nothing.
    response = await client.get(url, headers={
        "content-type": "application/xml", "partner-ref-id": "SANDBOX_1234567",
        "specification-type": "TEG"}, params={
        "payment_type": "P2P", "destination_payment_instrument": "BANK",
        "destination_country": "DEU", "destination_currency": "EUR"}
        if "guide" in url else None)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/xml;q=0.5, application/json", "json"),
    ("application/json;q=0.1, application/xml", "xml"),
    ("text/html, */*;q=0.8", "json"),
    ("application/*", "json"),
    ("text/xml", "xml"),
    ("application/json;q=0, application/xml", "xml"),
    ("application/xml;q=high, application/json", "json"),
    ("application/xml;q=2, application/json;q=0.2", "json"),
])
async def test_accept_picks_the_answer_format(client: httpx.AsyncClient, accept: str,
                                              expected: str) -> None:
    response = await client.get(f"{V1}/rates", headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(f"application/{expected}")


async def test_an_accept_naming_no_format_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V1}/rates", headers={"accept": "text/html"})
    assert response.status_code == 400
    assert reasons(response) == {("Accept", FORMAT)}


async def test_an_unknown_route_is_an_unknown_endpoint(client: httpx.AsyncClient) -> None:
    for response in (await client.get("/"), await client.post("/send/v2/anything"),
                     await client.get(f"{V1}/a/b/c"), await client.get(f"{V1}/quotes/x/y")):
        assert response.status_code == 404
        assert reasons(response) == {("Endpoint", "RESOURCE_UNKNOWN")}


async def test_a_known_path_with_another_method_is_405(client: httpx.AsyncClient) -> None:
    response = await client.delete(f"{V0}/quotes/confirmations")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert reasons(response) == {("Endpoint", "RESOURCE_UNKNOWN")}
    rates = await client.post(f"{V1}/rates", content=b"{}", headers=JSON)
    assert rates.headers["allow"] == "GET"


async def test_a_query_that_is_not_utf8_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{V1}?ref=%ff%fe")
    assert response.status_code == 400
    assert reasons(response) == {("Query", "INVALID_INPUT_VALUE")}


@pytest.fixture
async def small_client(database: Path, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_sandbox_app(database, clock=clock, max_body_bytes=1000)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://sandbox") as client:
        yield client
    app.close()


async def test_an_oversized_body_is_refused(small_client: httpx.AsyncClient) -> None:
    declared = await small_client.post(f"{V1}/quotes", content=b"{" + b" " * 2000 + b"}",
                                       headers=JSON)
    assert declared.status_code == 413
    assert reasons(declared) == {("Body", "INVALID_INPUT_LENGTH")}

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(5):
            yield b" " * 300

    streamed = await small_client.post(f"{V1}/quotes", content=chunks(), headers=JSON)
    assert streamed.status_code == 413


async def test_a_body_at_the_limit_is_read(small_client: httpx.AsyncClient) -> None:
    content = send_bytes(quote_request())
    response = await small_client.post(f"{V1}/quotes", content=content.ljust(1000), headers=JSON)
    assert response.status_code == 200


async def test_an_unexpected_failure_is_an_opaque_500(
        client: httpx.AsyncClient, database: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail tel:+254108989")

    monkeypatch.setattr("xbsec.sandbox.quotes.insert_proposal", broken)
    with caplog.at_level(logging.DEBUG, logger="xbsec.sandbox"):
        response = await send(client, "POST", f"{V1}/quotes", quote_request())
    assert response.status_code == 500
    (error,) = errors(response)
    assert (error.source, error.reason_code, error.description) == (
        "Service", "INTERNAL_ERROR", "Internal Server Error")
    assert b"secret" not in response.content
    assert b"Traceback" not in response.content
    assert "RuntimeError" in caplog.text
    assert "secret" not in caplog.text
    assert "tel:" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)
    assert count_rows(database, "proposals") == 0


async def test_a_database_error_is_an_opaque_500(
        client: httpx.AsyncClient, database: Path) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(database)) as connection:
        connection.execute("DROP TABLE rfi_documents")
    response = await client.get(f"{V0}/rfi/documents/doc_1")
    assert response.status_code == 500
    assert b"rfi_documents" not in response.content


async def test_answers_carry_their_length(client: httpx.AsyncClient) -> None:
    response = await send(client, "POST", f"{V1}/quotes", quote_request())
    assert int(response.headers["content-length"]) == len(response.content)
    assert body(response)["quote"]


async def test_a_content_length_of_thousands_of_digits_is_413_not_500(app: Any) -> None:
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await app({"type": "http", "method": "POST", "path": f"{V1}/quotes",
               "raw_path": f"{V1}/quotes".encode(), "query_string": b"", "scheme": "http",
               "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                           (b"content-length", b"9" * 5_000)]}, receive, send)
    assert sent[0]["status"] == 413
