"""A minter that cannot work is a ConfigurationError (or KeyMismatchError) when made."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec.errors import ConfigurationError, KeyMismatchError
from xbsec.keys import ProjectKeys
from xbsec.oauth2 import RequestTokenMinter

from .conftest import CONSUMER_KEY, make_certificate


@pytest.mark.parametrize("lifetime", [0, -1, 901, 3600, 300.0, True, "300", None])
def test_lifetime_must_be_whole_seconds_up_to_900(rsa_key_2048, certificate, lifetime) -> None:
    with pytest.raises(ConfigurationError, match=r"lifetime must be 1 to 900 seconds \(300"):
        RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, lifetime=lifetime)


@pytest.mark.parametrize(("backdate", "lifetime"), [(-1, 900), (300, 300), (900, 900),
                                                    (1.5, 900), (True, 900)])
def test_backdate_must_be_under_the_lifetime(rsa_key_2048, certificate, backdate,
                                             lifetime) -> None:
    with pytest.raises(ConfigurationError, match="backdate"):
        RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, lifetime=lifetime,
                           backdate=backdate)


@pytest.mark.parametrize("x5t", ["JWK", "x5t", "", None])
def test_x5t_must_name_a_form(rsa_key_2048, certificate, x5t) -> None:
    with pytest.raises(ConfigurationError, match="x5t must be"):
        RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, x5t=x5t)


@pytest.mark.parametrize("consumer_key", ["", "   ", None, 12])
def test_the_consumer_key_must_be_given(rsa_key_2048, certificate, consumer_key) -> None:
    with pytest.raises(ConfigurationError, match="consumer key"):
        RequestTokenMinter(consumer_key, rsa_key_2048, certificate)


def test_the_key_must_belong_to_the_certificate(rsa_key_2048, other_certificate) -> None:
    with pytest.raises(KeyMismatchError, match="does not belong"):
        RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, other_certificate)


def test_an_rsa_key_under_2048_bits_cannot_sign() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    with pytest.raises(ConfigurationError, match="1024 bits"):
        RequestTokenMinter(CONSUMER_KEY, key, make_certificate(key))


def test_an_ec_key_off_p256_cannot_sign() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ConfigurationError, match="secp384r1"):
        RequestTokenMinter(CONSUMER_KEY, key, make_certificate(key))


def test_a_random_source_of_the_wrong_length_is_caught(rsa_key_2048, certificate) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate,
                                random_bytes=lambda n: b"\x00" * (n - 1))
    with pytest.raises(ConfigurationError, match="random_bytes returned 15 bytes"):
        minter.mint()


def test_project_keys_without_a_certificate_cannot_mint(rsa_key_2048) -> None:
    keys = ProjectKeys(environment="sandbox", consumer_key=CONSUMER_KEY,
                       signing_key=rsa_key_2048)
    with pytest.raises(ConfigurationError, match="x5c"):
        RequestTokenMinter.from_project_keys(keys)


def test_the_minter_does_not_show_its_key(minter) -> None:
    assert "PRIVATE" not in repr(minter)
    assert not hasattr(minter, "__dict__")
