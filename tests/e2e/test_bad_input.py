"""Bad input over the wire: each gets a clear envelope with its status, never a 500 or a
traceback, and nothing is half-written in the project's SQLite database.

Truncated bodies, wrong Content-Types, malformed documents and envelopes, XML bombs and
external entities (in plaintext bodies, inside the encrypted plaintext, and in the XML
envelope itself), bodies over the policy's 10 MiB, and partner ids nobody is entitled to.
"""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.e2e.documents import new_reference, quote_for
from tests.e2e.raw_requests import JSON, Caller, refusal, v1
from tests.e2e.sandbox_process import Project, SandboxServer
from xbsec.documents import dumps_json
from xbsec.keys import load_certificate
from xbsec.payload import encrypt_payload

MiB = 1024 * 1024

BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
        + b"]>\n<quoterequest><transaction_reference>&lol9;</transaction_reference>"
          b"</quoterequest>")
XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
       b"<quoterequest><transaction_reference>&x;</transaction_reference></quoterequest>")
EXTERNAL_DTD = (b'<?xml version="1.0"?>\n<!DOCTYPE q SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
                b"<quoterequest/>")
PARAMETER_ENTITY = (b'<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY % p SYSTEM '
                    b'"file:///etc/passwd"> %p;]>\n<quoterequest/>')
DEEP_JSON = b'{"quoterequest":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
DEEP_XML = b"<quoterequest>" + b"<a>" * 50_000 + b"</a>" * 50_000 + b"</quoterequest>"
HUGE_INTEGER = b"9" * 5_000  # past Python's 4,300-digit limit on int() of a string


def rows(database: Path) -> dict[str, int]:
    """Rows in every table of the sandbox's database."""
    with closing(sqlite3.connect(database)) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                for table in tables}


@pytest.fixture
def caller(oauth1_project: Project, oauth1_sandbox: SandboxServer) -> Iterator[Caller]:
    """A signing caller; the server must be healthy after the test, with no logged problem."""
    with Caller(oauth1_sandbox, oauth1_project.consumer_key,
                oauth1_project.signing[0]) as made:
        yield made
    assert httpx.get(oauth1_sandbox.url + "/health").status_code == 200
    assert oauth1_sandbox.problems() == []


@pytest.fixture
def untouched(oauth1_project: Project) -> Iterator[None]:
    """The test must leave the database as it found it."""
    before = rows(oauth1_project.database)
    yield
    assert rows(oauth1_project.database) == before


def _no_500(response: httpx.Response) -> None:
    assert response.status_code != 500
    assert b"Traceback" not in response.content


def _certificate(project: Project) -> object:
    return load_certificate(project.made["client_encryption_cert"])


# -- bodies that do not parse, in the clear and inside the JWE --------------------------


UNPARSABLE = {  # body, Content-Type, the Source of the 400 INVALID_INPUT_FORMAT
    "xml-bomb": (BOMB, "application/xml", "Body"),
    "xxe": (XXE, "application/xml", "Body"),
    "external-dtd": (EXTERNAL_DTD, "application/xml", "Body"),
    "parameter-entity": (PARAMETER_ENTITY, "application/xml", "Body"),
    "deep-xml": (DEEP_XML, "application/xml", "Body"),
    "deep-json": (DEEP_JSON, "application/json", "Body"),
    "huge-integer": (b'{"quoterequest":{"payment_amount":{"amount":' + HUGE_INTEGER + b"}}}",
                     "application/json", "Body"),
    "huge-negative-integer": (b'{"quoterequest":{"n":-' + HUGE_INTEGER + b"}}",
                              "application/json", "Body"),
    "infinite-float": (b'{"quoterequest":{"n":1e999999}}', "application/json", "Body"),
    "truncated-json": (b'{"quoterequest": {', "application/json", "Body"),
    "not-utf-8": (b'{"quoterequest":{"transaction_reference":"\xff\xfe"}}', "application/json",
                  "Body"),
    "json-sent-as-xml": (dumps_json(quote_for("R")), "application/xml", "Body"),
    "text-plain": (dumps_json(quote_for("R")), "text/plain", "Content-Type"),
    "no-content-type": (dumps_json(quote_for("R")), "", "Content-Type"),
}
# An encrypted body needs an envelope Content-Type, so those cases stop at the gateway
# (test_a_malformed_envelope); the others reach the sandbox as decrypted plaintext.
ENCRYPTABLE = [name for name, (_, _, source) in UNPARSABLE.items() if source == "Body"]


def _unparsable(caller: Caller, project: Project, body: bytes, content_type: str,
                encrypted: bool) -> httpx.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    if encrypted:
        body = encrypt_payload(body, _certificate(project),  # type: ignore[arg-type]
                               content_type=content_type)
        headers["x-encrypted"] = "true"
    started = time.monotonic()
    response = caller.send("POST", v1(project.partner_id, "/quotes"), body, headers)
    assert time.monotonic() - started < 5
    _no_500(response)
    assert b"root:" not in response.content  # nothing of /etc/passwd came back
    return response


