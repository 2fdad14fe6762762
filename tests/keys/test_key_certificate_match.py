"""A key and a certificate that do not belong together are told apart, with the file named."""

from __future__ import annotations

from typing import Any

import pytest

from xbsec.errors import KeyMismatchError
from xbsec.keys import check_key_matches_certificate, key_matches_certificate, spki_sha256_hex


def test_key_matches_its_own_certificate(rsa_key_2048: Any, cert_2048: Any) -> None:
    assert key_matches_certificate(rsa_key_2048, cert_2048)
    assert key_matches_certificate(rsa_key_2048.public_key(), cert_2048)
    check_key_matches_certificate(rsa_key_2048, cert_2048)


def test_key_does_not_match_another_certificate(rsa_key_2048: Any, other_cert_2048: Any) -> None:
    assert not key_matches_certificate(rsa_key_2048, other_cert_2048)


def test_ec_key_does_not_match_an_rsa_certificate(ec_key: Any, cert_2048: Any) -> None:
    assert not key_matches_certificate(ec_key, cert_2048)


def test_mismatch_names_the_file_subject_and_both_fingerprints(
    rsa_key_2048: Any, other_cert_2048: Any
) -> None:
    with pytest.raises(KeyMismatchError) as caught:
        check_key_matches_certificate(rsa_key_2048, other_cert_2048, source="signing.p12")
    message = str(caught.value)
    assert message.startswith("signing.p12: the private key does not belong to the certificate")
    assert "'CN=second'" in message
    assert spki_sha256_hex(rsa_key_2048) in message
    assert spki_sha256_hex(other_cert_2048) in message
    assert caught.value.source == "signing.p12"
