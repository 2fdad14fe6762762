"""Choosing the decryption key by kid among several (key rotation), SPEC §3.4/§3.5."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xbsec.errors import ConfigurationError, DecryptionError, KeyMaterialError
from xbsec.jose import JweKeyring, jwe_decrypt, jwe_encrypt
from xbsec.jose.keyring import resolve
from xbsec.keys.fingerprints import cert_sha256_hex, spki_sha256_hex
from xbsec.policy import SecurityPolicy

from .forge import forge

LENIENT = SecurityPolicy(jwe_require_known_kid=False)


def test_the_key_named_by_the_spki_kid_is_chosen_among_several(
    rsa_key_2048: rsa.RSAPrivateKey,
    other_rsa_key_2048: rsa.RSAPrivateKey,
    third_rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    keys = [rsa_key_2048, other_rsa_key_2048, third_rsa_key_2048]
    for key in keys:
        token = jwe_encrypt(b"for " + spki_sha256_hex(key).encode(), key.public_key())
        assert jwe_decrypt(token, keys) == b"for " + spki_sha256_hex(key).encode()


def test_kid_comparison_ignores_case(
    rsa_key_2048: rsa.RSAPrivateKey, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    kid = spki_sha256_hex(other_rsa_key_2048).upper()
    token = jwe_encrypt(b"x", other_rsa_key_2048.public_key(), kid=kid)
    assert jwe_decrypt(token, [rsa_key_2048, other_rsa_key_2048]) == b"x"


def test_a_mapping_names_keys_by_any_kid_such_as_the_certificate_fingerprint(
    rsa_key_2048: rsa.RSAPrivateKey,
    other_rsa_key_2048: rsa.RSAPrivateKey,
    certificate: x509.Certificate,
) -> None:
    cert_kid = cert_sha256_hex(certificate)
    keys = {cert_kid.upper(): rsa_key_2048, "previous": other_rsa_key_2048}
    by_cert = jwe_encrypt(b"cert", certificate, kid=cert_kid)
    by_spki = jwe_encrypt(b"spki", certificate)
    by_name = jwe_encrypt(b"name", other_rsa_key_2048.public_key(), kid="PREVIOUS")
    assert jwe_decrypt(by_cert, keys) == b"cert"
    assert jwe_decrypt(by_spki, keys) == b"spki"
    assert jwe_decrypt(by_name, keys) == b"name"


@pytest.mark.parametrize("kid", ["unknown", None])
def test_an_unknown_or_missing_kid_is_refused_among_several_keys_by_default(
    rsa_key_2048: rsa.RSAPrivateKey, other_rsa_key_2048: rsa.RSAPrivateKey, kid: str | None
) -> None:
    keys = [other_rsa_key_2048, rsa_key_2048]
    if kid is None:
        token = forge({"alg": "RSA-OAEP-256", "enc": "A256GCM"}, rsa_key_2048.public_key(), b"x")
    else:
        token = jwe_encrypt(b"x", rsa_key_2048.public_key(), kid=kid)
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, keys)
    assert jwe_decrypt(token, keys, policy=LENIENT) == b"x"  # every key is tried, in order


def test_a_kid_naming_the_wrong_key_is_not_rescued_by_trying_the_others(
    rsa_key_2048: rsa.RSAPrivateKey, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    # Encrypted to rsa_key_2048 but labelled with the other key's kid: only that key is used.
    token = jwe_encrypt(b"x", rsa_key_2048.public_key(), kid=spki_sha256_hex(other_rsa_key_2048))
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, [other_rsa_key_2048, rsa_key_2048], policy=LENIENT)


def test_with_one_key_the_kid_is_not_consulted(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    # SPEC §3.5: a client must accept whatever kid Mastercard puts on a response.
    token = jwe_encrypt(b"x", rsa_key_2048.public_key(), kid="whatever-mastercard-sends")
    assert jwe_decrypt(token, rsa_key_2048) == b"x"
    assert jwe_decrypt(token, [rsa_key_2048]) == b"x"
    assert jwe_decrypt(token, {"other-name": rsa_key_2048}) == b"x"


def test_a_keyring_built_once_serves_many_tokens(
    rsa_key_2048: rsa.RSAPrivateKey, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    ring = JweKeyring({"a": rsa_key_2048, "b": other_rsa_key_2048})
    assert len(ring) == 2
    assert ring.keys == (rsa_key_2048, other_rsa_key_2048)
    assert ring.find("A") is rsa_key_2048
    assert ring.find(spki_sha256_hex(other_rsa_key_2048)) is other_rsa_key_2048
    assert ring.find("c") is None
    assert resolve(ring) is ring
    for name, key in (("a", rsa_key_2048), ("b", other_rsa_key_2048)):
        assert jwe_decrypt(jwe_encrypt(name.encode(), key.public_key(), kid=name), ring) == (
            name.encode()
        )


def test_a_one_key_keyring_still_finds_by_kid(rsa_key_2048: rsa.RSAPrivateKey) -> None:
    ring = JweKeyring(rsa_key_2048)
    assert ring.find(spki_sha256_hex(rsa_key_2048).upper()) is rsa_key_2048
    assert ring.find("other") is None
    assert ring.candidates("other", require_known_kid=True) == (rsa_key_2048,)


def test_two_keys_answering_to_one_kid_are_a_configuration_error(
    rsa_key_2048: rsa.RSAPrivateKey, other_rsa_key_2048: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(ConfigurationError, match="kid"):
        JweKeyring({"same": rsa_key_2048, "SAME": other_rsa_key_2048})
    with pytest.raises(ConfigurationError, match="kid"):
        JweKeyring({spki_sha256_hex(rsa_key_2048): other_rsa_key_2048, "x": rsa_key_2048})
    # The same key twice is harmless.
    assert len(JweKeyring([rsa_key_2048, rsa_key_2048])) == 2


def test_unusable_keys_are_configuration_errors_whatever_the_token(
    rsa_key_2048: rsa.RSAPrivateKey,
) -> None:
    # A key too small to use, made only to show that it is refused.
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    ec_key = ec.generate_private_key(ec.SECP256R1())
    token = jwe_encrypt(b"x", rsa_key_2048.public_key())
    for keys in (ec_key, [rsa_key_2048, ec_key], small, rsa_key_2048.public_key(), "key"):
        with pytest.raises(KeyMaterialError):
            jwe_decrypt(token, keys)  # type: ignore[arg-type]
        with pytest.raises(KeyMaterialError):
            jwe_decrypt("not even a token", keys)  # type: ignore[arg-type]
    for keys in ([], {}, {1: rsa_key_2048}):
        with pytest.raises(ConfigurationError):
            jwe_decrypt(token, keys)  # type: ignore[arg-type]
