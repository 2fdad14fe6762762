"""Wycheproof json_web_signature_test.json through jws_verify.

Every invalid case is refused. Every valid case in our profile (RS256, ES256, compact
serialisation) verifies. Valid cases outside it (HS256, RS384/512, PS256/384/512, ES512) are
not applicable: counted apart with the reason, and shown refused. (One of them, tcId 372, is
valid to Wycheproof only for a lenient base64 decoder; ours refuses its '?' first.)

How the harness calls ``jws_verify``, as a careful caller would (RFC 7517):

- ``algorithms`` is the key's own ``alg`` when the JWK has one, else our whole profile, so a
  token naming another algorithm than its key's is refused (Wycheproof's "UsingRS256" cases);
- the HS256 groups have only a symmetric key, which xbsec never takes: their tokens are
  checked with an unrelated P-256 key and ``algorithms={"HS256"}``; they must be refused
  whatever the key, because HS256 is not implemented;
- xbsec takes no JWKs, so the JWK members ``use`` and ``key_ops`` mean nothing to it; the
  harness's key import honours them (RFC 7517 §4.2, §4.3) and refuses an encryption key for
  verification. Those cases are counted as refused at key import.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.conftest import load_wycheproof
from xbsec.errors import MalformedTokenError, SignatureError
from xbsec.jose.jws import JWS_ALGORITHMS, jws_verify

from .jws_keys import p256_key

EXPECTED = {
    "passed": 10,
    "invalid, refused (signature)": 247,
    "invalid, refused (malformed: alg not accepted)": 78,
    "invalid, refused (malformed: not three base64url segments)": 17,
    "invalid, JSON serialisation (not applicable), refused (malformed: not three base64url "
    "segments)": 1,
    "invalid, refused (malformed: header not base64url JSON)": 8,
    "invalid, refused at key import (use/key_ops)": 4,
    "not applicable (HS256 outside the profile), refused (malformed: alg not accepted)": 9,
    "not applicable (HS256 outside the profile), refused (malformed: header not base64url "
    "JSON)": 1,
    "not applicable (RS384 outside the profile), refused (malformed: alg not accepted)": 4,
    "not applicable (RS512 outside the profile), refused (malformed: alg not accepted)": 4,
    "not applicable (PS256 outside the profile), refused (malformed: alg not accepted)": 6,
    "not applicable (PS384 outside the profile), refused (malformed: alg not accepted)": 6,
    "not applicable (PS512 outside the profile), refused (malformed: alg not accepted)": 4,
    "not applicable (ES512 outside the profile), refused (malformed: alg not accepted)": 2,
}
TOTAL = 401

_CURVES = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}


def _int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def _public_key(jwk: dict[str, Any]) -> Any:
    if jwk["kty"] == "RSA":
        return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
    if jwk["kty"] == "EC":
        return ec.EllipticCurvePublicNumbers(
            _int(jwk["x"]), _int(jwk["y"]), _CURVES[jwk["crv"]]
        ).public_key()
    return None  # "oct": a symmetric key


def _for_verification(jwk: dict[str, Any]) -> bool:
    return jwk.get("use", "sig") == "sig" and "verify" in jwk.get("key_ops", ["verify"])


def _header_alg(token: str) -> str | None:
    try:
        segment = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError:
        return None
    return header.get("alg") if isinstance(header, dict) else None


def _outcome(token: str, key: Any, algorithms: set[str]) -> str:
    try:
        jws_verify(token, key, algorithms=algorithms)
    except MalformedTokenError as exc:
        reason = exc.description
        if "is not accepted" in reason:
            reason = "alg not accepted"
        elif reason.startswith("the token is not three"):
            reason = "not three base64url segments"
        elif reason.startswith("the JWS header is not"):
            reason = "header not base64url JSON"
        return f"refused (malformed: {reason})"
    except SignatureError:
        return "refused (signature)"
    return "accepted"


def test_json_web_signature_vectors() -> None:
    data = load_wycheproof("json_web_signature_test.json")
    counts: Counter[str] = Counter()
    for group in data["testGroups"]:
        jwk = group.get("public") or group["private"]
        key = _public_key(jwk)
        algorithms = {jwk["alg"]} if "alg" in jwk else set(JWS_ALGORITHMS)
        for case in group["tests"]:
            label = f"tcId {case['tcId']} ({case['comment']})"
            token = case["jws"]
            if not _for_verification(jwk):
                assert case["result"] == "invalid", label
                counts["invalid, refused at key import (use/key_ops)"] += 1
                continue
            outcome = _outcome(token, key or p256_key().public_key(), algorithms)
            if case["result"] == "invalid":
                assert outcome != "accepted", label
                if "JsonSerialization" in case["flags"]:
                    outcome = f"JSON serialisation (not applicable), {outcome}"
                counts[f"invalid, {outcome}"] += 1
                continue
            assert case["result"] == "valid", label
            header_alg = _header_alg(token)
            if header_alg in JWS_ALGORITHMS and algorithms <= JWS_ALGORITHMS:
                assert outcome == "accepted", label
                counts["passed"] += 1
            else:
                assert outcome.startswith("refused"), label
                counts[f"not applicable ({header_alg} outside the profile), {outcome}"] += 1
    assert sum(counts.values()) == TOTAL == data["numberOfTests"]
    assert dict(counts) == EXPECTED
