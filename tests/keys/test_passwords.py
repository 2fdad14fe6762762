"""Passwords: missing, wrong, ignored when not needed, never echoed; str is UTF-8."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.keys.conftest import same_public_key
from xbsec.errors import ConfigurationError, KeyPasswordError
from xbsec.keys import load_private_key, pkcs12_bytes

SECRET = "correct horse battery"


@pytest.fixture(scope="module")
def encrypted_pem(rsa_key_2048: Any) -> bytes:
    return rsa_key_2048.private_bytes(  # type: ignore[no-any-return]
        s.Encoding.PEM, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(SECRET.encode())
    )


@pytest.fixture(scope="module")
def keystore(rsa_key_2048: Any, cert_2048: Any) -> bytes:
    return pkcs12_bytes(rsa_key_2048, cert_2048, password=SECRET)


def test_encrypted_pem_without_password_asks_for_one(encrypted_pem: bytes) -> None:
    with pytest.raises(KeyPasswordError, match="encrypted; a password is required"):
        load_private_key(encrypted_pem)


def test_encrypted_der_without_password_asks_for_one(rsa_key_2048: Any) -> None:
    der = rsa_key_2048.private_bytes(
        s.Encoding.DER, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(KeyPasswordError, match="a password is required"):
        load_private_key(der)


def test_wrong_password_for_encrypted_pem_says_so(encrypted_pem: bytes) -> None:
    with pytest.raises(KeyPasswordError, match="wrong password for the encrypted private key"):
        load_private_key(encrypted_pem, password="not it")


def test_wrong_password_for_keystore_says_so(keystore: bytes) -> None:
    with pytest.raises(KeyPasswordError, match="wrong password for the PKCS#12 keystore"):
        load_private_key(keystore, password="not it")


def test_keystore_without_password_asks_for_one(keystore: bytes) -> None:
    with pytest.raises(KeyPasswordError, match="password-protected; a password is required"):
        load_private_key(keystore)


def test_password_for_unencrypted_key_is_ignored(rsa_key_2048: Any) -> None:
    pem = rsa_key_2048.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    assert same_public_key(load_private_key(pem, password="keystorepassword"), rsa_key_2048)


def test_str_and_bytes_passwords_are_the_same(encrypted_pem: bytes, rsa_key_2048: Any) -> None:
    assert same_public_key(load_private_key(encrypted_pem, password=SECRET), rsa_key_2048)
    assert same_public_key(load_private_key(encrypted_pem, password=SECRET.encode()),
                           rsa_key_2048)


def test_a_password_that_is_neither_str_nor_bytes_is_a_configuration_error(
    encrypted_pem: bytes,
) -> None:
    with pytest.raises(ConfigurationError, match="password must be str or bytes, not int"):
        load_private_key(encrypted_pem, password=1234)  # type: ignore[arg-type]


@pytest.mark.parametrize("wrong", ["correct horse battery!", "hunter2-wrong"])
def test_wrong_password_never_appears_in_the_message(keystore: bytes, wrong: str) -> None:
    with pytest.raises(KeyPasswordError) as caught:
        load_private_key(keystore, password=wrong)
    assert wrong not in str(caught.value)
    assert SECRET not in str(caught.value)


@settings(max_examples=8, deadline=None)
@given(password=st.text(min_size=1, max_size=24).filter(lambda p: "\x00" not in p))
def test_any_unicode_password_round_trips_as_utf8(rsa_key_2048: Any, password: str) -> None:
    pem = rsa_key_2048.private_bytes(
        s.Encoding.PEM, s.PrivateFormat.PKCS8,
        s.BestAvailableEncryption(password.encode("utf-8")),
    )
    assert same_public_key(load_private_key(pem, password=password), rsa_key_2048)
