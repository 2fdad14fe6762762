"""The registry file: consumers, keys, partners and modes; every mistake named."""

from __future__ import annotations

from pathlib import Path

import pytest

from xbsec import ConfigurationError
from xbsec.keys import (
    cert_sha256_hex,
    generate_rsa_key,
    private_key_pem,
    self_signed_certificate,
    spki_sha256_hex,
    write_certificate_pem,
    write_pkcs12,
)
from xbsec.server.registry import Consumer, Registry


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("registry")
    signing = generate_rsa_key()
    write_certificate_pem(folder / "signing.pem", self_signed_certificate(signing))
    client = generate_rsa_key()
    write_pkcs12(folder / "client-encryption.p12", client, self_signed_certificate(client),
                 password="pw")
    (folder / "client-encryption-key.pem").write_bytes(private_key_pem(client))
    mc = generate_rsa_key()
    write_certificate_pem(folder / "mc.pem", self_signed_certificate(mc))
    return folder


GOOD = """
[[consumers]]
consumer_key = "ck!1"
partner_ids = ["P1", "P2"]
signing_certificates = ["signing.pem"]
encryption = "required"
client_encryption_keys = [ {{ path = "client-encryption.p12", password_env = "PW" }},
                           "client-encryption-key.pem" ]
mastercard_encryption_certificate = "mc.pem"
redirect_uris = ["http://127.0.0.1:8765/callback"]
{extra}
"""


def load(files: Path, text: str, environ: dict[str, str] | None = None) -> Registry:
    path = files / "registry.toml"
    path.write_text(text)
    return Registry.load(path, environ={"PW": "pw"} if environ is None else environ)


def test_a_good_registry_loads(files) -> None:
    registry = load(files, GOOD.format(extra=""))
    assert len(registry) == 1
    consumer = registry.get("ck!1")
    assert consumer is not None
    assert consumer.partner_ids == {"P1", "P2"}
    assert consumer.environment == "sandbox"
    assert (consumer.psd2, consumer.mtls, consumer.encryption) == (False, False, "required")
    key = next(iter(consumer.client_encryption_keys.values()))
    assert spki_sha256_hex(key) in consumer.client_encryption_keys
    assert len(consumer.client_encryption_keys) == 2  # SPKI and certificate fingerprints
    assert consumer.redirect_uris == ("http://127.0.0.1:8765/callback",)
    assert registry.signing_certificates("ck!1") == consumer.signing_certificates
    assert registry.signing_certificates("nobody") is None
    assert list(registry) == [consumer]
    assert "client_encryption_keys" not in repr(consumer)  # private keys stay out of reprs


def test_certificate_fingerprint_names_the_key_too(files) -> None:
    from xbsec.keys import load_key_and_certificate

    consumer = load(files, GOOD.format(extra="")).get("ck!1")
    _, cert = load_key_and_certificate(files / "client-encryption.p12", password="pw")
    assert cert is not None
    assert cert_sha256_hex(cert) in consumer.client_encryption_keys  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "message"), [
    ("", "no [[consumers]] entries"),
    ("consumers = [1]", "consumers[0]: not a table"),
    ("[[consumers]\n", "not valid TOML"),
    ("x = " + "9" * 5_000 + "\n", "not valid TOML"),  # int() refuses over 4,300 digits
    (GOOD.format(extra='colour = "red"'), "colour: unknown entry"),
    (GOOD.format(extra="").replace('consumer_key = "ck!1"', ""), "consumer_key: missing"),
    (GOOD.format(extra="").replace('"P1", "P2"', ""), "no partner_ids"),
    (GOOD.format(extra="").replace('["P1", "P2"]', '"P1"'),
     "partner_ids: expected list, found str"),
    (GOOD.format(extra="").replace('["P1", "P2"]', '[""]'), "list of non-empty strings"),
    (GOOD.format(extra="psd2 = 1"), "psd2: expected bool, found int"),
    (GOOD.format(extra="").replace("required", "always"), "encryption must be one of"),
    (GOOD.format(extra='environment = "staging"'), "unknown environment"),
    (GOOD.format(extra="").replace('signing_certificates = ["signing.pem"]',
                                   'signing_certificates = ["signing.pem"]*0'), "not valid TOML"),
    (GOOD.format(extra="").replace('["signing.pem"]', '["signing.pem","signing.pem",'
                                   '"signing.pem"]'), "two during a rotation"),
    (GOOD.format(extra="").replace("signing.pem", "missing.pem"), "missing.pem: no such file"),
    (GOOD.format(extra="").replace('"client-encryption-key.pem"', "3"),
     "client_encryption_keys[1]: expected a path"),
    (GOOD.format(extra="").replace('mastercard_encryption_certificate = "mc.pem"', ""),
     "needs client_encryption_keys and mastercard_encryption_certificate"),
    (GOOD.format(extra="") + GOOD.format(extra=""), "registered twice"),
    (GOOD.format(extra='client_certificate_sha256 = "ab"'),
     "client_certificate_sha256: 'ab' is not a SHA-256 thumbprint"),
    (GOOD.format(extra="client_certificate_sha256 = [1]"),
     "client_certificate_sha256: expected a list of non-empty strings"),
    (GOOD.format(extra="client_certificate_subject = 7"),
     "client_certificate_subject: expected str, found int"),
])
def test_each_mistake_is_named(files, text, message) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("[", r"\[").replace(
            "]", r"\]").replace("*", r"\*")):
        load(files, text)


