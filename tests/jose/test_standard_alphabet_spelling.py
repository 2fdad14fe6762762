"""``jwe_accept_standard_base64``: '+' and '/' read, and still one spelling per token.

The switch exists for Mastercard's Node library, which writes '/' for 63 (and '-' for 62).
What the strict base64url decoder refuses stays refused: padding, white space, spare bits
set in a segment's last character; and a token may not spell one character both ways.
"""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from xbsec.errors import DecryptionError
from xbsec.jose import jwe_decrypt, jwe_encrypt, jwe_header
from xbsec.jose.header import header_segment
from xbsec.policy import SecurityPolicy

COMPATIBLE = SecurityPolicy.mastercard_compatible()
STANDARD = str.maketrans("-_", "+/")
PLAINTEXT = bytes(range(256)) * 8  # every byte value: every base64 character occurs


def _kid(with_url_characters: bool) -> str:
    """A kid whose header segment holds '-' or '_' (or neither)."""
    for n in range(10_000):
        kid = f"k{n}" + "?" * (n % 4)  # '?' is 0x3F: its low six bits are 63
        segment = header_segment("RSA-OAEP-256", "A256GCM", kid, None).decode()
        if ("_" in segment) is with_url_characters and "-" not in segment:
            return kid  # '-' kept out of the header: 62 stays a dash below
    raise AssertionError("no such kid")


def _token(certificate: x509.Certificate, kid: str) -> str:
    for _ in range(50):
        token = jwe_encrypt(PLAINTEXT, certificate, kid=kid, cty=None)
        parts = token.split(".")
        if "_" in parts[1] and "_" in parts[3] and parts[3].count("-") >= 2:
            return token
    raise AssertionError("no token with both characters")


@pytest.fixture(scope="module")
def plain_header_token(certificate: x509.Certificate) -> str:
    return _token(certificate, _kid(with_url_characters=False))


def test_a_token_written_with_slashes_decrypts_only_when_the_switch_is_on(
        plain_header_token: str, rsa_key_2048: rsa.RSAPrivateKey) -> None:
    node_style = plain_header_token.replace("_", "/")
    standard = plain_header_token.translate(STANDARD)
    for spelled in (node_style, standard):
        assert jwe_decrypt(spelled, rsa_key_2048, policy=COMPATIBLE) == PLAINTEXT
        assert jwe_header(spelled, policy=COMPATIBLE).kid == jwe_header(plain_header_token).kid
        with pytest.raises(DecryptionError):
            jwe_decrypt(spelled, rsa_key_2048)
        with pytest.raises(DecryptionError):
            jwe_decrypt(spelled, rsa_key_2048, policy=COMPATIBLE.replace(
                jwe_accept_standard_base64=False))


def test_one_character_spelled_two_ways_in_one_token_is_refused(
        plain_header_token: str, rsa_key_2048: rsa.RSAPrivateKey) -> None:
    header, _, rest = plain_header_token.partition(".")
    mixed_63 = header + "." + rest.replace("_", "/", 1)  # the key's first '_' only
    mixed_62 = header + "." + rest.replace("-", "+", 1)
    across_segments = header + "." + ".".join(
        part.replace("_", "/") if index == 0 else part
        for index, part in enumerate(rest.split(".")))
    for token in (mixed_63, mixed_62, across_segments):
        assert ("_" in token and "/" in token) or ("-" in token and "+" in token)
        with pytest.raises(DecryptionError):
            jwe_decrypt(token, rsa_key_2048, policy=COMPATIBLE)


def test_the_header_is_authenticated_as_it_was_written(certificate: x509.Certificate,
                                                       rsa_key_2048: rsa.RSAPrivateKey) -> None:
    """Respelling a header segment that holds '_' changes the AAD: the tag then fails."""
    token = _token(certificate, _kid(with_url_characters=True))
    header = token.partition(".")[0]
    assert "_" in header
    with pytest.raises(DecryptionError):
        jwe_decrypt(token.replace("_", "/"), rsa_key_2048, policy=COMPATIBLE)
    assert jwe_decrypt(token, rsa_key_2048, policy=COMPATIBLE) == PLAINTEXT


@pytest.mark.parametrize("spoil", [
    lambda parts: [*parts[:4], parts[4] + "="],          # padding
    lambda parts: [*parts[:4], parts[4] + "=="],
    lambda parts: [*parts[:3], parts[3][:10] + "\n" + parts[3][10:], parts[4]],  # white space
    lambda parts: [*parts[:3], parts[3] + " ", parts[4]],
    lambda parts: [parts[0], parts[1] + "/", *parts[2:]],  # a length no encoding has
])
def test_what_strict_base64url_refuses_stays_refused(plain_header_token: str,
                                                     rsa_key_2048: rsa.RSAPrivateKey,
                                                     spoil: object) -> None:
    parts = plain_header_token.replace("_", "/").split(".")
    token = ".".join(spoil(parts))  # type: ignore[operator]
    with pytest.raises(DecryptionError):
        jwe_decrypt(token, rsa_key_2048, policy=COMPATIBLE)


def test_spare_bits_must_be_zero_in_the_standard_spelling_too(
        plain_header_token: str, rsa_key_2048: rsa.RSAPrivateKey) -> None:
    """A 16-byte tag is 22 characters: the last one carries 4 spare bits."""
    parts = plain_header_token.replace("_", "/").split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/"
    last = alphabet.index(parts[4][-1])
    assert last & 0x0F == 0
    for spare in range(1, 16):
        respelled = ".".join([*parts[:4], parts[4][:-1] + alphabet[last | spare]])
        with pytest.raises(DecryptionError):
            jwe_decrypt(respelled, rsa_key_2048, policy=COMPATIBLE)
