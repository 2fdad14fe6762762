"""RFC 7638 JWK thumbprints agree with jwcrypto and joserfc, on our keys and Wycheproof's."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.conftest import load_wycheproof
from xbsec.keys import jwk_thumbprint

_CURVES = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}


def _int(member: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(member + "=" * (-len(member) % 4)), "big")


def _public_key(jwk: dict[str, str]) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey | None:
    """The key a JWK describes, or None when cryptography refuses it (bad point, e=1, ...)."""
    try:
        if jwk["kty"] == "RSA" and {"n", "e"} <= jwk.keys():
            return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
        if jwk["kty"] == "EC" and jwk.get("crv") in _CURVES and {"x", "y"} <= jwk.keys():
            curve = _CURVES[jwk["crv"]]
            return ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), curve).public_key()
    except ValueError:
        return None
    return None


def _wycheproof_public_jwks() -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for group in load_wycheproof("json_web_key_test.json")["testGroups"]:
        for side in ("public", "private"):
            for jwk in group.get(side, {}).get("keys", []):
                if jwk["kty"] == "oct":
                    continue  # symmetric keys have no public half
                public = {k: v for k, v in jwk.items() if k in ("kty", "n", "e", "crv", "x", "y")}
                seen.setdefault(json.dumps(public, sort_keys=True), public)
    return list(seen.values())


def test_thumbprint_is_rfc7638_over_the_required_members(rsa_key_2048: Any) -> None:
    numbers = rsa_key_2048.public_key().public_numbers()

    def b64(value: int) -> str:
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    # RFC 7638 §3.3: members in lexicographic order, no whitespace.
    canonical = f'{{"e":"{b64(numbers.e)}","kty":"RSA","n":"{b64(numbers.n)}"}}'
    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest())
    assert jwk_thumbprint(rsa_key_2048) == expected.rstrip(b"=").decode()


def test_rfc7638_section_3_1_example() -> None:
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_B"
        "JECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FD"
        "W2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vM"
        "QFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    key = rsa.RSAPublicNumbers(65537, _int(n)).public_key()
    assert jwk_thumbprint(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


@pytest.mark.interop
def test_thumbprints_of_our_keys_agree_with_jwcrypto_and_joserfc(
    rsa_key_2048: Any, ec_key: Any
) -> None:
    from joserfc.jwk import ECKey, RSAKey
    from jwcrypto.jwk import JWK

    keys = [rsa_key_2048, ec_key, ec.generate_private_key(ec.SECP384R1()),
            ec.generate_private_key(ec.SECP521R1())]
    for key in keys:
        pem = key.public_key().public_bytes(s.Encoding.PEM, s.PublicFormat.SubjectPublicKeyInfo)
        joserfc_key = (RSAKey if isinstance(key, rsa.RSAPrivateKey) else ECKey).import_key(pem)
        assert jwk_thumbprint(key) == JWK.from_pem(pem).thumbprint()
        assert jwk_thumbprint(key) == joserfc_key.thumbprint()


@pytest.mark.interop
def test_thumbprints_of_wycheproof_keys_agree_with_jwcrypto() -> None:
    from jwcrypto.jwk import JWK

    jwks = _wycheproof_public_jwks()
    compared = 0
    for jwk in jwks:
        key = _public_key(jwk)
        if key is None:
            continue  # a deliberately broken key (off-curve point, e=1, wrong kty): no thumbprint
        assert jwk_thumbprint(key) == JWK(**jwk).thumbprint(), jwk
        compared += 1
    # The file holds 8 distinct asymmetric JWKs; 4 are valid (RSA-2048, a ROCA-weak RSA-2048,
    # RSA-1024, P-256); cryptography refuses e=1, an off-curve point, a P-256 point labelled
    # P-384, and EC coordinates labelled kty RSA.
    assert (len(jwks), compared) == (8, 4)


def test_unsupported_curve_has_no_thumbprint() -> None:
    from xbsec.errors import KeyMaterialError

    with pytest.raises(KeyMaterialError, match="unsupported EC curve secp256k1"):
        jwk_thumbprint(ec.generate_private_key(ec.SECP256K1()))