def test_a_missing_password_variable_and_a_wrong_password(files) -> None:
    with pytest.raises(ConfigurationError, match="environment variable PW is not set"):
        load(files, GOOD.format(extra=""), environ={})
    with pytest.raises(ConfigurationError, match="wrong password") as info:
        load(files, GOOD.format(extra=""), environ={"PW": "not-it"})
    assert "not-it" not in str(info.value)


def test_file_problems(tmp_path) -> None:
    with pytest.raises(ConfigurationError, match="no such registry file"):
        Registry.load(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xff")
    with pytest.raises(ConfigurationError, match="cannot be read"):
        Registry.load(bad)


def test_consumer_checks_when_built_directly(files) -> None:
    from xbsec.keys import load_certificate

    cert = load_certificate(files / "signing.pem")
    with pytest.raises(ConfigurationError, match="must not be empty"):
        Consumer(consumer_key="", environment="sandbox", partner_ids=frozenset({"P"}),
                 signing_certificates=(cert,), encryption="off")
    off = Consumer(consumer_key="c", environment="sandbox", partner_ids=frozenset({"P"}),
                   signing_certificates=(cert,), encryption="off")
    assert off.client_encryption_keys == {}


def test_the_bound_client_certificate_by_thumbprint_or_subject(files) -> None:
    from xbsec.keys import load_certificate

    cert = load_certificate(files / "signing.pem")
    other = self_signed_certificate(generate_rsa_key())
    thumbprint = cert_sha256_hex(cert)
    colons = ":".join(thumbprint[i:i + 2] for i in range(0, 64, 2)).upper()
    consumer = load(files, GOOD.format(
        extra=f'mtls = true\nclient_certificate_sha256 = "{colons}"')).get("ck!1")
    assert consumer is not None
    assert consumer.client_certificate_sha256 == {thumbprint}  # as openssl prints it, read
    assert consumer.binds_client_certificate(cert)
    assert not consumer.binds_client_certificate(other)

    listed = load(files, GOOD.format(extra=f'client_certificate_sha256 = ["{thumbprint}", '
                                           f'"{cert_sha256_hex(other)}"]')).get("ck!1")
    assert listed is not None
    assert listed.binds_client_certificate(cert)
    assert listed.binds_client_certificate(other)

    subject = cert.subject.rfc4514_string()
    by_subject = load(files, GOOD.format(
        extra=f"client_certificate_subject = {subject!r}")).get("ck!1")
    assert by_subject is not None
    assert by_subject.client_certificate_subject == subject
    assert by_subject.binds_client_certificate(cert)

    both = load(files, GOOD.format(extra=f"client_certificate_subject = {subject!r}\n"
                                         f'client_certificate_sha256 = "{cert_sha256_hex(other)}"'
                                   )).get("ck!1")
    assert both is not None
    assert not both.binds_client_certificate(cert)  # every binding given must hold

    with pytest.raises(ConfigurationError, match="mtls needs client_certificate_sha256"):
        load(files, GOOD.format(extra="mtls = true"))  # nothing registered: nothing bound
    unbound = load(files, GOOD.format(extra="")).get("ck!1")
    assert unbound is not None
    assert not unbound.client_certificate_bound
    assert not unbound.binds_client_certificate(cert)


def test_a_thumbprint_given_directly_must_be_lower_case_hex(files) -> None:
    from xbsec.keys import load_certificate

    cert = load_certificate(files / "signing.pem")
    with pytest.raises(ConfigurationError, match="64 lower-case hex digits"):
        Consumer(consumer_key="c", environment="sandbox", partner_ids=frozenset({"P"}),
                 signing_certificates=(cert,), encryption="off",
                 client_certificate_sha256=frozenset({cert_sha256_hex(cert).upper()}))
    with pytest.raises(ConfigurationError, match="client_certificate_subject"):
        Consumer(consumer_key="c", environment="sandbox", partner_ids=frozenset({"P"}),
                 signing_certificates=(cert,), encryption="off", client_certificate_subject=" ")


def test_a_bare_key_is_found_by_its_certificate_fingerprint_when_given_one(files) -> None:
    """SPEC §3.4: the kid may be the certificate's SHA-256 as well as the SPKI's."""
    from xbsec.keys import load_certificate

    write_certificate_pem(files / "client-encryption.pem",
                          load_certificate(files / "client-encryption.p12", password="pw"))
    text = """
[[consumers]]
consumer_key = "ck!1"
partner_ids = ["P1"]
signing_certificates = ["signing.pem"]
client_encryption_keys = [
    { path = "client-encryption-key.pem", certificate = "client-encryption.pem" },
]
mastercard_encryption_certificate = "mc.pem"
"""
    consumer = load(files, text).get("ck!1")
    assert consumer is not None
    certificate = load_certificate(files / "client-encryption.pem")
    keys = consumer.client_encryption_keys
    assert set(keys) == {spki_sha256_hex(certificate), cert_sha256_hex(certificate)}
    wrong = text.replace('certificate = "client-encryption.pem"', 'certificate = "mc.pem"')
    with pytest.raises(ConfigurationError, match=r"consumers\[0\].*does not belong"):
        load(files, wrong)


def test_a_sandbox_project_finds_its_key_by_either_fingerprint(tmp_path: Path) -> None:
    from xbsec.keys import load_certificate
    from xbsec.sandbox.project import init_project

    project = init_project(tmp_path / "project")
    consumer = Registry.load(project.registry).get(project.consumer_key)
    assert consumer is not None
    certificate = load_certificate(project.folder / "client-encryption.pem")
    assert set(consumer.client_encryption_keys) == {spki_sha256_hex(certificate),
                                                    cert_sha256_hex(certificate)}
