"""`xbsec encrypt` and `xbsec decrypt`: the stable contract of the encryption issue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from xbsec.jose import jwe_header

DOC = '{"quoterequest":{"amount":"100.00","name":"Zoë"}}'.encode()
KEY_ARGS = ("--password", "keystorepassword")


def _encrypt(run: Any, project: Any, *args: str, data: bytes = DOC) -> Any:
    result = run("encrypt", "--cert", str(project / "c.pem"), *args, input=data)
    assert result.exit_code == 0, result.output
    return result


def _decrypt(run: Any, project: Any, data: bytes | str, *args: str) -> Any:
    return run("decrypt", "--key", str(project / "k.p12"), *KEY_ARGS, *args, input=data)


@pytest.mark.parametrize("envelope", ["none", "json", "xml"])
def test_encrypt_then_decrypt_round_trips(run, project, envelope) -> None:
    out = _encrypt(run, project, "--envelope", envelope).output
    if envelope == "json":
        assert out.startswith('{"encrypted_payload":{"data":"')
    elif envelope == "xml":
        assert out.startswith('<?xml version="1.0" encoding="UTF-8" ?>\n<encrypted_payload>')
    else:
        assert out.count(".") == 4
    result = _decrypt(run, project, out)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == DOC


def test_header_carries_kid_and_cty(run, project) -> None:
    from cryptography import x509

    from xbsec.keys import spki_sha256_hex

    token = _encrypt(run, project).output.strip()
    header = jwe_header(token)
    cert = x509.load_pem_x509_certificate((project / "c.pem").read_bytes())
    assert (header.alg, header.enc) == ("RSA-OAEP-256", "A256GCM")
    assert header.kid == spki_sha256_hex(cert)
    assert header.cty == "application/json"
    custom = _encrypt(run, project, "--kid", "my-kid", "--cty", "application/xml").output
    assert (jwe_header(custom.strip()).kid, jwe_header(custom.strip()).cty) == (
        "my-kid", "application/xml")
    xml = _encrypt(run, project, "--envelope", "xml").output
    inner = xml.split("<data>")[1].split("</data>")[0]
    assert jwe_header(inner).cty == "application/xml"


def test_input_from_a_file(run, project, tmp_path) -> None:
    source = tmp_path / "doc.json"
    source.write_bytes(DOC)
    token = run("encrypt", "--cert", str(project / "c.pem"), "--in", str(source)).output
    target = tmp_path / "token.jwe"
    target.write_text(token)
    result = run("decrypt", "--key", str(project / "k.p12"), *KEY_ARGS, "--in", str(target))
    assert result.stdout_bytes == DOC


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-5] + ("A" if t[-5] != "A" else "B") + t[-4:],   # tag
    lambda t: ".".join(t.split(".")[:4]),                          # four segments
    lambda t: "not a token at all",
    lambda t: '{"encrypted_payload":{"data":42}}',
    lambda t: "<encrypted_payload><data></data></encrypted_payload>",
    lambda t: "\udcff",
])
def test_any_failure_is_exit_1_and_says_only_decryption_failed(run, project, mangle) -> None:
    token = _encrypt(run, project).output.strip()
    result = _decrypt(run, project, mangle(token).encode("utf-8", "surrogateescape"))
    assert result.exit_code == 1
    assert result.output.strip() == "Error: decryption failed"


def test_a_token_for_another_key_is_just_decryption_failed(run, project, tmp_path) -> None:
    run("keys", "new", "--p12", str(tmp_path / "o.p12"), "--cert", str(tmp_path / "o.pem"))
    token = run("encrypt", "--cert", str(tmp_path / "o.pem"), input=DOC).output
    result = _decrypt(run, project, token)
    assert result.exit_code == 1
    assert result.output.strip() == "Error: decryption failed"


def test_sixteen_byte_ivs_need_the_compatible_default(run, project) -> None:
    from cryptography import x509

    from xbsec.jose import jwe_encrypt

    cert = x509.load_pem_x509_certificate((project / "c.pem").read_bytes())
    token = jwe_encrypt(DOC, cert, iv_length=16)
    assert _decrypt(run, project, token).stdout_bytes == DOC
    assert _decrypt(run, project, token, "--strict").exit_code == 1


def test_a_bad_key_file_is_a_usage_error_not_a_decryption_failure(run, project) -> None:
    result = run("decrypt", "--key", str(project / "k.p12"), "--password", "wrong", input=b"x")
    assert result.exit_code == 2
    assert "wrong password" in result.output


def test_json_of_the_encrypt_output_is_the_envelope(run, project) -> None:
    out = _encrypt(run, project, "--envelope", "json").output
    assert set(json.loads(out)["encrypted_payload"]) == {"data"}
