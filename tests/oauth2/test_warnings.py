"""What is accepted but is not what Mastercard's generator sends is reported in
``VerifiedToken.warnings`` (SPEC §5.4 steps 2 and 4), never refused."""

from __future__ import annotations

import pytest

from xbsec import SecurityPolicy
from xbsec.keys import jwk_thumbprint, x5t_s256
from xbsec.oauth2 import RequestTokenVerifier

from .conftest import CONSUMER_KEY, NOW, claims, mastercard_header, token


def _warnings(verifier, header, key) -> tuple[str, ...]:
    return verifier.verify(token(header, claims(), key)).warnings


def test_mastercard_s_header_gives_no_warning(verifier, rsa_key_2048, certificate) -> None:
    assert _warnings(verifier, mastercard_header(certificate), rsa_key_2048) == ()


@pytest.mark.parametrize(("changes", "expected"), [
    ({"typ": "JOSE"}, ("typ is not 'JWT'",)),
    ({"typ": ...}, ("typ is not 'JWT'",)),
    ({"cty": "JWT"}, ("cty is not 'JWS'",)),
    ({"typ": 1, "cty": None}, ("typ is not 'JWT'", "cty is not 'JWS'")),
])
def test_typ_and_cty_are_only_warned_about(verifier, rsa_key_2048, certificate, changes,
                                           expected) -> None:
    header = {**mastercard_header(certificate), **changes}
    header = {name: value for name, value in header.items() if value is not ...}
    assert _warnings(verifier, header, rsa_key_2048) == expected


def test_the_certificate_thumbprint_is_accepted_with_a_warning(verifier, rsa_key_2048,
                                                               certificate) -> None:
    header = {**mastercard_header(certificate), "x5t#S256": x5t_s256(certificate)}
    (warning,) = _warnings(verifier, header, rsa_key_2048)
    assert "certificate thumbprint" in warning
    assert "SPEC §5.2" in warning


def test_the_certificate_thumbprint_is_not_warned_about_when_required(rsa_key_2048,
                                                                      certificate) -> None:
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate}, clock=lambda: NOW,
                                    policy=SecurityPolicy(request_token_x5t_check="cert"))
    header = {**mastercard_header(certificate), "x5t#S256": x5t_s256(certificate)}
    assert _warnings(verifier, header, rsa_key_2048) == ()


def test_with_the_check_off_a_wrong_thumbprint_is_only_warned_about(
    rsa_key_2048, certificate, other_certificate
) -> None:
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate}, clock=lambda: NOW,
                                    policy=SecurityPolicy(request_token_x5t_check="off"))
    header = {**mastercard_header(certificate), "x5t#S256": jwk_thumbprint(other_certificate)}
    assert _warnings(verifier, header, rsa_key_2048) == (
        "x5t#S256 is not a thumbprint of the registered certificate",
    )
    assert _warnings(verifier, mastercard_header(certificate), rsa_key_2048) == ()
