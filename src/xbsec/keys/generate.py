"""Make new key material and write it out: RSA keys, self-signed certificates, PKCS#12
keystores laid out as Mastercard delivers them, CSRs for key renewal (SPEC §7.1), and a
small certificate authority that issues certificates for CSRs (as Mastercard's portal does
when a key is renewed) and for TLS.

The ``write_*`` functions are the only ones here that touch the file system. They write to a
temporary file beside the target and rename it into place, so a reader never sees half a
keystore; private material is created with mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from xbsec.errors import ConfigurationError, KeyFileError
from xbsec.keys.check import check_key_matches_certificate
from xbsec.keys.types import PrivateKey, PublicKey

__all__ = [
    "DEFAULT_ALIAS",
    "DEFAULT_PASSWORD",
    "RSA_KEY_SIZES",
    "certificate_authority",
    "certificate_pem",
    "csr_pem",
    "generate_rsa_key",
    "issue_certificate",
    "load_csr",
    "make_csr",
    "pkcs12_bytes",
    "private_key_pem",
    "self_signed_certificate",
    "write_certificate_pem",
    "write_pkcs12",
]

DEFAULT_ALIAS = "keyalias"
"""The alias of a Mastercard sandbox keystore (SPEC §2.2)."""
DEFAULT_PASSWORD = "keystorepassword"  # noqa: S105 -- Mastercard's published sandbox default
"""The password of a Mastercard sandbox keystore (SPEC §2.2)."""
RSA_KEY_SIZES = (2048, 3072, 4096)
"""RSA sizes offered: 2048 is what Mastercard issues (SPEC §2.2); smaller is too weak."""

_PKCS12_KDF_ROUNDS = 100_000


def generate_rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    """A new RSA private key of ``bits`` (2048, 3072 or 4096) with public exponent 65537."""
    if bits not in RSA_KEY_SIZES:
        raise ConfigurationError(
            f"RSA key size must be one of {', '.join(map(str, RSA_KEY_SIZES))}, not {bits}"
        )
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def self_signed_certificate(
    key: PrivateKey, *, common_name: str = "xbsec", days: int = 365,
    now: datetime | None = None,
) -> x509.Certificate:
    """A self-signed SHA-256 end-entity certificate for ``key``, valid from ``now``.

    Basic constraints CA=false, key usage digitalSignature, and for RSA keyEncipherment
    (receiving RSA-OAEP-wrapped content keys), subject key identifier.
    """
    name = _name(common_name)
    return _certificate(name, name, key.public_key(), key, days=days, now=now, ca=False,
                        key_encipherment=isinstance(key, rsa.RSAPrivateKey))


def make_csr(
    key: PrivateKey, *, common_name: str, organization: str | None = None,
    country: str | None = None,
) -> x509.CertificateSigningRequest:
    """A SHA-256 certificate signing request for ``key``, to renew a key with Mastercard."""
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(_name(common_name, organization=organization, country=country))
        .sign(key, hashes.SHA256())
    )


def load_csr(data: bytes, *, source: str = "<bytes>",
             min_rsa_bits: int = 2048) -> x509.CertificateSigningRequest:
    """A CSR (PEM or DER) whose signature verifies and whose key is RSA of ``min_rsa_bits``
    or more; ``KeyFileError`` naming ``source`` and what is wrong otherwise."""
    try:
        csr = (x509.load_pem_x509_csr(data) if data.lstrip().startswith(b"-----BEGIN")
               else x509.load_der_x509_csr(data))
    except ValueError:
        raise KeyFileError("is not a certificate signing request (PEM or DER)",
                           source=source) from None
    try:
        verified = csr.is_signature_valid
    except Exception:  # an algorithm cryptography cannot check is no better
        verified = False
    if not verified:
        raise KeyFileError("the request's signature does not verify: it was changed after "
                           "it was signed, or not signed by its own key", source=source)
    key = csr.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeyFileError(f"the request's key is {type(key).__name__}; Mastercard's keys are "
                           "RSA", source=source)
    if key.key_size < min_rsa_bits:
        raise KeyFileError(f"the request's key is RSA-{key.key_size}; it must have "
                           f"{min_rsa_bits} bits or more", source=source)
    return csr


def certificate_authority(common_name: str, *, days: int = 3650,
                          now: datetime | None = None) -> tuple[rsa.RSAPrivateKey,
                                                                 x509.Certificate]:
    """A new RSA-2048 key and self-signed CA certificate (``CA:TRUE``, ``keyCertSign``)."""
    key = generate_rsa_key()
    name = _name(common_name)
    cert = _certificate(name, name, key.public_key(), key, days=days, now=now, ca=True)
    return key, cert


def issue_certificate(
    public_key: rsa.RSAPublicKey, subject: x509.Name, *, issuer_key: PrivateKey,
    issuer_certificate: x509.Certificate, days: int = 365, now: datetime | None = None,
    server_names: tuple[str, ...] = (), client_auth: bool = False,
) -> x509.Certificate:
    """An end-entity certificate for ``public_key``, signed by the issuer.

    ``server_names`` (DNS names or IP addresses) make it a TLS server certificate;
    ``client_auth`` a TLS client certificate; neither, a signing and key-encipherment one.
    """
    import ipaddress

    extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_certificate.public_key()), False)]  # type: ignore[arg-type]
    usages = []
    if server_names:
        names: list[x509.GeneralName] = []
        for name in server_names:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                names.append(x509.DNSName(name))
        extensions.append((x509.SubjectAlternativeName(names), False))
        usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
    if client_auth:
        usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
    if usages:
        extensions.append((x509.ExtendedKeyUsage(usages), False))
    return _certificate(subject, issuer_certificate.subject, public_key, issuer_key, days=days,
                        now=now, ca=False, key_encipherment=True, extensions=extensions)


def _certificate(subject: x509.Name, issuer: x509.Name, public_key: PublicKey,
                 signing_key: PrivateKey, *, days: int, now: datetime | None, ca: bool,
                 key_encipherment: bool = False,
                 extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
                 ) -> x509.Certificate:
    """A SHA-256 certificate valid from ``now`` for ``days``: a CA (``keyCertSign``,
    ``cRLSign``) or an end entity (``digitalSignature``, and ``keyEncipherment`` for keys
    that receive RSA-OAEP-wrapped content keys), with its subject key identifier."""
    if days < 1:
        raise ConfigurationError(f"days must be at least 1, not {days}")
    start = _now(now).replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                       critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca, content_commitment=False,
                key_encipherment=key_encipherment, data_encipherment=False,
                key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key),
                       critical=False)
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def csr_pem(csr: x509.CertificateSigningRequest) -> bytes:
    """The CSR as PEM (``-----BEGIN CERTIFICATE REQUEST-----``), to paste into the portal."""
    return csr.public_bytes(serialization.Encoding.PEM)


def certificate_pem(cert: x509.Certificate) -> bytes:
    """The certificate as PEM."""
    return cert.public_bytes(serialization.Encoding.PEM)


def private_key_pem(key: PrivateKey, *, password: str | None = None) -> bytes:
    """The key as PKCS#8 PEM; encrypted (``ENCRYPTED PRIVATE KEY``) when a password is given."""
    encryption: serialization.KeySerializationEncryption = serialization.NoEncryption()
    if password is not None:
        if not password:
            raise ConfigurationError("the password must not be empty")
        encryption = serialization.BestAvailableEncryption(password.encode("utf-8"))
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def pkcs12_bytes(
    key: PrivateKey, cert: x509.Certificate, *, alias: str = DEFAULT_ALIAS,
    password: str = DEFAULT_PASSWORD,
) -> bytes:
    """A PKCS#12 keystore holding one key entry ``alias`` (key + certificate).

    Encrypted with PBES2 (AES-256-CBC, PBKDF2-SHA256) and a SHA-256 MAC, which OpenSSL 1.1.1+,
    Java 8u301+ and Mastercard's client libraries read.
    """
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not alias:
        raise ConfigurationError("the alias must not be empty")
    if not password:
        raise ConfigurationError("the password must not be empty")
    check_key_matches_certificate(key, cert)
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(_PKCS12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode("utf-8"))
    )
    return pkcs12.serialize_key_and_certificates(
        alias.encode("utf-8"), key, cert, None, encryption
    )


