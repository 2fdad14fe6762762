"""`explain`: every check reported, and the usual mistakes recognised."""

from __future__ import annotations

from typing import Any

import pytest

from xbsec.oauth1 import OAuth1Signer
from xbsec.oauth1.diagnose import explain

from .conftest import CONSUMER_KEY, NOW

URL = "https://sandbox.api.mastercard.com/send/v1/partners/P1/crossborder/quotes"
BODY = b'{"quoterequest":{}}'


@pytest.fixture
def signer(rsa_key_2048: Any) -> OAuth1Signer:
    return OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW)


def _levels(report: Any) -> dict[str, str]:
    return {f.check: f.level for f in report.findings}


def test_a_good_request_passes_every_check(signer, rsa_key_2048) -> None:
    report = explain("POST", URL, signer.authorization_header("POST", URL, BODY), BODY,
                     rsa_key_2048.public_key(), now=NOW)
    assert report.valid
    assert report.matched == "java"
    assert set(_levels(report).values()) == {"ok"}
    assert set(report.base_strings) == {"java", "python", "node", "rfc5849"}


def test_a_malformed_header_stops_at_the_header(rsa_key_2048) -> None:
    report = explain("GET", URL, "Basic x", b"", rsa_key_2048.public_key(), now=NOW)
    assert not report.valid
    assert _levels(report) == {"header": "error"}


def test_an_unknown_signature_method(signer, rsa_key_2048) -> None:
    header = signer.authorization_header("GET", URL).replace("RSA-SHA256", "HMAC-SHA1")
    report = explain("GET", URL, header, b"", rsa_key_2048.public_key(), now=NOW)
    assert _levels(report)["signature method"] == "error"


def test_clock_drift_and_a_bad_timestamp(signer, rsa_key_2048) -> None:
    header = signer.authorization_header("GET", URL)
    late = explain("GET", URL, header, b"", rsa_key_2048.public_key(), now=NOW + 1000)
    assert _levels(late)["timestamp"] == "error"
    assert "check the clock" in next(f.message for f in late.findings if f.check == "timestamp")
    junk = header.replace(f'oauth_timestamp="{NOW}"', 'oauth_timestamp="soon"')
    assert _levels(explain("GET", URL, junk, b"", rsa_key_2048.public_key(), now=NOW))[
        "timestamp"] == "error"


def test_body_hash_mistakes_are_named(signer, rsa_key_2048) -> None:
    key = rsa_key_2048.public_key()
    changed = explain("POST", URL, signer.authorization_header("POST", URL, BODY),
                      BODY + b" ", key, now=NOW)
    assert "serialise once" in next(f.message for f in changed.findings
                                    if f.check == "body hash")
    empty = explain("POST", URL, signer.authorization_header("POST", URL, b""), BODY, key,
                    now=NOW)
    assert "hashed an empty body" in next(f.message for f in empty.findings
                                         if f.check == "body hash")
    header = signer.authorization_header("POST", URL, BODY)
    missing = ",".join(p for p in header.split(",") if "body_hash" not in p)
    assert _levels(explain("POST", URL, missing, BODY, key, now=NOW))["body hash"] == "error"
    assert _levels(explain("GET", URL, missing, b"", key, now=NOW))["body hash"] == "warning"


def test_a_signature_that_is_not_base64(signer, rsa_key_2048) -> None:
    header = signer.authorization_header("GET", URL)
    bad = header[: header.index('oauth_signature="')] + 'oauth_signature="!!!"'
    report = explain("GET", URL, bad, b"", rsa_key_2048.public_key(), now=NOW)
    assert "not base64" in report.findings[-1].message


def test_the_wrong_key_size_is_pointed_out(signer) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    small = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    report = explain("GET", URL, signer.authorization_header("GET", URL), b"",
                     small.public_key(), now=NOW)
    assert any("wrong key" in f.message for f in report.findings)


def test_a_python_only_signature_is_a_warning(rsa_key_2048) -> None:
    url = URL + "?a=1&a1=z"  # Python sorts whole strings: "a1=z" before "a=1"
    signer = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW, variant="python")
    report = explain("GET", url, signer.authorization_header("GET", url), b"",
                     rsa_key_2048.public_key(), now=NOW)
    assert report.matched == "python"
    assert report.valid
    assert _levels(report)["signature"] == "warning"


