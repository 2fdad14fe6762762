"""Numbers Python will not read: only a ``PayloadError`` comes out, whoever parses.

``int()`` of a string of more than 4,300 digits raises ``ValueError`` (CPython's guard
against quadratic conversion); a float literal beyond the double range reads as infinity.
Every JSON reader of xbsec turns both into a ``PayloadError``, whatever the interpreter's
limit is set to.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from xbsec.client.pipeline import ClientPipeline, IncomingResponse, OutgoingRequest
from xbsec.documents import loads, loads_json
from xbsec.errors import ApiError, PayloadError
from xbsec.payload.encrypted_body import decrypt_payload
from xbsec.payload.envelope import unwrap
from xbsec.payload.json_document import parse_json

DIGITS = "9" * 5_000
TOO_BIG = [
    DIGITS,
    f"-{DIGITS}",
    f'{{"quote":{{"amount":{DIGITS}}}}}',
    f'{{"quote":[1,2,{DIGITS}]}}',
    '{"quote":{"amount":1e999999}}',
    '{"quote":{"amount":-1e400}}',
]


@pytest.fixture(params=["default-limit", "no-limit"])
def int_limit(request: pytest.FixtureRequest) -> Iterator[None]:
    """Also with the interpreter's guard switched off: the cap is xbsec's own."""
    before = sys.get_int_max_str_digits()
    if request.param == "no-limit":
        sys.set_int_max_str_digits(0)
    yield
    sys.set_int_max_str_digits(before)


@pytest.mark.usefixtures("int_limit")
@pytest.mark.parametrize("text", TOO_BIG)
def test_the_document_readers_raise_payload_error(text: str) -> None:
    with pytest.raises(PayloadError, match="number"):
        parse_json(text)
    with pytest.raises(PayloadError, match="number"):
        loads_json(text.encode())
    with pytest.raises(PayloadError, match="number"):
        loads(text.encode(), "json")


def test_numbers_up_to_the_cap_are_read() -> None:
    assert parse_json("9" * 4_300) == int("9" * 4_300)
    assert parse_json("-" + "9" * 4_300) == -int("9" * 4_300)
    assert parse_json("1e308") == 1e308


@pytest.mark.usefixtures("int_limit")
@pytest.mark.parametrize("body", [
    f'{{"encrypted_payload":{{"data":{DIGITS}}}}}',
    f'{{"encrypted_payload":{{"data":"a.b.c.d.e"}},"n":{DIGITS}}}',
    f'{{"encrypted_payload":{{"data":"a.b.c.d.e","n":{DIGITS}}}}}',
])
def test_envelope_readers_raise_payload_error(body: str, rsa_key_2048: Any) -> None:
    for allow_extra_members in (False, True):
        with pytest.raises(PayloadError):
            unwrap(body.encode(), allow_extra_members=allow_extra_members)
        with pytest.raises(PayloadError):
            decrypt_payload(body.encode(), rsa_key_2048, allow_extra_members=allow_extra_members)


class NoAuth:
    def authorization(self, method: str, url: str, body: bytes) -> str:
        return "none"


def _response(status: int, body: str) -> IncomingResponse:
    return IncomingResponse(status, {"Content-Type": "application/json"}, body.encode(),
                            "json", False)


@pytest.mark.usefixtures("int_limit")
def test_the_client_pipeline_raises_payload_error_or_a_typed_api_error() -> None:
    with pytest.raises(PayloadError):
        ClientPipeline(NoAuth()).document(_response(200, TOO_BIG[2]))
    error = ClientPipeline.error(_response(400, '{"Errors":{"Error":[{"ReasonCode":'
                                            + DIGITS + "}]}}"))
    assert isinstance(error, ApiError)
    assert error.reason_code == "UNEXPECTED_RESPONSE"


def test_an_encrypted_response_that_holds_a_huge_number(rsa_key_2048: Any,
                                                        certificate: Any) -> None:
    from xbsec.client.pipeline import Encryption
    from xbsec.payload.encrypted_body import encrypt_payload

    pipeline = ClientPipeline(NoAuth(), encryption=Encryption(certificate, rsa_key_2048))
    out = pipeline.request("GET", "https://h/x")
    assert isinstance(out, OutgoingRequest)
    body = encrypt_payload(TOO_BIG[2].encode(), certificate)
    response = pipeline.response(out, 200, {"Content-Type": "application/json"}, body)
    with pytest.raises(PayloadError):
        pipeline.document(response)
