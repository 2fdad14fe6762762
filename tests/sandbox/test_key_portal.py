"""The sandbox as Mastercard's key portal: renewals from CSRs, statuses, retirement."""

from __future__ import annotations

import json
import stat
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from xbsec.errors import ConfigurationError, KeyFileError
from xbsec.keys import csr_pem, generate_rsa_key, load_certificate, make_csr, spki_sha256_hex
from xbsec.sandbox.key_portal import KeyPortal
from xbsec.sandbox.project import init_project
from xbsec.sandbox.registry_toml import dumps_registry
from xbsec.server.registry import Registry


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return init_project(tmp_path / "project").folder


def csr_for(key: Any, name: str = "renewal") -> bytes:
    return csr_pem(make_csr(key, common_name=name))


def by_kind(portal: KeyPortal) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for key in portal.listing():
        found.setdefault(key["kind"], []).append(key)
    return found


def test_a_new_project_lists_one_active_key_of_each_kind(project: Path) -> None:
    listing = KeyPortal(project).listing()
    assert sorted((k["kind"], k["status"]) for k in listing) == [
        ("client-encryption", "active"), ("mastercard-encryption", "active"),
        ("signing", "active")]
    signing = next(k for k in listing if k["kind"] == "signing")
    registry = Registry.load(project / "server" / "registry.toml")
    consumer = next(iter(registry))
    assert signing["consumer_key"] == consumer.consumer_key
    assert signing["fingerprint"] == spki_sha256_hex(consumer.signing_certificates[0])
    assert all(k["consumer_key"] is None for k in listing if k["kind"] != "signing")


def test_renewing_a_signing_key_gives_a_certificate_and_a_consumer_key(project: Path) -> None:
    portal = KeyPortal(project)
    key = generate_rsa_key()
    made = portal.renew("signing", csr_for(key, "my signing key"), days=30)
    certificate = load_certificate(made["certificate"])
    assert certificate.public_key().public_numbers() == key.public_key().public_numbers()
    assert certificate.subject.rfc4514_string() == "CN=my signing key"
    assert 29 <= (certificate.not_valid_after_utc - certificate.not_valid_before_utc).days <= 30
    assert made["fingerprint"] == spki_sha256_hex(key)
    assert "!" in made["consumer_key"]
    statuses = {(k["kind"], k["status"]) for k in portal.listing()}
    assert ("signing", "retiring") in statuses
    assert ("signing", "active") in statuses
    registry = Registry.load(project / "server" / "registry.toml")
    assert {c.consumer_key for c in registry} >= {made["consumer_key"]}
    assert len(registry) == 2  # the old consumer key still works


def test_a_csr_made_by_openssl_is_renewed(project: Path, tmp_path: Path) -> None:
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(tmp_path / "k.pem"), "-out", str(tmp_path / "r.csr"), "-subj",
                    "/C=GB/O=Partner/CN=openssl key"], check=True, capture_output=True)
    made = KeyPortal(project).renew("mastercard-encryption",
                                    (tmp_path / "r.csr").read_bytes())
    assert load_certificate(made["certificate"]).subject.rfc4514_string() == (
        "CN=openssl key,O=Partner,C=GB")


def test_a_csr_whose_signature_does_not_verify_is_refused(project: Path) -> None:
    request = make_csr(generate_rsa_key(), common_name="tampered")
    der = bytearray(request.public_bytes(Encoding.DER))
    der[-10] ^= 0x01  # a flipped bit in the signature
    with pytest.raises(KeyFileError, match="signature does not verify"):
        KeyPortal(project).renew("signing", bytes(der))


def test_a_csr_with_a_short_key_is_refused(project: Path, tmp_path: Path) -> None:
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout",
                    str(tmp_path / "k.pem"), "-out", str(tmp_path / "r.csr"), "-subj",
                    "/CN=short"], check=True, capture_output=True)
    with pytest.raises(KeyFileError, match="RSA-1024; it must have 2048 bits or more"):
        KeyPortal(project).renew("signing", (tmp_path / "r.csr").read_bytes())


def test_a_csr_with_an_ec_key_or_no_csr_at_all_is_refused(project: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    request = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([])).sign(
        ec_key, hashes.SHA256())
    portal = KeyPortal(project)
    with pytest.raises(KeyFileError, match="RSA"):
        portal.renew("mastercard-encryption", csr_pem(request))
    with pytest.raises(KeyFileError, match="not a certificate signing request"):
        portal.renew("signing", b"-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n")
    with pytest.raises(ConfigurationError, match="give --csr"):
        portal.renew("signing", None)
    with pytest.raises(ConfigurationError, match="without --csr"):
        portal.renew("client-encryption", csr_for(generate_rsa_key()))
    with pytest.raises(ConfigurationError, match="--kind must be one of"):
        portal.renew("mtls", None)


