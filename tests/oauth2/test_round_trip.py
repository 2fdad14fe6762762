"""Tokens we mint verify: RS256 and ES256, through the Authorization header."""

from __future__ import annotations

from typing import Any

from xbsec.keys import ProjectKeys
from xbsec.oauth2 import RequestTokenMinter, RequestTokenVerifier

from .conftest import CONSUMER_KEY, NOW


def test_an_rs256_token_verifies(minter, verifier, certificate) -> None:
    verified = verifier.verify(minter.authorization_header())
    assert verified.consumer_key == CONSUMER_KEY
    assert verified.algorithm == "RS256"
    assert (verified.issued_at, verified.not_before, verified.expires_at) == (NOW, NOW, NOW + 900)
    assert len(verified.jti) == 32
    assert verified.credential is certificate
    assert verified.warnings == ()


def test_an_es256_token_verifies(ec_key, ec_certificate) -> None:
    minter = RequestTokenMinter(CONSUMER_KEY, ec_key, ec_certificate, clock=lambda: NOW)
    verifier = RequestTokenVerifier({CONSUMER_KEY: ec_certificate}, clock=lambda: NOW)
    assert minter.algorithm == "ES256"
    verified = verifier.verify(minter.authorization_header())
    assert verified.algorithm == "ES256"
    assert verified.credential is ec_certificate


def test_a_bare_token_verifies_by_default(minter, verifier) -> None:
    assert verifier.verify(minter.mint()).consumer_key == CONSUMER_KEY


def test_every_option_of_the_minter_verifies(rsa_key_2048, certificate) -> None:
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate}, clock=lambda: NOW)
    for x5t in ("jwk", "cert", "none"):
        for include_x5c in (True, False):
            minter = RequestTokenMinter(CONSUMER_KEY, rsa_key_2048, certificate, x5t=x5t,
                                        include_x5c=include_x5c, lifetime=300, backdate=60,
                                        clock=lambda: NOW)
            verified = verifier.verify(minter.authorization_header())
            assert verified.issued_at == NOW - 60
            assert verified.expires_at == NOW + 240


def test_a_minter_from_project_keys_signs_for_the_project(rsa_key_2048, certificate) -> None:
    keys = ProjectKeys(environment="sandbox", consumer_key=CONSUMER_KEY,
                       signing_key=rsa_key_2048, signing_certificate=certificate)
    minter = RequestTokenMinter.from_project_keys(keys, lifetime=300, clock=lambda: NOW)
    verifier = RequestTokenVerifier({CONSUMER_KEY: certificate}, clock=lambda: NOW)
    verified = verifier.verify(minter.authorization_header())
    assert verified.expires_at - verified.issued_at == 300
    assert minter.lifetime == 300


def test_a_verifier_takes_a_callable_registry(minter, certificate) -> None:
    asked: list[str] = []

    def registry(consumer_key: str) -> Any:
        asked.append(consumer_key)
        return certificate

    verifier = RequestTokenVerifier(registry, clock=lambda: NOW)
    assert verifier.verify(minter.authorization_header()).consumer_key == CONSUMER_KEY
    assert asked == [CONSUMER_KEY]


def test_the_default_policy_is_the_strict_one(verifier) -> None:
    assert verifier.policy.request_token_max_lifetime == 900
    assert verifier.policy.request_token_skew == 60
    assert verifier.policy.request_token_replay_check is False
