"""Which client certificates may push: the client CA's, unexpired, for client
authentication, and the pinned one when a pin is given."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from tests.webhooks.samples import pem, pki
from xbsec.errors import ConfigurationError, PushNotificationError
from xbsec.keys import cert_sha256_hex
from xbsec.webhooks import ClientCertificateTrust
from xbsec.webhooks.certificates import read_client_certificate


def _reason(trust: ClientCertificateTrust, certificate: object) -> str:
    with pytest.raises(PushNotificationError) as refused:
        trust.check(certificate)  # type: ignore[arg-type]
    assert refused.value.status == 403
    return refused.value.reason


def test_a_certificate_of_the_client_ca_is_trusted_in_every_form_a_framework_hands_over(
        ) -> None:
    trust = ClientCertificateTrust(pki().ca)
    client = pki().client
    text = pem(client)
    for given in (client, text, text.encode(), client.public_bytes(Encoding.DER),
                  urllib.parse.quote(text)):
        assert trust.check(given) == client


def test_no_certificate_is_refused_as_required() -> None:
    trust = ClientCertificateTrust(pki().ca)
    for nothing in (None, b"", ""):
        assert _reason(trust, nothing) == "CLIENT_CERTIFICATE_REQUIRED"


@pytest.mark.parametrize("name", ["other_client", "server_only", "expired"])
def test_another_cas_an_expired_or_a_server_certificate_is_untrusted(name: str) -> None:
    assert _reason(ClientCertificateTrust(pki().ca),
                   getattr(pki(), name)) == "CLIENT_CERTIFICATE_UNTRUSTED"


def test_garbage_is_untrusted() -> None:
    assert _reason(ClientCertificateTrust(pki().ca), b"not a certificate") == \
        "CLIENT_CERTIFICATE_UNTRUSTED"
    with pytest.raises(PushNotificationError):
        read_client_certificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")


def test_pins_by_thumbprint_and_subject() -> None:
    client = pki().client
    thumbprint = cert_sha256_hex(client)
    with_colons = ":".join(thumbprint[i:i + 2] for i in range(0, 64, 2)).upper()
    assert ClientCertificateTrust(pki().ca, sha256=with_colons).check(client) == client
    assert ClientCertificateTrust(pki().ca, sha256=["0" * 64, thumbprint]).check(client)
    assert _reason(ClientCertificateTrust(pki().ca, sha256="0" * 64), client) == \
        "CLIENT_CERTIFICATE_UNTRUSTED"
    subject = client.subject.rfc4514_string()
    assert ClientCertificateTrust(pki().ca, subject=subject).check(client) == client
    assert _reason(ClientCertificateTrust(pki().ca, subject="CN=someone else"), client) == \
        "CLIENT_CERTIFICATE_UNTRUSTED"


def test_the_ca_is_read_from_a_file_bytes_or_certificates(tmp_path: Path) -> None:
    bundle = (pem(pki().ca) + pem(pki().client)).encode()
    (tmp_path / "ca.pem").write_bytes(bundle)
    (tmp_path / "ca.der").write_bytes(pki().ca.public_bytes(Encoding.DER))
    for source in (tmp_path / "ca.pem", str(tmp_path / "ca.der"), bundle, [pki().ca]):
        assert ClientCertificateTrust(source).check(pki().client) == pki().client
    assert "Test Mastercard client CA" in repr(ClientCertificateTrust(pki().ca))


@pytest.mark.parametrize(("ca", "pins", "message"), [
    ("/nonexistent/ca.pem", {}, "cannot read the client CA"),
    (b"not a certificate", {}, "not a certificate"),
    ([], {}, "x509.Certificate"),
    (["text"], {}, "x509.Certificate"),
    (None, {"sha256": "abc"}, "64 hex digits"),
    (None, {"subject": " "}, "RFC 4514"),
])
def test_a_trust_that_cannot_work_is_a_configuration_error(ca: object, pins: dict[str, str],
                                                           message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ClientCertificateTrust(pki().ca if ca is None else ca, **pins)  # type: ignore[arg-type]


def test_a_certificate_that_passed_is_remembered_until_it_expires() -> None:
    now = [pki().client.not_valid_before_utc.timestamp() + 60]
    trust = ClientCertificateTrust(pki().ca, clock=lambda: now[0])
    text = pem(pki().client)
    assert trust.check(text) == pki().client
    assert trust.check(text) == pki().client  # remembered
    now[0] = pki().client.not_valid_after_utc.timestamp() + 1
    assert _reason(trust, text) == "CLIENT_CERTIFICATE_UNTRUSTED"


def test_a_refused_certificate_is_never_remembered_and_the_memory_is_bounded() -> None:
    trust = ClientCertificateTrust(pki().ca)
    for _ in range(2):
        assert _reason(trust, pki().other_client) == "CLIENT_CERTIFICATE_UNTRUSTED"
    forms = [pem(pki().client) + " " * n for n in range(70)]  # 70 distinct inputs
    for form in forms:
        assert trust.check(form) == pki().client
    assert trust.check(forms[0]) == pki().client
