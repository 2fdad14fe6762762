"""SPEC §5.4 steps 3-4: the consumer key, its registered certificate, x5c and x5t#S256
-> 401 DECLINED."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec import SecurityPolicy
from xbsec.errors import AccessDeniedError
from xbsec.keys import jwk_thumbprint, x5t_s256
from xbsec.oauth2 import RequestTokenMinter, RequestTokenVerifier

from .conftest import (
    CONSUMER_KEY,
    DAY,
    NOW,
    claims,
    make_certificate,
    mastercard_header,
    refusal,
    status,
    token,
    x5c_of,
)

DECLINED = (401, "DECLINED", "Gateway")


def _declined(verifier, value) -> str:
    error = refusal(verifier, value)
    assert isinstance(error, AccessDeniedError)
    assert status(error) == DECLINED
    return error.description


def _verifier(registry, **policy) -> RequestTokenVerifier:
    return RequestTokenVerifier(registry, policy=SecurityPolicy(**policy), clock=lambda: NOW)


@pytest.mark.parametrize("kid", ["unknown", CONSUMER_KEY.split("!")[0], CONSUMER_KEY + "x"])
def test_an_unknown_consumer_key_is_401_declined(verifier, rsa_key_2048, certificate,
                                                 kid) -> None:
    value = token(mastercard_header(certificate, kid=kid), claims(), rsa_key_2048)
    assert _declined(verifier, value) == "Unauthorized - Access Not Granted"


def test_an_unknown_key_in_a_callable_registry_is_401(minter) -> None:
    assert _declined(_verifier(lambda key: None), minter.mint()) == (
        "Unauthorized - Access Not Granted"
    )


def test_an_empty_list_of_credentials_is_unknown(minter) -> None:
    assert "Access Not Granted" in _declined(_verifier({CONSUMER_KEY: []}), minter.mint())


@pytest.mark.parametrize(("not_before", "not_after"), [(NOW - 2 * DAY, NOW - 1),
                                                       (NOW + 1, NOW + 2 * DAY)])
def test_a_registered_certificate_outside_its_dates_is_401(rsa_key_2048, minter, not_before,
                                                           not_after) -> None:
    cert = make_certificate(rsa_key_2048, not_before=not_before, not_after=not_after)
    assert _declined(_verifier({CONSUMER_KEY: cert}), minter.mint()) == (
        "the signing certificate of this consumer key is not valid now"
    )


def test_the_certificate_dates_are_inclusive(rsa_key_2048, certificate) -> None:
    cert = make_certificate(rsa_key_2048, not_before=NOW, not_after=NOW)
    minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, cert, clock=lambda: NOW)
    assert _verifier({CONSUMER_KEY: cert}).verify(minter.mint()).credential is cert


def test_a_registered_key_no_profile_algorithm_fits_is_unusable(minter) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    p384 = ec.generate_private_key(ec.SECP384R1())
    for unusable in (make_certificate(weak), p384.public_key(), make_certificate(p384),
                     "a certificate", None, weak.public_key()):
        registry = {CONSUMER_KEY: [unusable]}
        assert "Access Not Granted" in _declined(_verifier(registry), minter.mint())


def test_x5c_of_another_certificate_is_401(verifier, rsa_key_2048, certificate,
                                           other_certificate) -> None:
    header = {**mastercard_header(certificate), "x5c": x5c_of(other_certificate)}
    assert _declined(verifier, token(header, claims(), rsa_key_2048)) == (
        "x5c does not carry the certificate registered for this consumer key"
    )


def test_x5c_of_another_certificate_for_the_same_key_is_401(rsa_key_2048, certificate) -> None:
    # Byte-equal DER, not merely the same public key (SPEC §5.4 step 4).
    twin = make_certificate(rsa_key_2048, common_name="same key, other certificate")
    header = {**mastercard_header(certificate), "x5c": x5c_of(twin)}
    value = token(header, claims(), rsa_key_2048)
    assert "x5c does not carry" in _declined(_verifier({CONSUMER_KEY: certificate}), value)


@pytest.mark.parametrize("leaf", ["", "not base64!", "QUJD", "MIIB" * 3])
def test_x5c_that_is_not_a_certificate_is_401(verifier, rsa_key_2048, certificate,
                                              leaf) -> None:
    header = {**mastercard_header(certificate), "x5c": [leaf]}
    assert "x5c does not carry" in _declined(verifier, token(header, claims(), rsa_key_2048))


def test_only_the_first_x5c_certificate_counts(verifier, rsa_key_2048, certificate,
                                               other_certificate) -> None:
    header = {**mastercard_header(certificate),
              "x5c": x5c_of(other_certificate) + x5c_of(certificate)}
    assert "x5c does not carry" in _declined(verifier, token(header, claims(), rsa_key_2048))
    header["x5c"] = x5c_of(certificate) + x5c_of(other_certificate)
    assert verifier.verify(token(header, claims(), rsa_key_2048)).consumer_key == CONSUMER_KEY


def test_x5c_in_base64url_instead_of_base64_is_not_the_certificate(verifier, rsa_key_2048,
                                                                    certificate) -> None:
    leaf = x5c_of(certificate)[0]
    assert "+" in leaf or "/" in leaf
    header = {**mastercard_header(certificate), "x5c": [leaf.replace("+", "-").replace("/", "_")]}
    assert "x5c does not carry" in _declined(verifier, token(header, claims(), rsa_key_2048))


def test_x5c_with_line_breaks_is_not_the_certificate(verifier, rsa_key_2048, certificate) -> None:
    leaf = x5c_of(certificate)[0]
    header = {**mastercard_header(certificate), "x5c": [leaf[:64] + "\n" + leaf[64:]]}
    assert "x5c does not carry" in _declined(verifier, token(header, claims(), rsa_key_2048))


X5T_CASES = {
    # mode: (JWK thumbprint accepted, certificate thumbprint accepted)
    "either": (True, True),
    "jwk": (True, False),
    "cert": (False, True),
    "off": (True, True),
}


@pytest.mark.parametrize("mode", sorted(X5T_CASES))
@pytest.mark.parametrize("form", ["jwk", "cert", "other", "garbage"])
def test_x5t_is_checked_as_the_policy_says(rsa_key_2048, certificate, other_certificate,
                                           mode, form) -> None:
    x5t = {"jwk": jwk_thumbprint(certificate), "cert": x5t_s256(certificate),
           "other": jwk_thumbprint(other_certificate), "garbage": "not a thumbprint"}[form]
    header = {**mastercard_header(certificate), "x5t#S256": x5t}
    verifier = _verifier({CONSUMER_KEY: certificate}, request_token_x5t_check=mode)
    value = token(header, claims(), rsa_key_2048)
    accepted = mode == "off" or (form in ("jwk", "cert") and X5T_CASES[mode][form == "cert"])
    if accepted:
        assert verifier.verify(value).consumer_key == CONSUMER_KEY
    else:
        description = _declined(verifier, value)
        assert description.startswith("x5t#S256 is not ")
        assert description.endswith("of the registered certificate")


def test_the_x5t_refusal_names_the_form_expected(rsa_key_2048, certificate) -> None:
    header = {**mastercard_header(certificate), "x5t#S256": x5t_s256(certificate)}
    verifier = _verifier({CONSUMER_KEY: certificate}, request_token_x5t_check="jwk")
    assert "the JWK thumbprint (RFC 7638)" in _declined(verifier, token(header, claims(),
                                                                        rsa_key_2048))


def test_x5t_is_optional(verifier, rsa_key_2048, certificate) -> None:
    header = mastercard_header(certificate)
    del header["x5t#S256"], header["x5c"]
    assert verifier.verify(token(header, claims(), rsa_key_2048)).consumer_key == CONSUMER_KEY


def test_during_a_rotation_either_registered_certificate_verifies(
    rsa_key_2048, other_rsa_key_2048, certificate, other_certificate
) -> None:
    verifier = _verifier({CONSUMER_KEY: (certificate, other_certificate)})
    for key, cert in ((rsa_key_2048, certificate), (other_rsa_key_2048, other_certificate)):
        minter = RequestTokenMinter(CONSUMER_KEY, key, cert, clock=lambda: NOW)
        assert verifier.verify(minter.mint()).credential is cert
        bare = RequestTokenMinter(CONSUMER_KEY, key, cert, x5t="none", include_x5c=False,
                                  clock=lambda: NOW)
        assert verifier.verify(bare.mint()).credential is cert


def test_a_rotation_with_one_expired_certificate_uses_the_other(
    rsa_key_2048, other_rsa_key_2048, other_certificate
) -> None:
    expired = make_certificate(rsa_key_2048, not_before=NOW - 2 * DAY, not_after=NOW - 1)
    verifier = _verifier({CONSUMER_KEY: [expired, other_certificate]})
    old = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, expired, clock=lambda: NOW)
    assert "x5c does not carry" in _declined(verifier, old.mint())
    new = RequestTokenMinter(CONSUMER_KEY, other_rsa_key_2048, other_certificate,
                             clock=lambda: NOW)
    assert verifier.verify(new.mint()).credential is other_certificate


class TestARegisteredBarePublicKey:
    """With only a public key registered, x5c must certify that key (no DER to compare)."""

    @pytest.fixture
    def verifier(self, rsa_key_2048) -> RequestTokenVerifier:
        return _verifier({CONSUMER_KEY: rsa_key_2048.public_key()})

    def test_a_token_with_the_key_s_certificate_verifies(self, verifier, minter,
                                                         rsa_key_2048) -> None:
        verified = verifier.verify(minter.mint())
        assert verified.credential is not None
        assert verified.credential.public_numbers() == rsa_key_2048.public_key().public_numbers()
        verifier.verify(minter.mint())  # the second time from the remembered leaf

    def test_any_certificate_for_the_key_is_accepted(self, verifier, rsa_key_2048) -> None:
        for name in ("one", "two"):
            cert = make_certificate(rsa_key_2048, common_name=name)
            minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, cert, x5t="cert",
                                        clock=lambda: NOW)
            assert verifier.verify(minter.mint()).warnings != ()

    def test_x5c_for_another_key_is_401(self, verifier, rsa_key_2048, certificate,
                                        other_certificate) -> None:
        header = {**mastercard_header(certificate), "x5c": x5c_of(other_certificate)}
        value = token(header, claims(), rsa_key_2048)
        assert "x5c does not carry" in _declined(verifier, value)

    def test_x5c_for_a_key_of_another_type_is_401(self, verifier, rsa_key_2048, certificate,
                                                  ec_certificate) -> None:
        header = {**mastercard_header(certificate), "x5c": x5c_of(ec_certificate)}
        assert "x5c does not carry" in _declined(verifier, token(header, claims(), rsa_key_2048))

    @pytest.mark.parametrize("leaf", ["%%%", base64.b64encode(b"not DER").decode()])
    def test_x5c_that_is_not_a_certificate_is_401(self, verifier, rsa_key_2048, certificate,
                                                  leaf) -> None:
        header = {**mastercard_header(certificate), "x5c": [leaf]}
        assert "x5c does not carry" in _declined(verifier, token(header, claims(), rsa_key_2048))

    def test_without_x5c_only_the_jwk_thumbprint_can_match(self, rsa_key_2048,
                                                           certificate) -> None:
        verifier = _verifier({CONSUMER_KEY: rsa_key_2048.public_key()})
        header = mastercard_header(certificate)
        del header["x5c"]
        assert verifier.verify(token(header, claims(), rsa_key_2048)).warnings == ()
        header["x5t#S256"] = x5t_s256(certificate)
        assert "x5t#S256 is not" in _declined(verifier, token(header, claims(), rsa_key_2048))
