"""``ProjectKeys`` holds one environment's keys and finds the decryption key by ``kid``."""

from __future__ import annotations

from typing import Any

import pytest

from xbsec.errors import ConfigurationError, KeyMismatchError
from xbsec.keys import ENVIRONMENTS, ProjectKeys, cert_sha256_hex, spki_sha256_hex

CONSUMER_KEY = "a" * 48 + "!" + "b" * 48


def _keys(signing_key: Any, **changes: Any) -> ProjectKeys:
    fields: dict[str, Any] = {
        "environment": "sandbox", "consumer_key": CONSUMER_KEY, "signing_key": signing_key,
    }
    fields.update(changes)
    return ProjectKeys(**fields)


@pytest.fixture(scope="module")
def rotating(rsa_key_2048: Any, other_rsa_key_2048: Any, cert_2048: Any) -> ProjectKeys:
    return _keys(rsa_key_2048,
                 mastercard_encryption_keys=(rsa_key_2048, other_rsa_key_2048),
                 mastercard_encryption_certificates=(cert_2048,))


def test_environments_are_sandbox_mtf_and_production() -> None:
    assert ENVIRONMENTS == ("sandbox", "mtf", "production")


@pytest.mark.parametrize("environment", ["Sandbox", "prod", "", "uat"])
def test_unknown_environment_names_the_field(rsa_key_2048: Any, environment: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^environment: must be one of sandbox, mtf"):
        _keys(rsa_key_2048, environment=environment)


@pytest.mark.parametrize("consumer_key", [
    CONSUMER_KEY, "abc-abc-abc!123", "x", "0" * 48 + "!" + "0" * 48,
])
def test_any_opaque_printable_consumer_key_is_accepted(
    rsa_key_2048: Any, consumer_key: str
) -> None:
    assert _keys(rsa_key_2048, consumer_key=consumer_key).consumer_key == consumer_key


@pytest.mark.parametrize("consumer_key", [
    "", "with space", 'quote"d', "single'quote", "tab\tkey", "newline\n", "ünïcode", 42, None,
])
def test_unusable_consumer_key_names_the_field(rsa_key_2048: Any, consumer_key: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"^consumer_key: "):
        _keys(rsa_key_2048, consumer_key=consumer_key)


def test_signing_key_must_be_a_private_key(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"^signing_key: must be an RSA or EC private"):
        _keys(rsa_key_2048.public_key())


def test_signing_certificate_must_belong_to_the_signing_key(
    rsa_key_2048: Any, other_cert_2048: Any
) -> None:
    with pytest.raises(KeyMismatchError, match=r"^signing_certificate: the private key does not"):
        _keys(rsa_key_2048, signing_certificate=other_cert_2048)


def test_certificate_fields_must_be_certificates(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"^signing_certificate: must be an x509"):
        _keys(rsa_key_2048, signing_certificate=b"pem")
    with pytest.raises(ConfigurationError, match=r"^client_encryption_certificate: must be"):
        _keys(rsa_key_2048, client_encryption_certificate="cert.pem")


def test_each_encryption_key_is_checked_by_position(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"^mastercard_encryption_keys\[1\]: must be"):
        _keys(rsa_key_2048, mastercard_encryption_keys=(rsa_key_2048, "key.p12"))
    with pytest.raises(ConfigurationError, match=r"^mastercard_encryption_certificates\[0\]"):
        _keys(rsa_key_2048, mastercard_encryption_certificates=(rsa_key_2048,))


def test_a_single_key_where_a_tuple_belongs_is_refused(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"^mastercard_encryption_keys: must be a tuple"):
        _keys(rsa_key_2048, mastercard_encryption_keys=rsa_key_2048)
    with pytest.raises(ConfigurationError, match=r"^mastercard_encryption_keys: must be a tuple"):
        _keys(rsa_key_2048, mastercard_encryption_keys="key.p12")


def test_a_list_of_keys_is_kept_as_a_tuple(rsa_key_2048: Any) -> None:
    keys = _keys(rsa_key_2048, mastercard_encryption_keys=[rsa_key_2048])
    assert keys.mastercard_encryption_keys == (rsa_key_2048,)


def test_encryption_certificate_that_belongs_to_no_key_is_a_mismatch(
    rsa_key_2048: Any, other_cert_2048: Any
) -> None:
    with pytest.raises(KeyMismatchError, match=r"certificates\[0\] belongs to none of"):
        _keys(rsa_key_2048, mastercard_encryption_keys=(rsa_key_2048,),
              mastercard_encryption_certificates=(other_cert_2048,))


def test_kid_selects_the_right_key_among_two(
    rotating: ProjectKeys, rsa_key_2048: Any, other_rsa_key_2048: Any
) -> None:
    assert rotating.decryption_key_for(spki_sha256_hex(rsa_key_2048)) is rsa_key_2048
    assert rotating.decryption_key_for(spki_sha256_hex(other_rsa_key_2048)) is other_rsa_key_2048


def test_kid_matches_case_insensitively(rotating: ProjectKeys, other_rsa_key_2048: Any) -> None:
    kid = spki_sha256_hex(other_rsa_key_2048).upper()
    assert rotating.decryption_key_for(kid) is other_rsa_key_2048


def test_certificate_fingerprint_kid_also_finds_the_key(
    rotating: ProjectKeys, rsa_key_2048: Any, cert_2048: Any
) -> None:
    # SPEC §3.4: Mastercard's tools use SPKI or certificate fingerprints as kid.
    assert rotating.decryption_key_for(cert_sha256_hex(cert_2048)) is rsa_key_2048


def test_unknown_kid_finds_nothing(rotating: ProjectKeys, ec_key: Any) -> None:
    assert rotating.decryption_key_for(spki_sha256_hex(ec_key)) is None
    assert rotating.decryption_key_for("") is None


def test_missing_kid_finds_the_only_key_but_not_one_of_two(
    rotating: ProjectKeys, rsa_key_2048: Any
) -> None:
    single = _keys(rsa_key_2048, mastercard_encryption_keys=(rsa_key_2048,))
    assert single.decryption_key_for(None) is rsa_key_2048
    assert rotating.decryption_key_for(None) is None
    assert _keys(rsa_key_2048).decryption_key_for(None) is None


def test_keys_by_kid_lists_every_name_of_every_key(
    rotating: ProjectKeys, rsa_key_2048: Any, other_rsa_key_2048: Any, cert_2048: Any
) -> None:
    by_kid = rotating.decryption_keys_by_kid()
    assert by_kid == {
        spki_sha256_hex(rsa_key_2048): rsa_key_2048,
        spki_sha256_hex(other_rsa_key_2048): other_rsa_key_2048,
        cert_sha256_hex(cert_2048): rsa_key_2048,
    }
    by_kid.clear()  # a copy: the project's own index is untouched
    assert rotating.decryption_key_for(spki_sha256_hex(rsa_key_2048)) is rsa_key_2048


def test_encryption_kid_defaults_to_the_spki_fingerprint(
    rsa_key_2048: Any, other_cert_2048: Any
) -> None:
    keys = _keys(rsa_key_2048, client_encryption_certificate=other_cert_2048)
    assert keys.encryption_kid == spki_sha256_hex(other_cert_2048)


def test_configured_encryption_kid_wins(rsa_key_2048: Any, other_cert_2048: Any) -> None:
    keys = _keys(rsa_key_2048, client_encryption_certificate=other_cert_2048,
                 client_encryption_kid="given-by-mastercard")
    assert keys.encryption_kid == "given-by-mastercard"


def test_no_encryption_certificate_means_no_kid(rsa_key_2048: Any) -> None:
    assert _keys(rsa_key_2048).encryption_kid is None


def test_unusable_encryption_kid_names_the_field(rsa_key_2048: Any) -> None:
    with pytest.raises(ConfigurationError, match=r"^client_encryption_kid: "):
        _keys(rsa_key_2048, client_encryption_kid="has space")


def test_project_keys_are_immutable(rotating: ProjectKeys) -> None:
    with pytest.raises(AttributeError):
        rotating.consumer_key = "other"  # type: ignore[misc]


def test_repr_shows_no_key_material(rotating: ProjectKeys) -> None:
    text = repr(rotating)
    assert "PRIVATE KEY" not in text
    assert "_keys_by_kid" not in text
