"""PKCS#12 entries are chosen by alias; a wrong alias names the aliases present (SPEC §2.2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.keys.conftest import same_public_key
from tests.keys.pkcs12_builder import Entry, build
from xbsec.errors import KeyAliasError, KeyFileError
from xbsec.keys import (
    load_certificate,
    load_key_and_certificate,
    load_keystore_aliases,
    load_private_key,
    pkcs12_bytes,
)

PW = b"storepass"


@pytest.fixture(scope="module")
def single(rsa_key_2048: Any, cert_2048: Any) -> bytes:
    return pkcs12_bytes(rsa_key_2048, cert_2048, alias="keyalias", password="storepass")


@pytest.fixture(scope="module")
def two_keys(rsa_key_2048: Any, cert_2048: Any, ec_key: Any, ec_cert: Any) -> bytes:
    return build([Entry("signing", rsa_key_2048, cert_2048), Entry("Encryption", ec_key, ec_cert)],
                 PW)


def test_matching_alias_gives_the_key_and_its_certificate(
    single: bytes, rsa_key_2048: Any, cert_2048: Any
) -> None:
    key, cert = load_key_and_certificate(single, password=PW, alias="keyalias")
    assert same_public_key(key, rsa_key_2048)
    assert cert == cert_2048


def test_alias_matches_case_insensitively_as_java_keystore_does(
    single: bytes, rsa_key_2048: Any
) -> None:
    assert same_public_key(load_private_key(single, password=PW, alias="KeyAlias"), rsa_key_2048)


def test_no_alias_is_fine_with_a_single_key_entry(single: bytes, rsa_key_2048: Any) -> None:
    assert same_public_key(load_private_key(single, password=PW), rsa_key_2048)


def test_wrong_alias_names_the_aliases_present(single: bytes) -> None:
    with pytest.raises(KeyAliasError, match="aliases present: 'keyalias'") as caught:
        load_private_key(single, password=PW, alias="mykeyalias")
    assert caught.value.aliases == ("keyalias",)
    assert "no entry with alias 'mykeyalias'" in str(caught.value)


def test_wrong_alias_in_a_file_names_the_file(single: bytes, tmp_path: Path) -> None:
    path = tmp_path / "signing.p12"
    path.write_bytes(single)
    with pytest.raises(KeyAliasError) as caught:
        load_private_key(path, password=PW, alias="nope")
    assert caught.value.source == str(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_second_key_entry_is_found_by_its_alias(
    two_keys: bytes, ec_key: Any, ec_cert: Any
) -> None:
    key, cert = load_key_and_certificate(two_keys, password=PW, alias="encryption")
    assert same_public_key(key, ec_key)
    assert cert == ec_cert


def test_first_key_entry_is_found_by_its_alias(
    two_keys: bytes, rsa_key_2048: Any, cert_2048: Any
) -> None:
    key, cert = load_key_and_certificate(two_keys, password=PW, alias="SIGNING")
    assert same_public_key(key, rsa_key_2048)
    assert cert == cert_2048


def test_several_keys_without_alias_is_refused_naming_them(two_keys: bytes) -> None:
    with pytest.raises(KeyAliasError, match="holds 2 private keys") as caught:
        load_private_key(two_keys, password=PW)
    assert "'signing', 'Encryption'" in str(caught.value)


def test_aliases_are_listed_in_file_order(two_keys: bytes) -> None:
    assert load_keystore_aliases(two_keys, password=PW) == ("signing", "Encryption")


def test_unencrypted_key_bag_is_found_by_alias(
    rsa_key_2048: Any, ec_key: Any, ec_cert: Any
) -> None:
    data = build([Entry("a", rsa_key_2048), Entry("b", ec_key, ec_cert)], PW, encrypt_keys=False)
    key, cert = load_key_and_certificate(data, password=PW, alias="b")
    assert same_public_key(key, ec_key)
    assert cert == ec_cert


def test_key_entry_without_certificate_gives_none(rsa_key_2048: Any, ec_key: Any) -> None:
    data = build([Entry("a", rsa_key_2048), Entry("b", ec_key)], PW)
    key, cert = load_key_and_certificate(data, password=PW, alias="b")
    assert same_public_key(key, ec_key)
    assert cert is None


def test_key_bag_that_does_not_decrypt_is_a_file_error(rsa_key_2048: Any, ec_key: Any) -> None:
    first = build([Entry("a", rsa_key_2048)], PW)
    other = build([Entry("b", ec_key)], b"another password")
    # Splice b's bag (encrypted under another password) beside a's.
    spliced = _splice_key_bags(first, other)
    with pytest.raises(KeyFileError, match="the key entry 'b' cannot be decrypted"):
        load_private_key(spliced, password=PW, alias="b")


def _splice_key_bags(first: bytes, other: bytes) -> bytes:
    from tests.keys.pkcs12_builder import data_content_info, seq, tlv

    def bags(pfx: bytes) -> bytes:
        # Walk the fixed layout the builder writes down to the SafeContents content.
        from xbsec.keys import _der

        auth = _der.children(_der.parse_single(pfx).content)[1]
        octets = _der.children(_der.children(auth.content)[1].content)[0].content
        info = _der.children(_der.parse_single(octets).content)[0]
        inner = _der.children(_der.children(info.content)[1].content)[0].content
        return _der.parse_single(inner).content

    safe = data_content_info(seq(bags(first) + bags(other)))
    return seq(tlv(0x02, b"\x03"), data_content_info(seq(safe)))


@pytest.mark.interop
@pytest.mark.slow
def test_alias_of_a_certificate_entry_is_not_a_key(java_keystore: Path) -> None:
    with pytest.raises(KeyAliasError, match="'partner' is a certificate without a private key"):
        load_private_key(java_keystore, password="storepass", alias="partner")


@pytest.mark.interop
@pytest.mark.slow
def test_certificate_entry_loads_by_its_alias(java_keystore: Path) -> None:
    cert = load_certificate(java_keystore, password="storepass", alias="partner")
    assert cert.subject.rfc4514_string() == "CN=encryption"


@pytest.mark.interop
@pytest.mark.slow
def test_every_key_of_a_java_keystore_is_found_by_alias(java_keystore: Path) -> None:
    assert load_keystore_aliases(java_keystore, password="storepass") == (
        "signing", "encryption", "partner"
    )
    for alias in ("signing", "encryption"):
        key, cert = load_key_and_certificate(java_keystore, password="storepass", alias=alias)
        assert cert is not None
        assert cert.subject.rfc4514_string() == f"CN={alias}"
        assert same_public_key(key, cert.public_key())


@pytest.mark.interop
@pytest.mark.slow
def test_java_keystore_without_alias_lists_only_key_aliases(java_keystore: Path) -> None:
    with pytest.raises(KeyAliasError, match=r"2 private keys \('signing', 'encryption'\)"):
        load_private_key(java_keystore, password="storepass")


def test_keystore_without_friendly_names_has_no_aliases(rsa_key_2048: Any) -> None:
    data = build([Entry(None, rsa_key_2048)], PW)
    assert load_keystore_aliases(data, password=PW) == ()
    with pytest.raises(KeyAliasError, match="it names no aliases"):
        load_private_key(data, password=PW, alias="keyalias")
    assert same_public_key(load_private_key(data, password=PW), rsa_key_2048)


def test_keystore_with_only_certificates_has_no_private_key(cert_2048: Any) -> None:
    data = pkcs12.serialize_key_and_certificates(
        None, None, None, [pkcs12.PKCS12Certificate(cert_2048, b"ca")],
        s.BestAvailableEncryption(PW),
    )
    with pytest.raises(KeyFileError, match="contains no private key"):
        load_private_key(data, password=PW)
    assert load_certificate(data, password=PW) == cert_2048
    assert load_certificate(data, password=PW, alias="CA") == cert_2048


def test_certificate_without_alias_from_several_is_refused(
    cert_2048: Any, other_cert_2048: Any
) -> None:
    data = pkcs12.serialize_key_and_certificates(
        None, None, None,
        [pkcs12.PKCS12Certificate(cert_2048, b"one"),
         pkcs12.PKCS12Certificate(other_cert_2048, b"two")],
        s.BestAvailableEncryption(PW),
    )
    with pytest.raises(KeyAliasError, match="holds 2 certificates"):
        load_certificate(data, password=PW)
    assert load_certificate(data, password=PW, alias="two") == other_cert_2048
    with pytest.raises(KeyAliasError, match="aliases present: 'one', 'two'"):
        load_certificate(data, password=PW, alias="three")


def test_keystore_with_nothing_in_it_has_no_certificate(rsa_key_2048: Any) -> None:
    data = build([Entry("k", rsa_key_2048)], PW)
    with pytest.raises(KeyFileError, match="the entry 'k' has no certificate"):
        load_certificate(data, password=PW, alias="k")
    with pytest.raises(KeyFileError, match="contains no certificate"):
        load_certificate(data, password=PW)


def test_aliases_of_a_file_that_is_not_a_keystore_is_a_file_error(cert_2048: Any) -> None:
    with pytest.raises(KeyFileError, match="contains a certificate, not a PKCS#12 keystore"):
        load_keystore_aliases(cert_2048.public_bytes(s.Encoding.DER))
    with pytest.raises(KeyFileError, match="contains a certificate, not a PKCS#12 keystore"):
        load_keystore_aliases(cert_2048.public_bytes(s.Encoding.PEM))
