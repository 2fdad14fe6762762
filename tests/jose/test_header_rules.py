"""The protected-header rules, each shown on a token that is otherwise correctly encrypted."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import DecryptionError
from xbsec.jose import jwe_decrypt, jwe_decrypt_with_header, jwe_header
from xbsec.policy import SecurityPolicy

from .forge import forge

GOOD = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "k", "cty": "application/json"}


def _refused(token: str, key: rsa.RSAPrivateKey, policy: SecurityPolicy | None = None) -> None:
    with pytest.raises(DecryptionError, match=r"^decryption failed$"):
        jwe_decrypt(token, key, policy=policy)
    with pytest.raises(DecryptionError, match=r"^decryption failed$"):
        jwe_header(token, policy=policy)


def test_the_forged_control_token_decrypts(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    assert jwe_decrypt(forge(GOOD, rsa_key_2048.public_key()), rsa_key_2048) == b'{"ok":true}'


@pytest.mark.parametrize(
    "raw",
    [
        b'{"alg":"RSA-OAEP-256","enc":"A256GCM","alg":"RSA-OAEP-256"}',
        b'{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"a","kid":"b"}',
        b'{"alg":"RSA-OAEP-256","enc":"A256GCM","x":{"y":1,"y":2}}',
    ],
    ids=["alg-twice", "kid-twice", "nested-twice"],
)
def test_repeated_member_names_are_refused(rsa_key_2048: rsa.RSAPrivateKey, raw: bytes) -> None:
    _refused(forge(raw, rsa_key_2048.public_key()), rsa_key_2048)


@pytest.mark.parametrize(
    "raw",
    [
        b'["alg","RSA-OAEP-256"]',
        b'"RSA-OAEP-256"',
        b"null",
        b"",
        b"{",
        b'{"alg":"RSA-OAEP-256","enc":"A256GCM"} trailing',
        b'{"alg":"RSA-OAEP-256","enc":"A256GCM","n":NaN}',
        b'{"alg":"RSA-OAEP-256","enc":"A256GCM","n":Infinity}',
        b'{"alg":"RSA-OAEP-256","enc":"A256GCM","k":"\xff"}',
        b"[" * 3000 + b"]" * 3000,
    ],
    ids=[
        "array",
        "string",
        "null",
        "empty",
        "truncated",
        "trailing",
        "nan",
        "infinity",
        "not-utf8",
        "deep",
    ],
)
def test_a_header_that_is_not_one_json_object_is_refused(
    rsa_key_2048: rsa.RSAPrivateKey, raw: bytes
) -> None:
    policy = SecurityPolicy(jwe_max_header_bytes=8192)
    _refused(forge(raw, rsa_key_2048.public_key()), rsa_key_2048, policy)


@pytest.mark.parametrize(
    "changes",
    [
        {"alg": None},
        {"alg": ["RSA-OAEP-256"]},
        {"enc": 256},
        {"kid": 7},
        {"kid": None},
        {"kid": {"id": "k"}},
        {"cty": ["application/json"]},
        {"cty": None},
    ],
    ids=[
        "alg-null",
        "alg-list",
        "enc-number",
        "kid-number",
        "kid-null",
        "kid-object",
        "cty-list",
        "cty-null",
    ],
)
def test_alg_enc_kid_and_cty_must_be_strings(
    rsa_key_2048: rsa.RSAPrivateKey, changes: dict[str, Any]
) -> None:
    _refused(forge({**GOOD, **changes}, rsa_key_2048.public_key()), rsa_key_2048)


@pytest.mark.parametrize("missing", ["alg", "enc"])
def test_alg_and_enc_are_required(rsa_key_2048: rsa.RSAPrivateKey, missing: str) -> None:
    header = {name: value for name, value in GOOD.items() if name != missing}
    _refused(forge(header, rsa_key_2048.public_key()), rsa_key_2048)


def test_kid_and_cty_are_optional(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    token = forge({"alg": "RSA-OAEP-256", "enc": "A256GCM"}, rsa_key_2048.public_key())
    plaintext, header = jwe_decrypt_with_header(token, rsa_key_2048)
    assert plaintext == b'{"ok":true}'
    assert (header.kid, header.cty) == (None, None)


@pytest.mark.parametrize(
    "extra",
    [{"zip": "DEF"}, {"zip": None}, {"crit": ["b64"]}, {"crit": []}, {"crit": None}],
    ids=["zip", "zip-null", "crit", "crit-empty", "crit-null"],
)
def test_zip_and_any_crit_are_refused(
    rsa_key_2048: rsa.RSAPrivateKey, extra: dict[str, Any]
) -> None:
    _refused(forge({**GOOD, **extra}, rsa_key_2048.public_key()), rsa_key_2048)


def test_unknown_members_are_allowed_and_read_only(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    extra = {"typ": "JWE", "x5c": ["abc"], "jwk": {"kty": "RSA", "n": "x"}, "iat": 1}
    token = forge({**GOOD, **extra}, rsa_key_2048.public_key())
    plaintext, header = jwe_decrypt_with_header(token, rsa_key_2048)
    assert plaintext == b'{"ok":true}'
    assert header.members["x5c"] == ("abc",)
    assert header.members["jwk"]["kty"] == "RSA"
    with pytest.raises(TypeError):
        header.members["jwk"]["kty"] = "EC"  # type: ignore[index]
    with pytest.raises(TypeError):
        header.members["typ"] = "JWT"  # type: ignore[index]


@pytest.mark.parametrize("alg", ["RSA1_5", "dir", "none", "A256KW", "ECDH-ES", "RSA-OAEP-384"])
def test_key_algorithms_we_do_not_implement_are_refused_by_every_policy(
    rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy, alg: str
) -> None:
    token = forge({**GOOD, "alg": alg}, rsa_key_2048.public_key())
    _refused(token, rsa_key_2048, compatible)


def test_rsa_oaep_sha1_follows_the_policy(
    rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy
) -> None:
    sha1 = hashes.SHA1()  # noqa: S303 - RSA-OAEP is defined on SHA-1
    token = forge({**GOOD, "alg": "RSA-OAEP"}, rsa_key_2048.public_key(), wrap_hash=sha1)
    assert jwe_decrypt(token, rsa_key_2048, policy=compatible) == b'{"ok":true}'
    _refused(token, rsa_key_2048)


def test_an_enc_the_policy_leaves_out_is_refused(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    token = forge({**GOOD, "enc": "A128GCM"}, rsa_key_2048.public_key(), gcm_key_size=16)
    assert jwe_decrypt(token, rsa_key_2048) == b'{"ok":true}'
    only_256 = SecurityPolicy(jwe_encryptions=frozenset({"A256GCM"}))
    _refused(token, rsa_key_2048, only_256)


def test_an_unknown_enc_is_refused(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    policy = SecurityPolicy(jwe_encryptions=frozenset({"A256GCM", "A512GCM"}))
    _refused(forge({**GOOD, "enc": "A512GCM"}, rsa_key_2048.public_key()), rsa_key_2048, policy)


def test_jwe_header_reads_without_a_key_and_matches_the_authenticated_header(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    token = forge({**GOOD, "kid": "rotating-2"}, rsa_key_2048.public_key())
    unverified = jwe_header(token)
    assert (unverified.alg, unverified.enc, unverified.kid, unverified.cty) == (
        "RSA-OAEP-256",
        "A256GCM",
        "rotating-2",
        "application/json",
    )
    assert jwe_decrypt_with_header(token, rsa_key_2048)[1] == unverified
    assert jwe_header(token.encode("ascii")) == unverified


def test_a_header_is_a_value_equal_headers_hash_alike(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    first = jwe_header(forge(GOOD, rsa_key_2048.public_key()))
    second = jwe_header(forge(dict(reversed(GOOD.items())), rsa_key_2048.public_key()))
    assert first == second
    assert hash(first) == hash(second)
    assert first != jwe_header(forge({**GOOD, "typ": "JWE"}, rsa_key_2048.public_key()))
