"""``ProjectKeys.load`` reads every file of a project and checks that they fit together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s

from tests.keys.conftest import same_public_key
from xbsec.errors import ConfigurationError, KeyMismatchError, KeyPasswordError
from xbsec.keys import (
    KeyFile,
    ProjectKeys,
    cert_sha256_hex,
    spki_sha256_hex,
    write_certificate_pem,
    write_pkcs12,
)


@pytest.fixture(scope="module")
def project_dir(
    tmp_path_factory: pytest.TempPathFactory, rsa_key_2048: Any, cert_2048: Any,
    other_rsa_key_2048: Any, other_cert_2048: Any, ec_key: Any, ec_cert: Any,
) -> Path:
    """A project as downloaded: signing p12, client encryption PEM, two encryption p12s."""
    root = tmp_path_factory.mktemp("project")
    write_pkcs12(root / "signing.p12", rsa_key_2048, cert_2048)
    write_certificate_pem(root / "ClientEnc.pem", ec_cert)
    write_pkcs12(root / "keyalias-encryption-mc.p12", other_rsa_key_2048, other_cert_2048)
    write_pkcs12(root / "renewed.p12", ec_key, ec_cert, alias="renewed", password="other")
    (root / "signing-key.pem").write_bytes(
        rsa_key_2048.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    )
    write_certificate_pem(root / "signing-cert.pem", cert_2048)
    write_certificate_pem(root / "foreign-cert.pem", other_cert_2048)
    return root


def test_a_downloaded_project_loads_whole(
    project_dir: Path, rsa_key_2048: Any, cert_2048: Any, other_rsa_key_2048: Any,
    other_cert_2048: Any, ec_key: Any, ec_cert: Any,
) -> None:
    keys = ProjectKeys.load(
        environment="mtf",
        consumer_key="abc-abc-abc!123",
        signing_key=project_dir / "signing.p12",
        signing_key_password="keystorepassword",
        signing_key_alias="keyalias",
        client_encryption_certificate=project_dir / "ClientEnc.pem",
        mastercard_encryption_keys=[
            project_dir / "keyalias-encryption-mc.p12",
            KeyFile(project_dir / "renewed.p12", password="other", alias="renewed"),
        ],
        mastercard_encryption_key_password="keystorepassword",
        mastercard_encryption_key_alias="keyalias",
    )
    assert keys.environment == "mtf"
    assert same_public_key(keys.signing_key, rsa_key_2048)
    assert keys.signing_certificate == cert_2048
    assert keys.encryption_kid == spki_sha256_hex(ec_cert)
    first = keys.decryption_key_for(spki_sha256_hex(other_rsa_key_2048))
    second = keys.decryption_key_for(cert_sha256_hex(ec_cert))
    assert first is not None
    assert second is not None
    assert same_public_key(first, other_rsa_key_2048)
    assert same_public_key(second, ec_key)
    assert keys.mastercard_encryption_certificates == (other_cert_2048, ec_cert)


def test_pem_signing_key_with_a_separate_certificate_loads(
    project_dir: Path, cert_2048: Any
) -> None:
    keys = ProjectKeys.load(
        environment="sandbox", consumer_key="ck",
        signing_key=project_dir / "signing-key.pem",
        signing_certificate=project_dir / "signing-cert.pem",
    )
    assert keys.signing_certificate == cert_2048
    assert keys.mastercard_encryption_keys == ()
    assert keys.encryption_kid is None


def test_separate_certificate_of_another_key_names_its_file(project_dir: Path) -> None:
    with pytest.raises(KeyMismatchError) as caught:
        ProjectKeys.load(
            environment="sandbox", consumer_key="ck",
            signing_key=project_dir / "signing.p12", signing_key_password="keystorepassword",
            signing_certificate=project_dir / "foreign-cert.pem",
        )
    assert caught.value.source == str(project_dir / "foreign-cert.pem")


def test_one_encryption_key_path_is_taken_as_a_list_of_one(
    project_dir: Path, other_rsa_key_2048: Any
) -> None:
    keys = ProjectKeys.load(
        environment="production", consumer_key="ck",
        signing_key=KeyFile(project_dir / "signing.p12", password="keystorepassword"),
        mastercard_encryption_keys=project_dir / "keyalias-encryption-mc.p12",
        mastercard_encryption_key_password="keystorepassword",
    )
    only = keys.decryption_key_for(None)
    assert only is not None
    assert same_public_key(only, other_rsa_key_2048)


def test_wrong_password_of_an_encryption_key_names_its_file(project_dir: Path) -> None:
    with pytest.raises(KeyPasswordError) as caught:
        ProjectKeys.load(
            environment="sandbox", consumer_key="ck",
            signing_key=project_dir / "signing-key.pem",
            mastercard_encryption_keys=[project_dir / "renewed.p12"],
            mastercard_encryption_key_password="keystorepassword",
        )
    assert caught.value.source == str(project_dir / "renewed.p12")


def test_encryption_keys_that_are_not_a_list_are_refused(project_dir: Path) -> None:
    with pytest.raises(ConfigurationError, match="mastercard_encryption_keys: must be a list"):
        ProjectKeys.load(
            environment="sandbox", consumer_key="ck",
            signing_key=project_dir / "signing-key.pem",
            mastercard_encryption_keys=7,  # type: ignore[arg-type]
        )


def test_invalid_fields_are_refused_before_any_file_is_read(project_dir: Path) -> None:
    absent = project_dir / "absent.p12"
    with pytest.raises(ConfigurationError, match="environment: must be one of"):
        ProjectKeys.load(
            environment="staging",  # type: ignore[arg-type]
            consumer_key="ck", signing_key=absent,
        )
    with pytest.raises(ConfigurationError, match="consumer_key: must be printable ASCII"):
        ProjectKeys.load(environment="sandbox", consumer_key="c k", signing_key=absent)


def test_key_file_repr_hides_the_password() -> None:
    assert "secret" not in repr(KeyFile("k.p12", password="secret", alias="keyalias"))


def test_encryption_key_without_a_certificate_is_found_by_spki(
    project_dir: Path, rsa_key_2048: Any
) -> None:
    keys = ProjectKeys.load(
        environment="sandbox", consumer_key="ck",
        signing_key=project_dir / "signing-key.pem",
        mastercard_encryption_keys=[project_dir / "signing-key.pem"],
    )
    assert keys.mastercard_encryption_certificates == ()
    assert keys.decryption_key_for(spki_sha256_hex(rsa_key_2048)) is not None


def test_certificate_given_as_bytes_is_named_bytes_on_mismatch(
    project_dir: Path, other_cert_2048: Any
) -> None:
    with pytest.raises(KeyMismatchError) as caught:
        ProjectKeys.load(
            environment="sandbox", consumer_key="ck",
            signing_key=project_dir / "signing-key.pem",
            signing_certificate=other_cert_2048.public_bytes(s.Encoding.PEM),
        )
    assert caught.value.source == "<bytes>"
