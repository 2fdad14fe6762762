"""PKCE S256 (RFC 7636)."""

from __future__ import annotations

import pytest

from xbsec.errors import ConfigurationError
from xbsec.oauth2.pkce import Pkce, s256_challenge


def test_rfc_7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    pair = Pkce.from_verifier(verifier)
    assert (pair.challenge, pair.method) == ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                             "S256")


def test_appendix_b_octets_give_the_appendix_b_verifier() -> None:
    octets = bytes([116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173,
                    187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
                    132, 141, 121])
    pair = Pkce.generate(lambda n: octets[:n])
    assert pair.verifier == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


def test_generated_verifiers_are_fresh_and_of_the_rfc_form() -> None:
    pairs = {Pkce.generate().verifier for _ in range(50)}
    assert len(pairs) == 50
    for verifier in pairs:
        assert len(verifier) == 43
        assert s256_challenge(verifier)


@pytest.mark.parametrize("verifier", ["", "a" * 42, "a" * 129, "a" * 42 + "=", "a" * 42 + " ",
                                      "é" * 43])
def test_verifiers_outside_rfc_7636_are_refused(verifier: str) -> None:
    with pytest.raises(ConfigurationError, match="43 to 128"):
        s256_challenge(verifier)


def test_a_short_random_source_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="31 bytes"):
        Pkce.generate(lambda n: b"x" * 31)


def test_the_verifier_is_not_in_the_repr() -> None:
    pair = Pkce.from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert "dBjftJeZ" not in repr(pair)
