"""XBSClient and AsyncXBSClient against the loopback server (real HTTP, real checks)."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from xbsec import BusinessError, ConfigurationError, GatewayError, TransportError
from xbsec.client.xbs import AsyncXBSClient, XBSClient

QUOTE = {"transaction_reference": "0999999034810154901",
         "payment_amount": {"amount": "100.00", "currency": "EUR"},
         "sender": {"name": "Zoë"}}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_create_quote_wraps_signs_encrypts_and_unwraps(make_profile, loopback) -> None:
    with XBSClient(make_profile()) as xbs:
        echo = xbs.create_quote(QUOTE)["echo"]  # type: ignore[typeddict-item]
    assert echo["received"] == {"quoterequest": QUOTE}
    assert echo["target"] == "/send/v1/partners/SANDBOX_1234567/crossborder/quotes"
    seen = loopback.seen[-1]
    assert seen.headers["x-encrypted"] == "true"
    assert seen.body.startswith(b'{"encrypted_payload":{"data":"')


def test_a_document_that_has_its_root_is_sent_as_it_is(make_profile) -> None:
    with XBSClient(make_profile(encryption=False)) as xbs:
        echo = xbs.create_payment({"paymentrequest": {"proposal_id": "p1"}})["echo"]  # type: ignore[typeddict-item]
    assert echo["received"] == {"paymentrequest": {"proposal_id": "p1"}}


@pytest.mark.parametrize("auth", ["oauth1", "request-token"])
def test_every_read_endpoint_reaches_its_path(make_profile, auth) -> None:
    calls = {
        "retrieve_payment": (("pay 1/x",), "/send/v1/partners/SANDBOX_1234567/crossborder/"
                                           "pay%201%2Fx"),
        "retrieve_payment_by_reference": (("0999",), "/send/v1/partners/SANDBOX_1234567/"
                                                     "crossborder?ref=0999"),
        "carded_rates": ((), "/send/v1/partners/SANDBOX_1234567/crossborder/rates"),
        "retrieve_confirmed_quote": (("ref1", "prop1"), "/send/partners/SANDBOX_1234567/"
                                     "crossborder/quotes/ref1/proposals/prop1"),
        "balances": ((), "/send/partners/SANDBOX_1234567/crossborder/accounts"),
        "balance": (("acc1",), "/send/partners/SANDBOX_1234567/crossborder/accounts/acc1"),
        "rfi_request": (("r1",), "/send/partners/SANDBOX_1234567/crossborder/rfi/requests/r1"),
        "download_rfi_document": (("d1",), "/send/partners/SANDBOX_1234567/crossborder/rfi/"
                                           "documents/d1"),
    }
    with XBSClient(make_profile(auth=auth)) as xbs:
        for name, (args, target) in calls.items():
            answer = getattr(xbs, name)(*args)
            echo = answer.get("echo", answer)
            assert echo["target"] == target, name
            assert echo["auth"] == auth


def test_every_write_endpoint_sends_the_real_body(make_profile) -> None:
    confirmation = {"transactionReference": "ref1", "proposalId": "pen_1"}
    calls = {
        "cancel_payment": (("p1",), {"cancelpaymentrequest": {}}, "/p1/cancel"),
        "confirm_quote": (("ref1", "pen_1"), confirmation, "/quotes/confirmations"),
        "cancel_confirmed_quote": (("ref1", "pen_1"), confirmation, "/quotes/cancellations"),
        "validate_account": (({"accountUri": {"type": "IBAN", "value": "DE89"}},),
                             {"accountUri": {"type": "IBAN", "value": "DE89"}},
                             "/accounts/validations"),
        "generate_ibans": (({"accountUri": {"type": "ban", "value": "1"}, "country": "ITA"},),
                           {"accountUri": {"type": "ban", "value": "1"}, "country": "ITA"},
                           "/accounts/generate-ibans"),
        "bank_details": (({"country": "GBR"},), {"bank": {"country": "GBR"}}, "/banks/details"),
        "update_rfi_request": (("r1", {"sender": {"fullName": "Jo"}}),
                               {"updateRequest": {"sender": {"fullName": "Jo"}}},
                               "/rfi/requests/r1"),
        "upload_rfi_document": (({"fileName": "a.pdf", "file": "ZGF0YQ=="},),
                                {"uploadDocumentRequest": {"fileName": "a.pdf",
                                                           "file": "ZGF0YQ=="}},
                                "/rfi/documents"),
        "validate_address": (({"line1": "1 Main St", "country": "USA"},),
                             {"address": {"line1": "1 Main St", "country": "USA"}},
                             "/addresses/validations"),
    }
    with XBSClient(make_profile()) as xbs:
        for name, (args, sent, suffix) in calls.items():
            answer = getattr(xbs, name)(*args)
            echo = answer.get("echo", answer)
            assert echo["target"].endswith(suffix), name
            assert echo["received"] == sent, name


def test_xml_per_call(make_profile) -> None:
    with XBSClient(make_profile()) as xbs:
        echo = xbs.create_quote(QUOTE, format="xml")
    assert echo["echo"]["method"] == "POST"  # type: ignore[typeddict-item]


def test_query_values_are_percent_encoded(make_profile) -> None:
    with XBSClient(make_profile()) as xbs:
        answer = xbs.request("GET", "/send/x", query={"q": "a b&c=d", "é": "€"})
    assert answer["echo"]["target"] == "/send/x?q=a%20b%26c%3Dd&%C3%A9=%E2%82%AC"


def test_business_errors_raise(make_profile) -> None:
    with XBSClient(make_profile()) as xbs, pytest.raises(BusinessError) as info:
        xbs.request("POST", "/business-error", document={"quoterequest": {}})
    assert info.value.reason_code == "INVALID_INPUT_VALUE"


def test_gets_are_retried_and_posts_are_not(make_profile, loopback) -> None:
    waits: list[float] = []
    with XBSClient(make_profile(), sleep=waits.append, backoff=0.1) as xbs:
        answer = xbs.request("GET", "/retry-get/flaky")
        assert answer["echo"]["method"] == "GET"
        assert waits == [0.1, 0.2]
        assert loopback.calls["/retry-get/flaky"] == 3
        with pytest.raises(BusinessError) as info:
            xbs.request("POST", "/retry-post/flaky", document={"paymentrequest": {}})
        assert info.value.status == 503
        assert loopback.calls["/retry-post/flaky"] == 1


def test_connection_errors_are_retried_then_raised(make_profile) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    profile = make_profile(url=f"http://127.0.0.1:{port}")
    waits: list[float] = []
    with XBSClient(profile, sleep=waits.append, retries=3, backoff=0.01) as xbs:
        with pytest.raises(TransportError) as info:
            xbs.carded_rates()
        assert waits == [0.01, 0.02, 0.04]
        assert isinstance(info.value.__cause__, httpx.ConnectError)
        assert info.value.method == "GET"
        assert info.value.url == f"http://127.0.0.1:{port}/send/v1/partners/SANDBOX_1234567/" \
                                 "crossborder/rates"
        assert str(info.value).startswith("cannot connect")
        assert f"(GET http://127.0.0.1:{port}/send/" in str(info.value)
        assert f"request id {info.value.request_id})" in str(info.value)
        assert not info.value.maybe_executed
        waits.clear()
        with pytest.raises(TransportError) as info:
            xbs.create_quote(QUOTE)
        assert waits == []
        assert not info.value.maybe_executed  # never connected: not sent


def test_a_lost_answer_to_a_post_says_it_may_have_been_executed(make_profile,
                                                                loopback) -> None:
    with XBSClient(make_profile(), timeout=0.3, retries=2) as xbs, pytest.raises(
            TransportError) as info:
        xbs.request("POST", "/payment/slow", document={"paymentrequest": {}})
    assert loopback.calls["/payment/slow"] == 1  # not resent
    assert info.value.maybe_executed
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert "no answer in time (ReadTimeout)" in str(info.value)
    assert "may have been executed: look it up (a payment: retrieve_payment_by_reference) " \
           "before sending it again" in str(info.value)


def test_every_call_carries_a_request_id_that_errors_quote(make_profile, loopback) -> None:
    with XBSClient(make_profile()) as xbs:
        xbs.request("GET", "/send/with-id")
        sent = loopback.seen[-1].headers["X-Request-Id"]
        assert len(sent) == 32
        with pytest.raises(BusinessError) as info:
            xbs.request("POST", "/business-error", document={"quoterequest": {}})
    # The server's RequestId wins over the one sent; the error names the request.
    assert info.value.request_id == "123"
    assert info.value.method == "POST"
    assert info.value.url.endswith("/business-error")
    assert str(info.value).endswith(f"(POST {info.value.url}, request id 123)")
    with XBSClient(make_profile(), request_id_header=None) as quiet:
        quiet.request("GET", "/send/without-id")
    assert "X-Request-Id" not in loopback.seen[-1].headers


def test_429_is_retried_after_retry_after_even_for_a_post(make_profile, loopback) -> None:
    waits: list[float] = []
    with XBSClient(make_profile(), sleep=waits.append) as xbs:
        answer = xbs.request("POST", "/send/throttled", document={"quoterequest": {}})
        assert answer["echo"]["method"] == "POST"
        assert waits == [1.0]
        assert loopback.calls["/send/throttled"] == 2
        waits.clear()
        with pytest.raises(GatewayError) as info:
            xbs.request("GET", "/send/throttled-long")
    assert waits == []  # an hour is the caller's to decide
    assert (info.value.status, info.value.retry_after) == (429, 3600.0)
    assert loopback.calls["/send/throttled-long"] == 1


def test_construction_errors() -> None:
    with pytest.raises(ConfigurationError, match="give a profile"):
        XBSClient()
    from xbsec.client import ClientPipeline

    pipeline: Any = ClientPipeline(auth=None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="base_url and partner_id"):
        XBSClient(pipeline=pipeline)
    with pytest.raises(ConfigurationError, match="must not be negative"):
        XBSClient(pipeline=pipeline, base_url="http://x", partner_id="p", retries=-1)
    client = XBSClient(pipeline=pipeline, base_url="http://x/", partner_id="p")
    with pytest.raises(ConfigurationError, match="must start with '/'"):
        client.request("GET", "relative")
    with pytest.raises(ConfigurationError, match="payment_id must be"):
        client.retrieve_payment("")
    with pytest.raises(ConfigurationError, match="must be a mapping"):
        client.create_quote(["not", "a", "mapping"])  # type: ignore[arg-type]
    client.close()


def test_from_profile(make_profile, monkeypatch) -> None:
    profile = make_profile()
    with XBSClient.from_profile(path=str(profile.source)) as xbs:
        assert xbs.carded_rates()["echo"]["method"] == "GET"  # type: ignore[typeddict-item]


@pytest.mark.anyio
async def test_async_client_round_trips(make_profile, loopback) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with AsyncXBSClient(make_profile(auth="request-token"), sleep=sleep,
                              backoff=0.5) as xbs:
        echo = (await xbs.create_quote(QUOTE))["echo"]  # type: ignore[typeddict-item]
        assert echo["received"] == {"quoterequest": QUOTE}
        assert echo["auth"] == "request-token"
        by_reference = await xbs.retrieve_payment_by_reference("ref-9")
        assert by_reference["echo"]["target"].endswith("?ref=ref-9")  # type: ignore[typeddict-item]
        assert (await xbs.request("GET", "/async/flaky"))["echo"]["method"] == "GET"
        assert waits == [0.5, 1.0]
        with pytest.raises(BusinessError):
            await xbs.request("POST", "/business-error", document={"x": {}})


@pytest.mark.anyio
async def test_async_connection_errors(make_profile) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def sleep(seconds: float) -> None:
        pass

    xbs = AsyncXBSClient.from_profile(path=str(make_profile(url=f"http://127.0.0.1:{port}")
                                                .source), sleep=sleep, retries=1)
    with pytest.raises(TransportError) as info:
        await xbs.carded_rates()
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    await xbs.aclose()
