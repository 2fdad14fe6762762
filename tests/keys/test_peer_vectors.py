"""Mastercard's own test key material, and the fingerprints published for it.

peer-vectors/keys.json gives the client-encryption test certificate's fingerprints; SPEC §3.4
and §5.2 give those of the certificate inside mc_test_key.p12 (the oauth1 signers' keystore).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.conftest import load_peer, peer_path
from tests.keys.conftest import same_public_key
from xbsec.keys import (
    cert_sha256_hex,
    jwk_thumbprint,
    load_certificate,
    load_key_and_certificate,
    load_keystore_aliases,
    load_private_key,
    load_public_key,
    spki_sha256_hex,
    x5t_s256,
)

P12 = "mc_test_key.p12"


@pytest.fixture(scope="module")
def facts() -> dict[str, Any]:
    return load_peer("keys.json")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def p12_facts(facts: dict[str, Any]) -> dict[str, Any]:
    return facts[P12]  # type: ignore[no-any-return]


def test_certificate_spki_fingerprint_matches_keys_json(facts: dict[str, Any]) -> None:
    cert = load_certificate(peer_path("mc_test_certificate-2048.pem"))
    assert spki_sha256_hex(cert) == facts["key_fingerprint_sha256_spki_hex"]
    digest = bytes.fromhex(spki_sha256_hex(cert))
    assert base64.b64encode(digest).decode() == facts["key_fingerprint_b64"]


def test_certificate_fingerprint_matches_keys_json(facts: dict[str, Any]) -> None:
    cert = load_certificate(peer_path("mc_test_certificate-2048.pem"))
    assert cert_sha256_hex(cert) == facts["cert_fingerprint_sha256_der_hex"]
    digest = bytes.fromhex(cert_sha256_hex(cert))
    assert base64.b64encode(digest).decode() == facts["cert_fingerprint_b64"]


def test_pkcs8_key_belongs_to_the_certificate(facts: dict[str, Any]) -> None:
    key = load_private_key(peer_path("mc_test_key_pkcs8-2048.pem"))
    assert spki_sha256_hex(key) == facts["key_fingerprint_sha256_spki_hex"]
    assert same_public_key(key, load_public_key(peer_path("mc_test_certificate-2048.pem")))


def test_keystore_loads_with_its_password_and_alias(p12_facts: dict[str, Any]) -> None:
    key, cert = load_key_and_certificate(
        peer_path(P12), password=p12_facts["password"], alias=p12_facts["alias"]
    )
    assert cert is not None
    assert same_public_key(key, cert.public_key())
    assert load_keystore_aliases(peer_path(P12), password=p12_facts["password"]) == (
        p12_facts["alias"],
    )


def test_keystore_key_is_not_the_pem_key(p12_facts: dict[str, Any]) -> None:
    key = load_private_key(peer_path(P12), password=p12_facts["password"])
    pem_key = load_private_key(peer_path("mc_test_key_pkcs8-2048.pem"))
    assert same_public_key(key, pem_key) is p12_facts["same_key_as_pem"]


def test_keystore_certificate_fingerprints_match_spec(p12_facts: dict[str, Any]) -> None:
    cert = load_certificate(peer_path(P12), password=p12_facts["password"],
                            alias=p12_facts["alias"])
    # SPEC §3.4
    assert spki_sha256_hex(cert) == (
        "b5145543a3caa95916304b289c562c195b149047b9e1b430e91178b1021c484d"
    )
    assert cert_sha256_hex(cert) == (
        "e92a32a4b11b2bb3903b90547f7dfe78dd47ab500755ffa3dbdd1cecd0c80c7f"
    )
    # SPEC §5.2
    assert jwk_thumbprint(cert) == "VuPL79DDH9uJ9lEX4cUkk586jE08M8L8gwjCb0ixWcc"
    assert x5t_s256(cert) == "6SoypLEbK7OQO5BUf33-eN1Hq1AHVf-j290c7NDIDH8"


def test_keystore_key_gives_the_same_spki_fingerprint_as_its_certificate(
    p12_facts: dict[str, Any],
) -> None:
    key = load_private_key(peer_path(P12), password=p12_facts["password"])
    assert spki_sha256_hex(key) == (
        "b5145543a3caa95916304b289c562c195b149047b9e1b430e91178b1021c484d"
    )
    assert jwk_thumbprint(key) == "VuPL79DDH9uJ9lEX4cUkk586jE08M8L8gwjCb0ixWcc"