@pytest.mark.usefixtures("untouched")
@pytest.mark.parametrize("case", list(UNPARSABLE))
def test_a_body_that_does_not_parse(caller: Caller, oauth1_project: Project,
                                    case: str) -> None:
    body, content_type, source = UNPARSABLE[case]
    response = _unparsable(caller, oauth1_project, body, content_type, encrypted=False)
    # Past the gateway: the sandbox's business envelope.
    assert refusal(response) == (400, "INVALID_INPUT_FORMAT", source)


@pytest.mark.usefixtures("untouched")
@pytest.mark.parametrize("case", ENCRYPTABLE)
def test_an_encrypted_plaintext_that_does_not_parse(caller: Caller, oauth1_project: Project,
                                                    case: str) -> None:
    body, content_type, source = UNPARSABLE[case]
    response = _unparsable(caller, oauth1_project, body, content_type, encrypted=True)
    assert refusal(response) == (400, "INVALID_INPUT_FORMAT", source)
    assert b"encrypted_payload" not in response.content  # errors stay plaintext (§3.5)


@pytest.mark.usefixtures("untouched")
@pytest.mark.parametrize(("body", "content_type"), [
    (b'<?xml version="1.0"?>\n<!DOCTYPE e [<!ENTITY a "A">]>\n'
     b"<encrypted_payload><data>&a;</data></encrypted_payload>", "application/xml"),
    (BOMB.replace(b"quoterequest", b"encrypted_payload").replace(b"transaction_reference",
                                                                  b"data"), "application/xml"),
    (XXE.replace(b"quoterequest", b"encrypted_payload").replace(b"transaction_reference",
                                                                 b"data"), "application/xml"),
    (b"<encrypted_payload><data>a.b.c.d.e</data><extra/></encrypted_payload>",
     "application/xml"),
    (b"<encrypted_payload><data>a.b.c.d.e</data>", "application/xml"),
    (b'{"encrypted_payload":{"data":"', "application/json"),
    (b'{"encrypted_payload":{"data":12345}}', "application/json"),
    (b'{"encrypted_payload":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json"),
    (b'{"encrypted_payload":{"data":' + HUGE_INTEGER + b"}}", "application/json"),
    (b'{"encrypted_payload":{"data":"a.b.c.d.e"},"n":' + HUGE_INTEGER + b"}",
     "application/json"),
    (b"", "application/json"),
    (b'{"encrypted_payload":{"data":"a.b.c.d.e"}}', "text/plain"),
], ids=["xml-entity", "xml-bomb", "xxe", "extra-element", "unclosed-xml", "truncated-json",
        "data-not-a-string", "deep-json", "data-a-huge-integer", "a-huge-integer-beside",
        "empty-post", "text-plain"])
def test_a_malformed_envelope(caller: Caller, oauth1_project: Project, body: bytes,
                              content_type: str) -> None:
    response = caller.send("POST", v1(oauth1_project.partner_id, "/quotes"), body,
                           {"Content-Type": content_type, "x-encrypted": "true"})
    _no_500(response)
    status, reason, source = refusal(response)
    assert status == 400
    if body:
        assert (reason, source) == ("INVALID_INPUT_FORMAT", "encrypted_payload")
    else:  # an empty POST asks for an encrypted answer: the sandbox wants a document
        assert (reason, source) == ("MISSING_REQUIRED_INPUT", "Body")


# -- truncated bodies ----------------------------------------------------------------------


def _exchange(port: int, request: bytes, *, read: bool) -> bytes:
    """Send raw bytes, stop writing, and read until the server closes (when ``read``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        if not read:
            return b""
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


@pytest.mark.parametrize("cut", ["content-length-too-large", "chunked-cut-short",
                                 "closed-mid-body"])
def test_a_truncated_body_writes_nothing_and_burns_no_nonce(
        caller: Caller, oauth1_project: Project, cut: str) -> None:
    path = v1(oauth1_project.partner_id, "/quotes")
    body = dumps_json(quote_for(new_reference()))
    headers = caller.prepare("POST", path, body, JSON)
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{caller.server.port}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in headers.items()))
    if cut == "content-length-too-large":
        request = f"{head}Content-Length: {len(body) + 100}\r\n\r\n".encode() + body
    elif cut == "chunked-cut-short":
        half = body[: len(body) // 2]
        request = (f"{head}Transfer-Encoding: chunked\r\n\r\n{len(half):x}\r\n".encode()
                   + half + b"\r\n")
    else:
        request = f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body[:40]
    before = rows(oauth1_project.database)
    answer = _exchange(caller.server.port, request, read=cut != "closed-mid-body")
    # Nobody is left to answer; if anything comes back it is a refusal, not a 500.
    assert answer == b"" or answer.startswith(b"HTTP/1.1 4"), answer[:200]
    time.sleep(0.2)  # let the server notice the connection is gone
    assert rows(oauth1_project.database) == before
    # Nothing was processed, so the nonce is still fresh: the complete request is served.
    complete = caller.raw("POST", path, body, headers)
    assert complete.status_code == 200
    assert rows(oauth1_project.database)["proposals"] > before["proposals"]


# -- oversized bodies ----------------------------------------------------------------------


@pytest.mark.usefixtures("untouched")
def test_a_body_over_the_limit_is_413(caller: Caller, oauth1_project: Project) -> None:
    path = v1(oauth1_project.partner_id, "/quotes")
    oversized = b'{"quoterequest":{"x":"' + b"x" * (11 * MiB) + b'"}}'
    response = caller.send("POST", path, oversized, JSON)
    assert refusal(response) == (413, "REQUEST_TOO_LARGE", "Gateway")

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(11):
            yield b"x" * MiB

    # Signed (over the body it streams), so that only its size can refuse it.
    headers = caller.prepare("POST", path, b"x" * (11 * MiB), JSON)
    streamed = caller.http.post(caller.server.url + path, content=chunks(), headers=headers)
    assert streamed.request.headers["transfer-encoding"] == "chunked"
    assert refusal(streamed) == (413, "REQUEST_TOO_LARGE", "Gateway")
    # Unsigned, it is refused on its headers, before a byte of its body is read.
    unsigned = caller.http.post(caller.server.url + path, content=chunks(), headers=JSON)
    assert refusal(unsigned) == (400, "INVALID_AUTH_HEADER", "Gateway")

    announced = _exchange(caller.server.port, (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {11 * MiB}\r\n\r\n").encode(), read=True)
    assert announced.startswith(b"HTTP/1.1 413")  # refused before a byte of the body
    assert b"REQUEST_TOO_LARGE" in announced


@pytest.mark.usefixtures("untouched")
def test_just_under_the_limit_is_read_and_refused_by_the_sandbox(
        caller: Caller, oauth1_project: Project) -> None:
    # The gateway reads 9 MiB and authenticates it; the sandbox's own limit (2 MiB) answers.
    body = b'{"quoterequest":{"x":"' + b"x" * (9 * MiB) + b'"}}'
    response = caller.send("POST", v1(oauth1_project.partner_id, "/quotes"), body, JSON)
    assert refusal(response)[:2] == (413, "INVALID_INPUT_LENGTH")


# -- partner ids ---------------------------------------------------------------------------


@pytest.mark.usefixtures("untouched")
@pytest.mark.parametrize("partner", ["SANDBOX_0000000", "SANDBOX_", "%C3%BC", "*"])
def test_an_unknown_partner_id_is_declined(caller: Caller, partner: str) -> None:
    response = caller.send("POST", v1(partner, "/quotes"), dumps_json(quote_for("R")), JSON)
    _no_500(response)
    assert refusal(response) == (401, "DECLINED", "Gateway")


@pytest.mark.usefixtures("untouched")
@pytest.mark.parametrize("partner", ["%00", "%2E%2E", "SANDBOX_1%2F2", "SANDBOX_1%5C2"])
def test_a_partner_id_with_an_encoded_separator_is_not_read_at_all(caller: Caller,
                                                                    partner: str) -> None:
    # An encoded '/', '\', '.' or NUL in the path means another path to a lenient router.
    response = caller.send("POST", v1(partner, "/quotes"), dumps_json(quote_for("R")), JSON)
    _no_500(response)
    assert refusal(response) == (400, "INVALID_REQUEST", "Gateway")


@pytest.mark.usefixtures("untouched")
def test_the_endpoint_guide_for_another_partner_is_declined(caller: Caller) -> None:
    response = caller.send("GET", "/crossborder/endpoint-guide/specifications?payment_type=P2P"
                           "&destination_payment_instrument=BANK&destination_country=DEU"
                           "&destination_currency=EUR",
                           headers={"Partner-Ref-Id": "SANDBOX_0000000",
                                    "Specification-Type": "TEG"})
    assert refusal(response) == (401, "DECLINED", "Gateway")


@pytest.mark.usefixtures("untouched")
def test_an_unknown_path_and_method_of_ones_own_partner(caller: Caller,
                                                        oauth1_project: Project) -> None:
    missing = caller.send("GET", v1(oauth1_project.partner_id, "/nothing/here"))
    assert refusal(missing)[:2] == (404, "RESOURCE_UNKNOWN")
    wrong_method = caller.send("DELETE", v1(oauth1_project.partner_id, "/quotes"))
    assert refusal(wrong_method)[0] == 405