def test_renewing_the_same_key_twice_is_refused(project: Path) -> None:
    key = generate_rsa_key()
    portal = KeyPortal(project)
    portal.renew("signing", csr_for(key))
    with pytest.raises(ConfigurationError, match="already in the project"):
        portal.renew("signing", csr_for(key))


def test_a_client_encryption_renewal_publishes_a_certificate_and_keeps_the_key(
        project: Path) -> None:
    made = KeyPortal(project).renew("client-encryption")
    published = Path(made["certificate"])
    assert published.parent == project
    registry = Registry.load(project / "server" / "registry.toml")
    keys = next(iter(registry)).client_encryption_keys
    assert made["fingerprint"] in keys  # decrypts requests to the new certificate
    assert len({id(k) for k in keys.values()}) == 2  # and to the old one
    private = next(project.glob("server/client-encryption-*-key.pem"))
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_statuses_change_as_keys_are_retired(project: Path) -> None:
    portal = KeyPortal(project)
    old = by_kind(portal)["signing"][0]["fingerprint"]
    new = portal.renew("signing", csr_for(generate_rsa_key()))["fingerprint"]
    assert [k["status"] for k in by_kind(portal)["signing"]] == ["retiring", "active"]
    retired = portal.retire(old)
    assert retired["status"] == "retired"
    assert [k["status"] for k in by_kind(portal)["signing"]] == ["retired", "active"]
    registry = Registry.load(project / "server" / "registry.toml")
    assert len(registry) == 1
    assert spki_sha256_hex(next(iter(registry)).signing_certificates[0]) == new


def test_the_last_key_of_a_kind_cannot_be_retired(project: Path) -> None:
    portal = KeyPortal(project)
    for kind, keys in by_kind(portal).items():
        with pytest.raises(ConfigurationError, match=f"last one of its kind.*--kind {kind}"):
            portal.retire(keys[0]["fingerprint"])


def test_retiring_twice_or_an_unknown_key_says_so(project: Path) -> None:
    portal = KeyPortal(project)
    old = by_kind(portal)["client-encryption"][0]["fingerprint"]
    portal.renew("client-encryption")
    portal.retire(old.upper())  # fingerprints are read without regard to case or colons
    with pytest.raises(ConfigurationError, match="already retired"):
        portal.retire(old)
    with pytest.raises(ConfigurationError, match="no key with fingerprint"):
        portal.retire("ab" * 32)


def test_answers_go_to_the_oldest_mastercard_key_until_it_is_retired(project: Path) -> None:
    portal = KeyPortal(project)
    old = by_kind(portal)["mastercard-encryption"][0]["fingerprint"]
    made = portal.renew("mastercard-encryption", csr_for(generate_rsa_key()))

    def serving() -> str:
        consumer = next(iter(Registry.load(project / "server" / "registry.toml")))
        assert consumer.mastercard_encryption_certificate is not None
        return spki_sha256_hex(consumer.mastercard_encryption_certificate)

    assert serving() == old
    portal.retire(old)
    assert serving() == made["fingerprint"]


def test_consumers_added_by_hand_keep_their_settings(project: Path) -> None:
    registry = project / "server" / "registry.toml"
    with registry.open("a") as stream:
        stream.write('\n[[consumers]]\nconsumer_key = "by-hand!1"\nenvironment = "production"\n'
                     'partner_ids = ["HAND_1"]\nsigning_certificates = ["signing.pem"]\n'
                     'encryption = "off"\n')
    portal = KeyPortal(project)
    portal.renew("signing", csr_for(generate_rsa_key()))
    portal.renew("client-encryption")
    by_hand = Registry.load(registry).get("by-hand!1")
    assert by_hand is not None
    assert (by_hand.environment, by_hand.partner_ids, by_hand.encryption) == (
        "production", frozenset({"HAND_1"}), "off")


def test_the_portal_ca_key_is_private(project: Path) -> None:
    KeyPortal(project).renew("client-encryption")
    assert stat.S_IMODE((project / "server" / "portal-ca-key.pem").stat().st_mode) == 0o600


def test_the_registry_writer_round_trips_through_tomllib() -> None:
    consumers = [{"consumer_key": 'odd "key"!1', "psd2": True, "partner_ids": ["A", "B"],
                  "client_encryption_keys": [{"path": "k.pem", "certificate": "c.pem"}],
                  "weird-name": 3}]
    assert tomllib.loads(dumps_registry(consumers))["consumers"] == consumers


def test_a_folder_that_is_not_a_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not a sandbox project"):
        KeyPortal(tmp_path)


def test_a_broken_ledger_is_named(project: Path) -> None:
    (project / "server" / "keys.json").write_text(json.dumps({"keys": [{"kind": 1}]}))
    with pytest.raises(ConfigurationError, match=r"keys\.json: not a key ledger"):
        KeyPortal(project).keys()