def write_pkcs12(
    path: str | os.PathLike[str], key: PrivateKey, cert: x509.Certificate, *,
    alias: str = DEFAULT_ALIAS, password: str = DEFAULT_PASSWORD,
) -> None:
    """Write :func:`pkcs12_bytes` to ``path`` atomically, mode 0600."""
    _write_atomically(path, pkcs12_bytes(key, cert, alias=alias, password=password), 0o600)


def write_private_key_pem(
    path: str | os.PathLike[str], key: PrivateKey, *, password: str | None = None
) -> None:
    """Write :func:`private_key_pem` to ``path`` atomically, mode 0600."""
    _write_atomically(path, private_key_pem(key, password=password), 0o600)


def write_certificate_pem(path: str | os.PathLike[str], cert: x509.Certificate) -> None:
    """Write the certificate as PEM to ``path`` atomically, mode 0644 (it is public)."""
    _write_atomically(path, certificate_pem(cert), 0o644)


def write_csr_pem(path: str | os.PathLike[str], csr: x509.CertificateSigningRequest) -> None:
    """Write the CSR as PEM to ``path`` atomically, mode 0644 (it is public)."""
    _write_atomically(path, csr_pem(csr), 0o644)


def _write_atomically(path: str | os.PathLike[str], data: bytes, mode: int) -> None:
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    try:
        # mkstemp creates the file 0600, so private material is never readable by others.
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".xbsec-", suffix=".tmp")
    except OSError as exc:
        raise KeyFileError(f"cannot be written ({exc.strerror or exc})", source=target) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise KeyFileError(f"cannot be written ({exc.strerror or exc})", source=target) from None


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ConfigurationError("now must be a timezone-aware datetime")
    return now.astimezone(UTC)


def _name(
    common_name: str, *, organization: str | None = None, country: str | None = None
) -> x509.Name:
    attributes = [(NameOID.COMMON_NAME, "common_name", common_name)]
    if organization is not None:
        attributes.append((NameOID.ORGANIZATION_NAME, "organization", organization))
    if country is not None:
        attributes.append((NameOID.COUNTRY_NAME, "country", country))
    parts = []
    for oid, field, value in attributes:
        try:
            parts.append(x509.NameAttribute(oid, value))
        except (ValueError, TypeError) as exc:
            # cryptography explains the rule broken (length, country code); no secret in it.
            raise ConfigurationError(f"{field}: {exc}") from None
    return x509.Name(parts)

