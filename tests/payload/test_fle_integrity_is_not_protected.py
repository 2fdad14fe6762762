"""The Mastercard scheme has no integrity protection, and says so; JWE fields have it.

A flipped ciphertext bit in the Mastercard scheme decrypts to other data or fails on padding
or UTF-8, and the only error ever raised is ``DecryptionError``. The same flip in a JWE field
is always refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xbsec.errors import DecryptionError, XBSecError
from xbsec.payload import FieldLevelConfig, JweFieldConfig, decrypt_fields, encrypt_fields

DOCUMENT = {"account": {"iban": "DE89370400440532013000", "holder": "Ada Lovelace", "limit": 5000}}
RULES: dict[str, Any] = {"to_encrypt": {"account": "enc"}, "to_decrypt": {"enc": "account"}}


def test_the_configurations_say_which_is_integrity_protected() -> None:
    assert FieldLevelConfig.integrity_protected is False
    assert JweFieldConfig.integrity_protected is True
    assert "No integrity protection" in (FieldLevelConfig.__doc__ or "")


@pytest.fixture(scope="module")
def mastercard(certificate: x509.Certificate, rsa_key_2048: rsa.RSAPrivateKey) -> FieldLevelConfig:
    return FieldLevelConfig(encryption_key=certificate, decryption_keys=rsa_key_2048, **RULES)


@pytest.fixture(scope="module")
def mastercard_node(mastercard: FieldLevelConfig) -> dict[str, str]:
    return encrypt_fields(DOCUMENT, mastercard).document["enc"]


def _outcome(call: Callable[[], Any]) -> Any:
    """What ``call`` returns, or the xbsec error it raises."""
    try:
        return call()
    except XBSecError as error:
        return error


def _flip(hex_text: str, bit: int) -> str:
    raw = bytearray(bytes.fromhex(hex_text))
    raw[bit // 8 % len(raw)] ^= 1 << (bit % 8)
    return raw.hex()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["encryptedValue", "iv"]), bit=st.integers(min_value=0))
def test_a_flipped_bit_decrypts_to_garbage_or_fails_opaquely(
    mastercard: FieldLevelConfig, mastercard_node: dict[str, str], field: str, bit: int
) -> None:
    node = dict(mastercard_node)
    node[field] = _flip(node[field], bit)
    outcome = _outcome(lambda: decrypt_fields({"enc": node}, mastercard))
    if isinstance(outcome, XBSecError):
        assert type(outcome) is DecryptionError
        assert str(outcome) == "decryption failed"
    else:
        # Accepted without complaint: exactly what "no integrity" means.
        assert outcome != DOCUMENT


def test_an_iv_flip_changes_the_plaintext_silently(
    mastercard: FieldLevelConfig, mastercard_node: dict[str, str]
) -> None:
    # Flipping bit 0 of IV byte k flips bit 0 of plaintext byte k: '{"iban"' -> '{"hban"'.
    node = dict(mastercard_node)
    node["iv"] = _flip(node["iv"], 8 * 2)
    changed = {
        "hban" if name == "iban" else name: value for name, value in DOCUMENT["account"].items()
    }
    assert decrypt_fields({"enc": node}, mastercard) == {"account": changed}


def test_a_flipped_wrapped_key_fails_opaquely(
    mastercard: FieldLevelConfig, mastercard_node: dict[str, str]
) -> None:
    node = dict(mastercard_node)
    node["encryptedKey"] = _flip(node["encryptedKey"], 100)
    with pytest.raises(DecryptionError, match=r"^decryption failed$"):
        decrypt_fields({"enc": node}, mastercard)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), replacement=st.sampled_from("AQgw"))
def test_the_same_change_to_a_jwe_field_is_always_refused(
    certificate: x509.Certificate,
    rsa_key_2048: rsa.RSAPrivateKey,
    position: int,
    replacement: str,
) -> None:
    config = JweFieldConfig(encryption_key=certificate, decryption_keys=rsa_key_2048, **RULES)
    token = encrypt_fields(DOCUMENT, config).document["enc"]["encryptedValue"]
    segments = token.split(".")
    ciphertext = segments[3]
    index = position % len(ciphertext)
    if ciphertext[index] == replacement:
        replacement = "B"
    segments[3] = ciphertext[:index] + replacement + ciphertext[index + 1 :]
    with pytest.raises(DecryptionError):
        decrypt_fields({"enc": {"encryptedValue": ".".join(segments)}}, config)
