"""`xbsec sign`, `xbsec verify` and `xbsec explain`, the stable contract of the CLI."""

from __future__ import annotations

import json

import pytest

URL = "https://sandbox.api.mastercard.com/send/v1/partners/P1/crossborder?ref=12345"
CK = "ck-123!abc"
NOW = "1800000000"


@pytest.fixture
def body_file(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "body.json"
    path.write_bytes('{"quoterequest":{"amount":"100.00","name":"Zoë"}}'.encode())
    return path


def _sign(run, project, body_file, *extra: str):  # type: ignore[no-untyped-def]
    return run("sign", "-X", "POST", "--url", URL, "--body-file", str(body_file),
               "--consumer-key", CK, "--key", str(project / "k.p12"),
               "--password", "keystorepassword", "--timestamp", NOW, *extra)


def test_sign_prints_the_header_and_verify_accepts_it(run, project, body_file) -> None:
    signed = _sign(run, project, body_file)
    assert signed.exit_code == 0, signed.output
    header = signed.output.strip()
    assert header.startswith('OAuth oauth_consumer_key="ck-123!abc"')
    result = run("verify", "-X", "POST", "--url", URL, "--body-file", str(body_file),
                 "--authorization", header, "--cert", str(project / "c.pem"), "--now", NOW)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == CK


def test_sign_json_and_pinned_nonce_are_reproducible(run, project, body_file) -> None:
    first = json.loads(_sign(run, project, body_file, "--nonce", "N" * 16, "--json").output)
    second = json.loads(_sign(run, project, body_file, "--nonce", "N" * 16, "--json").output)
    assert first == second
    assert set(first) >= {"authorization", "base_string", "body_hash"}
    assert first["base_string"].startswith("POST&https%3A%2F%2Fsandbox.api.mastercard.com")


def test_body_from_stdin(run, project, body_file) -> None:
    signed = run("sign", "-X", "POST", "--url", URL, "--body-file", "-", "--consumer-key", CK,
                 "--key", str(project / "k.p12"), "--password", "keystorepassword", "--json",
                 input=body_file.read_bytes())
    from_file = json.loads(_sign(run, project, body_file, "--json").output)
    assert json.loads(signed.output)["body_hash"] == from_file["body_hash"]


def test_rsa_pss_signature_method(run, project, body_file) -> None:
    signed = _sign(run, project, body_file, "--signature-method", "RSA-PSS")
    assert 'oauth_signature_method="RSA-PSS"' in signed.output
    result = run("verify", "-X", "POST", "--url", URL, "--body-file", str(body_file),
                 "--authorization", signed.output.strip(), "--cert", str(project / "c.pem"),
                 "--now", NOW)
    assert result.exit_code == 0
    strict = run("verify", "-X", "POST", "--url", URL, "--body-file", str(body_file),
                 "--authorization", signed.output.strip(), "--cert", str(project / "c.pem"),
                 "--now", NOW, "--strict")
    assert strict.exit_code == 1


@pytest.mark.parametrize(("change", "reason"), [
    ({"body": b"{}"}, "INVALID_BODY_HASH"),
    ({"url": URL.replace("12345", "12346")}, "AUTHENTICATION_FAILED"),
    ({"now": "1800009999"}, "INVALID_TIMESTAMP"),
])
def test_verify_refusal_is_exit_1_with_the_reason_code(run, project, body_file, tmp_path,
                                                       change, reason) -> None:
    header = _sign(run, project, body_file).output.strip()
    body = tmp_path / "other"
    body.write_bytes(change.get("body", body_file.read_bytes()))
    result = run("verify", "-X", "POST", "--url", change.get("url", URL), "--body-file",
                 str(body), "--authorization", header, "--cert", str(project / "c.pem"),
                 "--now", change.get("now", NOW))
    assert result.exit_code == 1
    assert reason in result.output
    as_json = run("verify", "-X", "POST", "--url", change.get("url", URL), "--body-file",
                  str(body), "--authorization", header, "--cert", str(project / "c.pem"),
                  "--now", change.get("now", NOW), "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.output)["reason_code"] == reason


def test_verify_json_success(run, project, body_file) -> None:
    header = _sign(run, project, body_file).output.strip()
    result = run("verify", "-X", "POST", "--url", URL, "--body-file", str(body_file),
                 "--authorization", header, "--cert", str(project / "c.pem"), "--now", NOW,
                 "--json")
    assert json.loads(result.output) == {"valid": True, "consumer_key": CK,
                                         "signature_method": "RSA-SHA256",
                                         "base_string_variant": "java"}


def test_a_malformed_header_is_exit_1_invalid_auth_header(run, project) -> None:
    result = run("verify", "-X", "GET", "--url", URL, "--authorization", "OAuth nonsense",
                 "--cert", str(project / "c.pem"))
    assert result.exit_code == 1
    assert "INVALID_AUTH_HEADER" in result.output


def test_a_bad_certificate_file_is_exit_2(run, project, tmp_path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    result = run("verify", "-X", "GET", "--url", URL, "--authorization", "OAuth a=\"b\"",
                 "--cert", str(junk))
    assert result.exit_code == 2
    assert "junk.pem" in result.output


def test_missing_required_option_is_exit_2(run) -> None:
    assert run("sign", "-X", "GET").exit_code == 2


def test_unreadable_body_file_is_exit_2(run, project, tmp_path) -> None:
    result = run("sign", "-X", "POST", "--url", URL, "--body-file", str(tmp_path / "none"),
                 "--consumer-key", CK, "--key", str(project / "k.p12"), "--password",
                 "keystorepassword")
    assert result.exit_code == 2
    assert "cannot read --body-file" in result.output


def test_explain_names_the_failing_checks(run, project, body_file, tmp_path) -> None:
    header = _sign(run, project, body_file).output.strip()
    changed = tmp_path / "changed.json"
    changed.write_bytes(body_file.read_bytes() + b"\n")
    result = run("explain", "-X", "POST", "--url", URL.replace("https", "http"), "--body-file",
                 str(changed), "--authorization", header, "--cert", str(project / "c.pem"),
                 "--now", NOW)
    assert result.exit_code == 1
    assert "[FAIL] body hash" in result.output
    assert "the other scheme" in result.output
    assert result.output.rstrip().endswith("verify: refused, 401 INVALID_BODY_HASH")
    full = run("explain", "-X", "POST", "--url", URL, "--body-file", str(changed),
               "--authorization", header, "--signing-cert", str(project / "c.pem"), "--now",
               NOW, "--show-base-strings")
    assert "base string (java):" in full.output


def test_explain_json_for_a_good_request(run, project, body_file) -> None:
    header = _sign(run, project, body_file).output.strip()
    result = run("explain", "-X", "POST", "--url", URL, "--body-file", str(body_file),
                 "--authorization", header, "--cert", str(project / "c.pem"), "--now", NOW,
                 "--json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["valid"] is True
    assert report["matched"] == "java"
