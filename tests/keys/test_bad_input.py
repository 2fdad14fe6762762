"""Every bad file gets its own clear error naming the file; none is a traceback."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.conftest import peer_path
from xbsec.errors import ConfigurationError, KeyFileError, KeyMismatchError, KeyPasswordError
from xbsec.keys import load_certificate, load_key_and_certificate, load_private_key, make_csr
from xbsec.keys._source import MAX_FILE_BYTES


@pytest.fixture(scope="module")
def keystore(rsa_key_2048: Any, cert_2048: Any) -> bytes:
    from xbsec.keys import pkcs12_bytes

    return pkcs12_bytes(rsa_key_2048, cert_2048)


def _error_for(source: Any, **kwargs: Any) -> str:
    with pytest.raises(KeyFileError) as caught:
        load_private_key(source, **kwargs)
    return str(caught.value)


def test_missing_file_says_no_such_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.p12"
    assert _error_for(path) == f"{path}: no such file"


def test_directory_says_it_is_a_directory(tmp_path: Path) -> None:
    assert _error_for(tmp_path) == f"{tmp_path}: is a directory, not a file"


def test_empty_file_says_it_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.pem"
    path.write_bytes(b"")
    assert _error_for(path) == f"{path}: is empty"


@pytest.mark.parametrize(("error", "expected"), [
    (PermissionError(13, "Permission denied"), "permission denied"),
    (OSError(5, "Input/output error"), "cannot be read (Input/output error)"),
])
def test_os_errors_are_named_for_the_file(
    monkeypatch: pytest.MonkeyPatch, error: OSError, expected: str
) -> None:
    # Root reads every file, so the operating system's refusals are injected here.
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise error

    monkeypatch.setattr("builtins.open", refuse)
    assert _error_for("/keys/signing.p12") == f"/keys/signing.p12: {expected}"


def test_huge_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.bin"
    path.write_bytes(b"\0" * (MAX_FILE_BYTES + 1))
    assert "is larger than 4 MiB" in _error_for(path)


def test_path_with_nul_is_a_file_error() -> None:
    assert "NUL" in _error_for("bad\0path.pem")


def test_pem_text_passed_as_a_path_is_explained(rsa_key_2048: Any) -> None:
    pem = rsa_key_2048.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
    assert "this is PEM text, not a path" in _error_for(pem.decode())


def test_source_of_another_type_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="must be a path or bytes, not int"):
        load_private_key(42)  # type: ignore[arg-type]


def test_bytes_paths_are_refused() -> None:
    class BytesPath:
        def __fspath__(self) -> bytes:
            return b"/tmp/key.pem"

    with pytest.raises(ConfigurationError, match="must be str"):
        load_private_key(BytesPath())  # type: ignore[arg-type]


def test_corrupt_keystore_says_damaged(keystore: bytes) -> None:
    corrupt = keystore[:40] + bytes(b ^ 0x5A for b in keystore[40:80]) + keystore[80:]
    message = _error_for(corrupt, password="keystorepassword")
    assert message == "<bytes>: is not a readable PKCS#12 keystore (damaged or truncated)"


def test_truncated_keystore_says_damaged(keystore: bytes, tmp_path: Path) -> None:
    path = tmp_path / "cut.p12"
    path.write_bytes(keystore[: len(keystore) // 2])
    message = _error_for(path, password="keystorepassword")
    assert message == f"{path}: is not a readable PKCS#12 keystore (damaged or truncated)"


def test_altered_keystore_with_the_right_password_says_damaged(keystore: bytes) -> None:
    altered = bytearray(keystore)
    altered[-5] ^= 0x01  # inside the MAC value: the keys still decrypt
    message = _error_for(bytes(altered), password="keystorepassword")
    assert "damaged: the password opens its key, but its integrity check fails" in message


def test_garbage_is_not_a_format_we_read() -> None:
    assert "is not a key, certificate or PKCS#12 keystore" in _error_for(os.urandom(64) + b"x")


def test_json_file_is_not_a_format_we_read() -> None:
    message = _error_for(peer_path("keys.json"))
    assert message.endswith("is not a key, certificate or PKCS#12 keystore in a format xbsec "
                            "reads (PEM, DER, PKCS#12)")


def test_pem_certificate_where_a_key_belongs_says_so() -> None:
    path = peer_path("mc_test_certificate-2048.pem")
    assert _error_for(path) == f"{path}: contains a certificate, not a private key"


def test_der_certificate_where_a_key_belongs_says_so(cert_2048: Any) -> None:
    message = _error_for(cert_2048.public_bytes(s.Encoding.DER))
    assert message == "<bytes>: contains a certificate, not a private key"


def test_public_key_where_a_private_key_belongs_says_so(rsa_key_2048: Any) -> None:
    for encoding in (s.Encoding.PEM, s.Encoding.DER):
        spki = rsa_key_2048.public_key().public_bytes(
            encoding, s.PublicFormat.SubjectPublicKeyInfo
        )
        assert _error_for(spki).endswith("contains a public key, not a private key")


def test_csr_where_a_private_key_belongs_says_so(rsa_key_2048: Any) -> None:
    csr = make_csr(rsa_key_2048, common_name="renewal")
    for encoding in (s.Encoding.PEM, s.Encoding.DER):
        message = _error_for(csr.public_bytes(encoding))
        assert message.endswith("contains a certificate signing request, not a private key")


def test_private_key_where_a_certificate_belongs_says_so() -> None:
    path = peer_path("mc_test_key_pkcs8-2048.pem")
    with pytest.raises(KeyFileError, match="contains a private key, not a certificate"):
        load_certificate(path)


def test_der_private_key_where_a_certificate_belongs_says_so(rsa_key_2048: Any) -> None:
    der = rsa_key_2048.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption())
    with pytest.raises(KeyFileError, match="contains a private key, not a certificate"):
        load_certificate(der)
    encrypted = rsa_key_2048.private_bytes(
        s.Encoding.DER, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"pw")
    )
    with pytest.raises(KeyFileError, match="contains a private key, not a certificate"):
        load_certificate(encrypted)


def test_unknown_pem_block_is_named() -> None:
    pem = b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"
    assert "holds a PEM 'OPENSSH PRIVATE KEY' block, not a private key" in _error_for(pem)


def test_pem_without_a_complete_block_says_so() -> None:
    assert "has no complete BEGIN/END block" in _error_for(b"-----BEGIN PRIVATE KEY-----\nAB")


def test_damaged_pem_key_says_damaged() -> None:
    pem = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    assert "the private key is damaged" in _error_for(pem)


def test_damaged_der_key_says_damaged(rsa_key_2048: Any) -> None:
    der = bytearray(
        rsa_key_2048.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption())
    )
    der[30:40] = b"\xff" * 10
    assert "the private key is damaged" in _error_for(bytes(der))


def test_two_private_keys_in_one_pem_is_refused(rsa_key_2048: Any, ec_key: Any) -> None:
    pem = b"".join(
        k.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption())
        for k in (rsa_key_2048, ec_key)
    )
    assert "contains 2 private keys; expected one" in _error_for(pem)


def test_ed25519_key_is_refused_naming_its_type() -> None:
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()
    )
    assert _error_for(pem) == "<bytes>: holds a Ed25519 key; xbsec uses RSA or EC keys"


def test_damaged_pem_certificate_says_invalid() -> None:
    pem = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    with pytest.raises(KeyFileError, match=r"is not a valid X\.509 certificate"):
        load_certificate(pem)


def test_pem_key_with_a_foreign_certificate_is_a_mismatch(
    rsa_key_2048: Any, other_cert_2048: Any
) -> None:
    pem = rsa_key_2048.private_bytes(
        s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()
    ) + other_cert_2048.public_bytes(s.Encoding.PEM)
    with pytest.raises(KeyMismatchError, match="none of the 1 certificates in the file"):
        load_key_and_certificate(pem)


def test_wrong_password_is_a_password_error_not_a_file_error(keystore: bytes) -> None:
    with pytest.raises(KeyPasswordError):
        load_private_key(keystore, password="Password1")



def test_a_certificate_field_that_fails_to_parse_late_is_caught_early() -> None:
    """cryptography parses names, dates and extensions lazily; xbsec reads them at load."""
    from xbsec.keys._supported import checked_certificate

    class Damaged:
        serial_number = 1

        @property
        def subject(self) -> object:
            raise ValueError("error parsing asn1 value: location issuer")

    with pytest.raises(KeyFileError, match=r"cert.der: is not a valid X.509 certificate"):
        checked_certificate(Damaged(), "cert.der")  # type: ignore[arg-type]
