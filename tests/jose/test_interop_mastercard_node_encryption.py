"""Both directions against Mastercard's Node library (npm mastercard-client-encryption).

Its JWE encoder turns ``+`` into ``-`` but never ``/`` into ``_`` (it replaces a backslash
instead) and drops the padding: every token it writes spells 62 the base64url way and 63
the standard way. Mastercard's gateway reads such tokens (its decoders take both
alphabets), so the Mastercard-compatible policy does; the strict policy does not. Its IVs
are 16 bytes, which the strict policy refuses on its own: the strict refusals below are
shown with 16-byte IVs allowed, so that only the alphabet is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.interop.node_oracle import node_jwe
from xbsec.errors import DecryptionError, PayloadError
from xbsec.jose import jwe_decrypt_with_header
from xbsec.keys.fingerprints import spki_sha256_hex
from xbsec.payload.encrypted_body import decrypt_payload, encrypt_payload
from xbsec.payload.envelope import unwrap
from xbsec.policy import SecurityPolicy

pytestmark = pytest.mark.interop

STRICT_16 = SecurityPolicy(jwe_gcm_iv_lengths=frozenset({12, 16}))

DOCUMENTS: list[Any] = [
    {"quoterequest": {"transaction_reference": f"09999990348101549{i:02d}",
                      "sender_account_uri": "tel:+25406005",
                      "payment_amount": {"amount": f"{i}.00", "currency": "USD"},
                      "note": "Zoë 東京 " * i}}
    for i in range(40)
] + [{"paymentrequest": {"blob": "x" * size}} for size in (0, 1, 2, 3, 1000, 70_000)]


@pytest.fixture(scope="module")
def node_config(tmp_path_factory: pytest.TempPathFactory, rsa_key_2048: rsa.RSAPrivateKey,
                certificate: x509.Certificate) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("node-jwe")
    (folder / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(rsa_key_2048.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return {"encryptionCertificate": str(folder / "cert.pem"),
            "privateKey": str(folder / "key.pem")}


@pytest.fixture(scope="module")
def their_bodies(node_config: dict[str, str]) -> list[bytes]:
    encrypted, _ = node_jwe(node_config, encrypt=DOCUMENTS)
    return [json.dumps(body, separators=(",", ":")).encode() for body in encrypted]


def _token(body: bytes) -> str:
    return str(json.loads(body)["encrypted_payload"]["data"])


def test_their_tokens_spell_63_as_a_slash_and_62_as_a_dash(their_bodies: list[bytes]) -> None:
    tokens = [_token(body) for body in their_bodies]
    assert len(tokens) == len(DOCUMENTS) == 46
    assert all("/" in token for token in tokens)
    assert not any("_" in token or "+" in token or "=" in token for token in tokens)
    assert all("-" in token for token in tokens)  # 256 key bytes: both 62 and 63 occur


def test_their_tokens_decrypt_under_the_compatible_policy(
        their_bodies: list[bytes], rsa_key_2048: rsa.RSAPrivateKey,
        certificate: x509.Certificate) -> None:
    compatible = SecurityPolicy.mastercard_compatible()
    assert compatible.jwe_accept_standard_base64
    for body, document in zip(their_bodies, DOCUMENTS, strict=True):
        assert json.loads(decrypt_payload(body, rsa_key_2048, policy=compatible)) == document
        _, header = jwe_decrypt_with_header(_token(body), rsa_key_2048, policy=compatible)
        assert header.kid == spki_sha256_hex(certificate)


def test_their_tokens_are_refused_under_the_strict_policy(
        their_bodies: list[bytes], rsa_key_2048: rsa.RSAPrivateKey) -> None:
    assert not SecurityPolicy().jwe_accept_standard_base64
    for body in their_bodies:
        with pytest.raises(PayloadError):  # the envelope's JWE alphabet already says no
            unwrap(body, policy=STRICT_16)
        with pytest.raises(DecryptionError):
            jwe_decrypt_with_header(_token(body), rsa_key_2048, policy=STRICT_16)


@pytest.mark.parametrize("enc", ["A128GCM", "A192GCM", "A256GCM", "A128CBC-HS256"])
@pytest.mark.parametrize("iv_length", [12, 16])
def test_our_tokens_decrypt_in_theirs(node_config: dict[str, str],
                                      certificate: x509.Certificate, enc: str,
                                      iv_length: int) -> None:
    documents = DOCUMENTS[:5] + DOCUMENTS[-3:]
    bodies = [json.loads(encrypt_payload(json.dumps(d).encode(), certificate,
                                         enc=enc, iv_length=iv_length))
              for d in documents]
    _, decrypted = node_jwe(node_config, decrypt=bodies)
    assert decrypted == documents


def test_a_tampered_token_of_theirs_is_refused(their_bodies: list[bytes],
                                                rsa_key_2048: rsa.RSAPrivateKey) -> None:
    compatible = SecurityPolicy.mastercard_compatible()
    token = _token(their_bodies[3])
    parts = token.split(".")
    flipped = "A" if parts[4][0] != "A" else "B"
    with pytest.raises(DecryptionError):
        jwe_decrypt_with_header(".".join([*parts[:4], flipped + parts[4][1:]]), rsa_key_2048,
                                policy=compatible)


def test_their_decryption_reads_the_envelope_the_sandbox_writes(
        node_config: dict[str, str], certificate: x509.Certificate, tmp_path: Path) -> None:
    """The XML-free, compact JSON envelope of SPEC §3.5, as xbsec writes it."""
    body = encrypt_payload(b'{"quote":{"id":"1"}}', certificate)
    assert body.startswith(b'{"encrypted_payload":{"data":"')
    _, decrypted = node_jwe(node_config, decrypt=[json.loads(body)])
    assert decrypted == [{"quote": {"id": "1"}}]
