"""Whatever is encrypted decrypts to the same bytes, for every enc, IV length and header."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings

from xbsec.jose import CONTENT_ENCRYPTIONS, jwe_decrypt, jwe_decrypt_with_header, jwe_encrypt
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.policy import SecurityPolicy

from .forge import b64d
from .strategies import content_types, encryptions, iv_lengths, kids, plaintexts

_FIXTURES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


@_FIXTURES
@given(plaintext=plaintexts)
def test_arbitrary_bytes_round_trip_with_the_defaults(
    rsa_key_2048: rsa.RSAPrivateKey, plaintext: bytes
) -> None:
    token = jwe_encrypt(plaintext, rsa_key_2048.public_key())
    assert jwe_decrypt(token, rsa_key_2048) == plaintext


@_FIXTURES
@given(plaintext=plaintexts, enc=encryptions, iv_length=iv_lengths)
def test_every_enc_and_iv_length_round_trips_under_the_compatible_policy(
    rsa_key_2048: rsa.RSAPrivateKey,
    compatible: SecurityPolicy,
    plaintext: bytes,
    enc: str,
    iv_length: int,
) -> None:
    token = jwe_encrypt(plaintext, rsa_key_2048.public_key(), enc=enc, iv_length=iv_length)
    assert jwe_decrypt(token, rsa_key_2048, policy=compatible) == plaintext


@_FIXTURES
@given(plaintext=plaintexts, kid=kids, cty=content_types)
def test_kid_and_cty_come_back_as_given(
    rsa_key_2048: rsa.RSAPrivateKey, plaintext: bytes, kid: str | None, cty: str | None
) -> None:
    token = jwe_encrypt(plaintext, rsa_key_2048.public_key(), kid=kid, cty=cty)
    out, header = jwe_decrypt_with_header(token, rsa_key_2048)
    assert out == plaintext
    assert header.kid == (spki_sha256_hex(rsa_key_2048) if kid is None else kid)
    assert header.cty == cty
    assert ("cty" in header.members) is (cty is not None)


@pytest.mark.parametrize("enc", sorted(CONTENT_ENCRYPTIONS))
def test_each_enc_uses_its_key_iv_and_tag_sizes(rsa_key_2048: rsa.RSAPrivateKey, enc: str) -> None:
    token = jwe_encrypt(b"x" * 100, rsa_key_2048.public_key(), enc=enc)
    header, encrypted_key, iv, ciphertext, tag = (b64d(s) for s in token.split("."))
    assert json.loads(header)["enc"] == enc
    assert len(encrypted_key) == 256
    gcm = enc.endswith("GCM")
    assert len(iv) == (12 if gcm else 16)
    assert len(tag) == (16 if gcm else CONTENT_ENCRYPTIONS[enc].key_size // 2)
    assert len(ciphertext) == (100 if gcm else 112)  # CBC pads to whole blocks
    assert jwe_decrypt(token, rsa_key_2048) == b"x" * 100


def test_the_strict_policy_accepts_every_enc_with_a_12_byte_iv(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    for enc in CONTENT_ENCRYPTIONS:
        token = jwe_encrypt(b"payload", rsa_key_2048.public_key(), enc=enc)
        assert jwe_decrypt(token, rsa_key_2048) == b"payload"


def test_rsa_oaep_with_sha1_round_trips_only_where_the_policy_allows_it(
    rsa_key_2048: rsa.RSAPrivateKey, compatible: SecurityPolicy
) -> None:
    from xbsec.errors import DecryptionError

    token = jwe_encrypt(b"payload", rsa_key_2048.public_key(), alg="RSA-OAEP")
    assert jwe_decrypt(token, rsa_key_2048, policy=compatible) == b"payload"
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, rsa_key_2048)


def test_bytes_like_plaintexts_and_a_bytes_token_are_accepted(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    for plaintext in (bytearray(b"abc"), memoryview(b"abc")):
        token = jwe_encrypt(plaintext, rsa_key_2048.public_key())
        assert jwe_decrypt(token.encode("ascii"), rsa_key_2048) == b"abc"


def test_a_certificate_and_its_public_key_give_the_same_kid(
    rsa_key_2048: rsa.RSAPrivateKey, certificate: object
) -> None:
    from cryptography import x509

    assert isinstance(certificate, x509.Certificate)
    by_cert = jwe_decrypt_with_header(jwe_encrypt(b"a", certificate), rsa_key_2048)[1]
    by_key = jwe_decrypt_with_header(jwe_encrypt(b"a", rsa_key_2048.public_key()), rsa_key_2048)[1]
    assert by_cert.kid == by_key.kid == spki_sha256_hex(certificate)
