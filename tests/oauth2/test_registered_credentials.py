"""The registry is read on every request: changes take effect at once, and the prepared
fingerprints are remembered only for the very objects they were made from."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ed25519

from xbsec.keys import jwk_thumbprint, x5t_s256
from xbsec.oauth2 import RequestTokenMinter, RequestTokenVerifier
from xbsec.oauth2.registered_credentials import RegisteredCredential, credential_lookup

from .conftest import CONSUMER_KEY, NOW, make_certificate, refusal, status, x5c_of


def test_a_revoked_consumer_key_is_refused_at_once(minter, certificate) -> None:
    registry = {CONSUMER_KEY: certificate}
    verifier = RequestTokenVerifier(registry, clock=lambda: NOW)
    verifier.verify(minter.mint())
    del registry[CONSUMER_KEY]
    assert status(refusal(verifier, minter.mint()))[:2] == (401, "DECLINED")


def test_a_replaced_certificate_is_used_at_once(rsa_key_2048, other_rsa_key_2048, certificate,
                                                other_certificate) -> None:
    registry = {CONSUMER_KEY: certificate}
    verifier = RequestTokenVerifier(registry, clock=lambda: NOW)
    new = RequestTokenMinter(CONSUMER_KEY, other_rsa_key_2048, other_certificate,
                             clock=lambda: NOW)
    assert status(refusal(verifier, new.mint()))[1] == "DECLINED"
    registry[CONSUMER_KEY] = other_certificate
    assert verifier.verify(new.mint()).credential is other_certificate


def test_fresh_objects_are_never_confused_with_remembered_ones(rsa_key_2048) -> None:
    # More lookups than the memory holds, each with a new key object: every answer must be
    # made from the object handed out, including after the memory is emptied.
    lookup = credential_lookup(lambda _: rsa_key_2048.public_key())
    for _ in range(4200):
        (found,) = lookup(CONSUMER_KEY)
        assert found.public_key.public_numbers() == rsa_key_2048.public_key().public_numbers()
    items = [rsa_key_2048.public_key() for _ in range(3)]
    lookup = credential_lookup({CONSUMER_KEY: items})
    assert [r.credential for r in lookup(CONSUMER_KEY)] == items
    assert [r.credential for r in lookup(CONSUMER_KEY)] == items


def test_the_same_object_is_prepared_once(certificate) -> None:
    lookup = credential_lookup({CONSUMER_KEY: certificate})
    (first,) = lookup(CONSUMER_KEY)
    (second,) = lookup(CONSUMER_KEY)
    assert first is second


def test_a_certificate_for_a_key_type_we_do_not_use_is_unusable(minter, rsa_key_2048) -> None:
    cert = make_certificate(ed25519.Ed25519PrivateKey.generate(), signed_by=rsa_key_2048)
    assert RegisteredCredential.of(cert) is None
    verifier = RequestTokenVerifier({CONSUMER_KEY: cert}, clock=lambda: NOW)
    assert status(refusal(verifier, minter.mint()))[1] == "DECLINED"


def test_a_bare_key_s_certificate_thumbprint_is_that_of_the_token_s_leaf(rsa_key_2048,
                                                                       certificate) -> None:
    registered = RegisteredCredential.of(rsa_key_2048.public_key())
    assert registered is not None
    (leaf,) = x5c_of(certificate)
    assert registered.thumbprint_form(x5t_s256(certificate), leaf) == "cert"
    assert registered.thumbprint_form(x5t_s256(certificate)) is None
    assert registered.thumbprint_form(x5t_s256(certificate), "%%%") is None
    assert registered.thumbprint_form(jwk_thumbprint(certificate)) == "jwk"