@pytest.mark.parametrize(("signed", "sent", "why"), [
    (URL, URL.replace("https", "http"), "the other scheme"),
    (URL + "/", URL, "a trailing slash"),
    (URL, URL + "/", "no trailing slash"),
    (URL, URL + "?extra=1", "no query string"),
])
def test_a_url_mismatch_is_recognised(signer, rsa_key_2048, signed, sent, why) -> None:
    report = explain("GET", sent, signer.authorization_header("GET", signed), b"",
                     rsa_key_2048.public_key(), now=NOW)
    assert not report.valid
    assert why in report.findings[-1].message


def test_an_explicit_default_port_kept_by_the_node_signer_is_recognised(rsa_key_2048) -> None:
    """Node's signer keeps ``:443`` in the base string; every other construction drops it."""
    with_port = URL.replace(".com/", ".com:443/")
    node = OAuth1Signer(CONSUMER_KEY, rsa_key_2048, clock=lambda: NOW, variant="node")
    report = explain("GET", URL, node.authorization_header("GET", with_port), b"",
                     rsa_key_2048.public_key(), now=NOW)
    assert report.matched == with_port
    assert "explicit default port" in report.findings[-1].message
    assert report.signed is not None
    assert "%3A443" in report.signed


def test_the_signed_base_string_is_kept_and_other_urls_are_tried(signer, rsa_key_2048) -> None:
    from xbsec.oauth1 import parse_authorization
    from xbsec.oauth1.diagnose import Explanation, explain_signature

    good = explain("GET", URL, signer.authorization_header("GET", URL), b"",
                   rsa_key_2048.public_key(), now=NOW)
    assert good.signed == good.base_strings["java"]
    elsewhere = "https://api.example.com/send/v1/partners/P1/crossborder/quotes"
    report = Explanation()
    explain_signature(report, "GET", URL,
                      parse_authorization(signer.authorization_header("GET", elsewhere)),
                      rsa_key_2048.public_key(), other_urls=[("the Host it sent", elsewhere)])
    assert report.matched == elsewhere
    assert "the Host it sent" in report.findings[-1].message


def test_a_wrong_key_gets_the_general_answer(signer, other_rsa_key_2048) -> None:
    report = explain("GET", URL, signer.authorization_header("GET", URL), b"",
                     other_rsa_key_2048.public_key(), now=NOW)
    assert report.matched is None
    assert "does not match the certificate" in report.findings[-1].message


def test_an_unsignable_url(signer, rsa_key_2048) -> None:
    report = explain("GET", "ftp://x/y", signer.authorization_header("GET", URL), b"",
                     rsa_key_2048.public_key(), now=NOW)
    assert _levels(report)["url"] == "error"


def test_a_base_string_another_query_shares_is_an_error(rsa_key_2048) -> None:
    """Mastercard's Java signer decodes before it splits: its base string for ?a=1%26b%3D2
    is also that of ?a=1&b=2, so no gateway of xbsec tries it for this query."""
    import base64

    from xbsec.oauth1 import body_hash, format_authorization, signature_base_string
    from xbsec.oauth1.signature import sign_message

    url = URL + "?a=1%26b%3D2"
    params = [("oauth_consumer_key", CONSUMER_KEY), ("oauth_nonce", "n" * 16),
              ("oauth_timestamp", str(NOW)), ("oauth_signature_method", "RSA-SHA256"),
              ("oauth_version", "1.0"), ("oauth_body_hash", body_hash(b""))]
    sbs = signature_base_string("GET", url, params, "java")
    header = format_authorization(params, base64.b64encode(
        sign_message(rsa_key_2048, sbs.encode(), "RSA-SHA256")).decode())
    report = explain("GET", url, header, b"", rsa_key_2048.public_key(), now=NOW)
    assert report.matched == "java"
    assert not report.valid
    assert "another query shares" in next(f.message for f in report.findings
                                          if f.check == "signature")
