"""``encrypt_payload``/``decrypt_payload``: the XBS body, JWE in the envelope (SPEC §3)."""

from __future__ import annotations

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import ConfigurationError, DecryptionError, PayloadError
from xbsec.jose import jwe_header
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.payload import decrypt_payload, encrypt_payload, unwrap

QUOTE_JSON = b'{"quoterequest":{"transaction_reference":"0999999034810154901"}}'
QUOTE_XML = b"<quoterequest><transaction_reference>1</transaction_reference></quoterequest>"


@pytest.mark.parametrize(
    ("plaintext", "content_type", "prefix"),
    [
        (QUOTE_JSON, "application/json", b'{"encrypted_payload":{"data":"'),
        (QUOTE_XML, "application/xml", b'<?xml version="1.0" encoding="UTF-8" ?>\n<encrypted'),
    ],
)
def test_round_trip_in_either_form(
    plaintext: bytes,
    content_type: str,
    prefix: bytes,
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    body = encrypt_payload(plaintext, certificate, content_type=content_type)
    assert body.startswith(prefix)
    assert decrypt_payload(body, rsa_key_2048, content_type=content_type) == plaintext
    assert decrypt_payload(body, rsa_key_2048) == plaintext


def test_header_is_the_xbs_one(certificate: x509.Certificate) -> None:
    body = encrypt_payload(QUOTE_JSON, certificate, content_type="application/json; charset=utf-8")
    header = jwe_header(unwrap(body))
    assert (header.alg, header.enc, header.cty) == ("RSA-OAEP-256", "A256GCM", "application/json")
    assert header.kid == spki_sha256_hex(certificate)


def test_kid_and_cty_follow_the_arguments(certificate: x509.Certificate) -> None:
    body = encrypt_payload(QUOTE_XML, certificate, content_type="Text/XML", kid="my-kid")
    header = jwe_header(unwrap(body))
    assert (header.kid, header.cty) == ("my-kid", "text/xml")


def test_the_body_is_a_json_document_with_one_member(certificate: x509.Certificate) -> None:
    body = encrypt_payload(QUOTE_JSON, certificate)
    assert list(json.loads(body)) == ["encrypted_payload"]
    assert b" " not in body


def test_the_wrong_key_is_one_opaque_error(
    certificate: x509.Certificate, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    body = encrypt_payload(QUOTE_JSON, certificate)
    with pytest.raises(DecryptionError, match=r"^decryption failed$"):
        decrypt_payload(body, other_rsa_key_2048)


def test_a_changed_ciphertext_is_refused(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    token = unwrap(encrypt_payload(QUOTE_JSON, certificate))
    head, key, iv, ciphertext, tag = token.split(".")
    flipped = ("B" if ciphertext[0] == "A" else "A") + ciphertext[1:]
    body = b'{"encrypted_payload":{"data":"%s"}}' % ".".join((head, key, iv, flipped, tag)).encode()
    with pytest.raises(DecryptionError):
        decrypt_payload(body, rsa_key_2048)


def test_a_bad_envelope_is_a_payload_error_not_a_decryption_error(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    with pytest.raises(PayloadError):
        decrypt_payload(b'{"encrypted_payload":{}}', rsa_key_2048)


def test_a_content_type_without_envelope_is_refused_before_encrypting(
    certificate: x509.Certificate,
) -> None:
    def no_randomness(size: int) -> bytes:
        raise AssertionError("nothing may be encrypted")

    with pytest.raises(ConfigurationError, match="no encrypted_payload envelope"):
        encrypt_payload(
            QUOTE_JSON, certificate, content_type="text/plain", random_bytes=no_randomness
        )
    with pytest.raises(ConfigurationError):
        encrypt_payload(QUOTE_JSON, certificate, content_type=None)


def test_extra_members_reach_decryption_only_when_allowed(
    certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    token = unwrap(encrypt_payload(QUOTE_JSON, certificate))
    body = b'{"encrypted_payload":{"data":"%s"},"trace":"x"}' % token.encode()
    with pytest.raises(PayloadError, match="beside"):
        decrypt_payload(body, rsa_key_2048)
    assert decrypt_payload(body, rsa_key_2048, allow_extra_members=True) == QUOTE_JSON
