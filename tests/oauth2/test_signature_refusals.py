"""SPEC §5.4 step 5: the signature, with the registered key only -> 403 AUTHENTICATION_FAILED.

403, as the OAuth 1.0a gateway answers a bad signature (SPEC §2.7 step 6); the description
says nothing about why.
"""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from xbsec.errors import SignatureError
from xbsec.keys import jwk_thumbprint
from xbsec.oauth2 import RequestTokenMinter, RequestTokenVerifier

from .conftest import CONSUMER_KEY, NOW, claims, mastercard_header, refusal, status, token

FAILED = (403, "AUTHENTICATION_FAILED", "Gateway")


def _failed(verifier, value) -> None:
    error = refusal(verifier, value)
    assert isinstance(error, SignatureError)
    assert status(error) == FAILED
    assert error.description == "signature verification failed"


def test_a_token_signed_by_another_key_that_carries_its_certificate_is_refused(
    verifier, other_rsa_key_2048, other_certificate
) -> None:
    # The attacker's own key and certificate, in the victim's name: x5c gives it away.
    minter = RequestTokenMinter(CONSUMER_KEY, other_rsa_key_2048, other_certificate,
                                clock=lambda: NOW)
    error = refusal(verifier, minter.authorization_header())
    assert status(error) == (401, "DECLINED", "Gateway")


def test_a_token_by_another_key_claiming_the_registered_certificate_is_403(
    verifier, other_rsa_key_2048, certificate
) -> None:
    # x5c and x5t name the registered certificate, so only the signature can catch it.
    _failed(verifier, token(mastercard_header(certificate), claims(), other_rsa_key_2048))


def test_a_token_by_another_key_without_x5c_or_x5t_is_403(verifier, other_rsa_key_2048,
                                                          other_certificate) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, other_rsa_key_2048, other_certificate,
                                x5t="none", include_x5c=False, clock=lambda: NOW)
    _failed(verifier, minter.authorization_header())


def test_a_registered_bare_key_is_not_replaced_by_the_key_in_x5c(
    rsa_key_2048, other_rsa_key_2048, other_certificate
) -> None:
    # Registered: a bare key. The token carries the attacker's certificate in x5c and is
    # signed by the attacker: x5c certifies another key, so it is refused before step 5.
    verifier = RequestTokenVerifier({CONSUMER_KEY: rsa_key_2048.public_key()},
                                    clock=lambda: NOW)
    minter = RequestTokenMinter(CONSUMER_KEY, other_rsa_key_2048, other_certificate,
                                clock=lambda: NOW)
    assert status(refusal(verifier, minter.mint()))[1] == "DECLINED"


def test_a_changed_claim_is_403(verifier, minter) -> None:
    header, payload, signature = minter.mint().split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["exp"] += 1
    changed = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    _failed(verifier, f"{header}.{changed}.{signature}")


def test_an_es256_token_for_a_registered_rsa_certificate_is_403(verifier, ec_key,
                                                                certificate) -> None:
    header = {**mastercard_header(certificate), "alg": "ES256"}
    _failed(verifier, token(header, claims(), ec_key))


def test_an_rs256_token_for_a_registered_ec_certificate_is_403(rsa_key_2048,
                                                               ec_certificate) -> None:
    verifier = RequestTokenVerifier({CONSUMER_KEY: ec_certificate}, clock=lambda: NOW)
    header = {**mastercard_header(ec_certificate), "alg": "RS256"}
    _failed(verifier, token(header, claims(), rsa_key_2048))


def test_an_es256_token_by_another_p256_key_is_403(ec_certificate) -> None:
    verifier = RequestTokenVerifier({CONSUMER_KEY: ec_certificate}, clock=lambda: NOW)
    attacker = ec.generate_private_key(ec.SECP256R1())
    header = {**mastercard_header(ec_certificate, alg="ES256"),
              "x5t#S256": jwk_thumbprint(ec_certificate)}
    _failed(verifier, token(header, claims(), attacker))


def test_a_signature_failure_is_checked_before_the_claims(verifier, other_rsa_key_2048,
                                                          certificate) -> None:
    # An expired forgery is a bad signature, not an expired token: the claims of an
    # unauthenticated token are never read (SPEC §5.4 order).
    expired = claims(at=NOW - 10_000)
    _failed(verifier, token(mastercard_header(certificate), expired, other_rsa_key_2048))


@pytest.mark.parametrize("signature", ["", "AAAA", "A" * 342])
def test_a_signature_of_the_wrong_size_is_403(verifier, minter, signature) -> None:
    header, payload, _ = minter.mint().split(".")
    _failed(verifier, f"{header}.{payload}.{signature}")
