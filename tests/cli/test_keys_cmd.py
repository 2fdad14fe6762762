"""`xbsec keys new | inspect | csr`."""

from __future__ import annotations

import json

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from xbsec.keys import spki_sha256_hex


def test_keys_new_writes_a_mastercard_style_keystore(project) -> None:
    data = (project / "k.p12").read_bytes()
    loaded = pkcs12.load_pkcs12(data, b"keystorepassword")
    assert loaded.key is not None
    assert loaded.cert is not None
    assert loaded.cert.friendly_name == b"keyalias"
    cert = x509.load_pem_x509_certificate((project / "c.pem").read_bytes())
    assert cert == loaded.cert.certificate
    assert (project / "k.p12").stat().st_mode & 0o077 == 0


def test_keys_new_options_and_json(run, tmp_path) -> None:
    result = run("keys", "new", "--p12", str(tmp_path / "a.p12"), "--cert",
                 str(tmp_path / "a.pem"), "--alias", "mine", "--password-env", "PW",
                 "--bits", "3072", "--days", "30", "--json", env={"PW": "s3cret-value"})
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["alias"] == "mine"
    assert made["bits"] == 3072
    assert "s3cret-value" not in result.output
    loaded = pkcs12.load_pkcs12((tmp_path / "a.p12").read_bytes(), b"s3cret-value")
    assert loaded.key.key_size == 3072  # type: ignore[union-attr]
    assert made["spki_sha256_hex"] == spki_sha256_hex(loaded.cert.certificate)  # type: ignore[union-attr]


def test_keys_inspect_json_has_the_four_fingerprints(run, project) -> None:
    result = run("keys", "inspect", str(project / "k.p12"), "--password", "keystorepassword",
                 "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    cert = x509.load_pem_x509_certificate((project / "c.pem").read_bytes())
    assert info["spki_sha256_hex"] == spki_sha256_hex(cert)
    for name in ("cert_sha256_hex", "jwk_thumbprint", "x5t_s256"):
        assert info[name]
    assert info["key_size"] == 2048
    assert info["kind"] == "pkcs12"
    assert "keystorepassword" not in result.output


def test_keys_inspect_text(run, project) -> None:
    result = run("keys", "inspect", str(project / "c.pem"))
    assert result.exit_code == 0, result.output
    assert "spki_sha256_hex" in result.output
    assert "CN=cli test" in result.output


def test_wrong_password_is_exit_2_with_the_file_named(run, project) -> None:
    result = run("keys", "inspect", str(project / "k.p12"), "--password", "nope-nope")
    assert result.exit_code == 2
    assert "k.p12" in result.output
    assert "password" in result.output
    assert "nope-nope" not in result.output
    assert "Traceback" not in result.output


def test_wrong_alias_names_the_aliases(run, project) -> None:
    result = run("keys", "inspect", str(project / "k.p12"), "--password", "keystorepassword",
                 "--alias", "other")
    assert result.exit_code == 2
    assert "keyalias" in result.output


def test_password_and_password_env_together_is_a_usage_error(run, project) -> None:
    result = run("keys", "inspect", str(project / "k.p12"), "--password", "a",
                 "--password-env", "B")
    assert result.exit_code == 2
    assert "not both" in result.output


def test_unset_password_env_is_a_usage_error(run, project) -> None:
    result = run("keys", "inspect", str(project / "k.p12"), "--password-env",
                 "XBSEC_SURELY_UNSET", env={"XBSEC_SURELY_UNSET": None})
    assert result.exit_code == 2
    assert "XBSEC_SURELY_UNSET is not set" in result.output


def test_missing_file_is_exit_2(run, tmp_path) -> None:
    result = run("keys", "inspect", str(tmp_path / "nothing.p12"))
    assert result.exit_code == 2
    assert "nothing.p12" in result.output


def test_keys_csr_for_renewal(run, project, tmp_path) -> None:
    result = run("keys", "csr", "--key", str(project / "k.p12"), "--password",
                 "keystorepassword", "--cn", "renewed", "--org", "Bank", "--country", "GB")
    assert result.exit_code == 0, result.output
    csr = x509.load_pem_x509_csr(result.output.encode())
    assert csr.is_signature_valid
    from cryptography.x509.oid import NameOID

    def attr(oid: x509.ObjectIdentifier) -> str:
        return str(csr.subject.get_attributes_for_oid(oid)[0].value)

    assert attr(NameOID.COMMON_NAME) == "renewed"
    assert attr(NameOID.ORGANIZATION_NAME) == "Bank"
    assert attr(NameOID.COUNTRY_NAME) == "GB"
    cert = x509.load_pem_x509_certificate((project / "c.pem").read_bytes())
    assert spki_sha256_hex(csr.public_key()) == spki_sha256_hex(cert)  # type: ignore[arg-type]
    out = tmp_path / "r.csr"
    result = run("keys", "csr", "--key", str(project / "k.p12"), "--password",
                 "keystorepassword", "--cn", "renewed", "--out", str(out))
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"-----BEGIN CERTIFICATE REQUEST-----")
