"""``xbsec explain`` agrees with ``xbsec verify`` on every request, and says which component
of the base string differs from what was signed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from xbsec.cli.app import cli
from xbsec.keys import generate_rsa_key, self_signed_certificate, write_certificate_pem

CK = "ck-agree!0123"
URL = "https://api.example.com/send/v1/partners/P1/crossborder/quotes?ref=12345"
NOW = 1_800_000_000
BODY = b'{"quoterequest":{"transaction_reference":"0999"}}'


def xbsec(*args: str, input: bytes | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=input)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("agree")
    made = xbsec("keys", "new", "--p12", str(folder / "k.p12"), "--cert-out",
                 str(folder / "c.pem"), "--days", "3650")
    assert made.exit_code == 0, made.output
    other = generate_rsa_key()
    write_certificate_pem(folder / "other.pem", self_signed_certificate(other, days=3650))
    from xbsec.keys import load_private_key

    private = load_private_key(folder / "k.p12", password="keystorepassword")
    expired = self_signed_certificate(private, days=10,  # type: ignore[arg-type]
                                      now=datetime.fromtimestamp(NOW, UTC) - timedelta(days=30))
    write_certificate_pem(folder / "expired.pem", expired)
    (folder / "body.json").write_bytes(BODY)
    return folder


def sign(keys: Path, method: str = "POST", url: str = URL, timestamp: int = NOW) -> Any:
    signed = xbsec("sign", "-X", method, "--url", url, "--body-file", str(keys / "body.json"),
                   "--consumer-key", CK, "--key", str(keys / "k.p12"), "--password",
                   "keystorepassword", "--timestamp", str(timestamp), "--json")
    assert signed.exit_code == 0, signed.output
    return json.loads(signed.output)


def judged(keys: Path, authorization: str, *, method: str = "POST", url: str = URL,
           cert: str = "c.pem", body: bytes = BODY,
           signed_base_string: str | None = None) -> tuple[dict[str, Any], dict[str, Any],
                                                            int, int]:
    (keys / "sent.json").write_bytes(body)
    common = ["-X", method, "--url", url, "--body-file", str(keys / "sent.json"),
              "--authorization", authorization, "--signing-cert", str(keys / cert), "--now",
              str(NOW), "--json"]
    verified = xbsec("verify", *common)
    extra = [] if signed_base_string is None else ["--signed-base-string", "-"]
    explained = xbsec("explain", *common, *extra,
                      input=None if signed_base_string is None else signed_base_string.encode())
    return (json.loads(verified.output), json.loads(explained.output), verified.exit_code,
            explained.exit_code)


CASES = {
    # name: (what is changed between signing and verifying)
    "a good request": {},
    "an expired certificate": {"cert": "expired.pem"},
    "another consumer's certificate": {"cert": "other.pem"},
    "another host": {"url": URL.replace("api.example.com", "sandbox.example.com")},
    "another port": {"url": URL.replace("api.example.com", "api.example.com:8443")},
    "another path": {"url": URL.replace("/quotes", "/quote")},
    "another query value": {"url": URL.replace("ref=12345", "ref=12346")},
    "another method": {"method": "PUT"},
    "another body": {"body": BODY + b"\n"},
    "a stale timestamp": {"timestamp": NOW - 3600},
    "a malformed header": {"authorization": 'OAuth oauth_consumer_key="x"'},
}


@pytest.mark.parametrize("case", list(CASES))
def test_explain_and_verify_reach_the_same_verdict(keys: Path, case: str) -> None:
    change = dict(CASES[case])
    signed = sign(keys, timestamp=change.pop("timestamp", NOW))
    authorization = change.pop("authorization", signed["authorization"])
    verified, explained, verify_exit, explain_exit = judged(keys, authorization, **change)
    assert explain_exit == verify_exit
    assert explained["valid"] is verified["valid"]
    if not verified["valid"]:
        assert explained["reason_code"] == verified["reason_code"]
        assert explained["status"] == verified["status"]
        assert any(f["level"] == "error" for f in explained["findings"]), explained
    else:
        assert verify_exit == 0


def test_an_expired_certificate_is_named_as_the_reason(keys: Path) -> None:
    signed = sign(keys)
    _, explained, _, code = judged(keys, signed["authorization"], cert="expired.pem")
    assert code == 1
    certificate = next(f for f in explained["findings"] if f["check"] == "certificate")
    assert certificate["level"] == "error"
    assert "expired on" in certificate["message"]
    assert "renew the signing key" in certificate["message"]


@pytest.mark.parametrize(("change", "component", "signed_value", "built_value"), [
    ({"url": URL.replace("api.example.com", "sandbox.example.com")}, "host",
     "api.example.com", "sandbox.example.com"),
    ({"url": URL.replace("api.example.com", "api.example.com:8443")}, "port", "", "8443"),
    ({"url": URL.replace("https://", "http://")}, "scheme", "https", "http"),
    ({"url": URL.replace("/quotes", "/quote")}, "path",
     "/send/v1/partners/P1/crossborder/quotes", "/send/v1/partners/P1/crossborder/quote"),
    ({"url": URL.replace("ref=12345", "ref=12346")}, "parameter ref", "12345", "12346"),
    ({"url": URL + "&extra=1"}, "parameter extra", None, "1"),
    ({"method": "PUT"}, "method", "POST", "PUT"),
])
def test_the_first_differing_component_is_shown_side_by_side(
        keys: Path, change: dict[str, str], component: str, signed_value: str | None,
        built_value: str) -> None:
    signed = sign(keys)
    _, explained, _, code = judged(keys, signed["authorization"],
                                   signed_base_string=signed["base_string"], **change)
    assert code == 1
    first = explained["differences"][0]
    assert (first["component"], first["signed"], first["built"]) == (
        component, signed_value, built_value)
    said = next(f for f in explained["findings"] if f["check"] == "base string")
    assert said["message"].startswith(f"first difference, {component}: signed ")


def test_a_signature_for_another_method_is_named(keys: Path) -> None:
    signed = sign(keys, method="GET")
    _, explained, _, code = judged(keys, signed["authorization"])
    assert code == 1
    method = next(f for f in explained["findings"] if f["check"] == "method")
    assert method["message"] == ("the signature is for GET, the request was sent as POST: "
                                 "sign with the method you send")


def test_the_text_report_shows_the_difference_and_the_verdict(keys: Path) -> None:
    signed = sign(keys)
    (keys / "sent.json").write_bytes(BODY)
    result = xbsec("explain", "-X", "POST", "--url", URL.replace("ref=12345", "ref=9"),
                   "--body-file", str(keys / "sent.json"), "--authorization",
                   signed["authorization"], "--signing-cert", str(keys / "c.pem"), "--now",
                   str(NOW), "--signed-base-string", "-", input=signed["base_string"].encode())
    assert result.exit_code == 1
    lines = result.output.splitlines()
    row = next(line for line in lines if line.startswith("parameter ref"))
    assert row.split() == ["parameter", "ref", "12345", "9"]
    assert lines[-1] == "verify: refused, 403 AUTHENTICATION_FAILED"


def test_a_keystore_certificate_with_its_password(keys: Path) -> None:
    signed = sign(keys)
    (keys / "sent.json").write_bytes(BODY)
    common = ["-X", "POST", "--url", URL, "--body-file", str(keys / "sent.json"),
              "--authorization", signed["authorization"], "--signing-cert",
              str(keys / "k.p12"), "--now", str(NOW)]
    for command in ("verify", "explain"):
        without = xbsec(command, *common)
        assert without.exit_code == 2
        assert "password" in without.output
        with_password = xbsec(command, *common, "--password", "keystorepassword")
        assert with_password.exit_code == 0, with_password.output
