"""Who may push: a client certificate that chains to Mastercard's client CA (SPEC §9).

Mastercard connects to the partner's webhook over mutual TLS with a certificate issued by
the "Mastercard Entrust Client CA", which the partner trusts. The TLS server (uvicorn with
``ssl_cert_reqs=CERT_REQUIRED``, nginx with ``ssl_verify_client on``) refuses any other
connection; ``ClientCertificateTrust`` checks the certificate again where the push is
handled, so that a receiver is safe even behind a terminator that was set up to ask for a
certificate without requiring it, and so that a certificate can be pinned:

- ``ca``: the CA certificate(s) a client certificate must chain to (PEM or DER file,
  bytes, or ``x509.Certificate`` objects; an intermediate may be given as the anchor).
  The chain is checked as browsers check a server's (RFC 5280 path validation with the
  Web PKI's rules, ``cryptography.x509.verification``): signatures, validity dates, CA
  constraints, and the ``clientAuth`` extended key usage;
- ``subject`` (optional): the certificate's subject Distinguished Name, RFC 4514
  (``openssl x509 -noout -subject -nameopt RFC2253``), compared exactly;
- ``sha256`` (optional): SHA-256 thumbprints of the DER certificate, hex, colons allowed
  (two during a certificate renewal).

A certificate that passed is remembered (the last ``_REMEMBERED``, by its exact bytes) until
it expires, so that a sender's every delivery does not pay for the path validation again.

A refusal is a ``PushNotificationError``: 403 ``CLIENT_CERTIFICATE_REQUIRED`` (none was
presented) or 403 ``CLIENT_CERTIFICATE_UNTRUSTED`` (it does not chain, has expired, is not
for client authentication, or is not the pinned one).
"""

from __future__ import annotations

import os
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Final, TypeAlias

from cryptography import x509

from xbsec.errors import ConfigurationError, PushNotificationError

__all__ = ["CertificateInput", "ClientCertificateTrust", "read_client_certificate"]

CertificateInput: TypeAlias = x509.Certificate | bytes | str
"""A client certificate as a framework hands it over: a certificate object, PEM or DER
bytes, or PEM text (URL-escaped PEM too, as nginx's ``$ssl_client_escaped_cert``)."""
CASource: TypeAlias = str | os.PathLike[str] | bytes | x509.Certificate | Sequence[x509.Certificate]

_THUMBPRINT: Final = re.compile(r"[0-9a-f]{64}")
_REMEMBERED: Final = 64


def _untrusted(message: str) -> PushNotificationError:
    return PushNotificationError(403, "CLIENT_CERTIFICATE_UNTRUSTED", message)


def read_client_certificate(value: CertificateInput) -> x509.Certificate:
    """``value`` as a certificate; 403 ``CLIENT_CERTIFICATE_UNTRUSTED`` if it is not one."""
    if isinstance(value, x509.Certificate):
        return value
    data = value.encode("latin-1", "replace") if isinstance(value, str) else bytes(value)
    if data.startswith(b"-----BEGIN%20") or b"%0A" in data[:80]:
        data = urllib.parse.unquote_to_bytes(data)
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data.strip())
        return x509.load_der_x509_certificate(data)
    except ValueError:
        raise _untrusted("the client certificate cannot be read") from None


def _load_authorities(ca: CASource) -> list[x509.Certificate]:
    if isinstance(ca, x509.Certificate):
        return [ca]
    if isinstance(ca, Sequence) and not isinstance(ca, str | bytes):
        found = list(ca)
        if not found or not all(isinstance(c, x509.Certificate) for c in found):
            raise ConfigurationError("the client CA must be x509.Certificate objects")
        return found
    if isinstance(ca, bytes):
        data, source = ca, "the client CA"
    else:
        source = os.fspath(ca)
        try:
            with open(source, "rb") as stream:
                data = stream.read()
        except OSError as exc:
            raise ConfigurationError(f"{source}: cannot read the client CA: "
                                     f"{exc.strerror or exc}") from None
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        raise ConfigurationError(f"{source}: not a certificate (PEM or DER)") from None


class ClientCertificateTrust:
    """The client certificates a receiver accepts (see the module's text)."""

    __slots__ = ("_clock", "_passed", "_sha256", "_store", "_subject", "authorities")

    def __init__(self, ca: CASource, *, subject: str | None = None,
                 sha256: str | Iterable[str] = (),
                 clock: Callable[[], float] = time.time) -> None:
        from cryptography.x509.verification import Store

        self.authorities: tuple[x509.Certificate, ...] = tuple(_load_authorities(ca))
        pins = [sha256] if isinstance(sha256, str) else list(sha256)
        self._sha256 = frozenset(p.replace(":", "").strip().lower() for p in pins)
        if any(not _THUMBPRINT.fullmatch(p) for p in self._sha256):
            raise ConfigurationError("a pinned client certificate thumbprint must be 64 hex "
                                     "digits (SHA-256 of the DER certificate)")
        if subject is not None and not (isinstance(subject, str) and subject.strip()):
            raise ConfigurationError("a pinned client certificate subject must be a non-empty "
                                     "RFC 4514 string")
        self._subject = subject
        self._clock = clock
        self._store = Store(list(self.authorities))
        self._passed: dict[object, x509.Certificate] = {}

    def check(self, certificate: CertificateInput | None) -> x509.Certificate:
        """The presented certificate if it is trusted; ``PushNotificationError`` 403 if not."""
        if certificate is None or certificate in (b"", ""):
            raise PushNotificationError(403, "CLIENT_CERTIFICATE_REQUIRED", "no client "
                                        "certificate was presented (mutual TLS is required)")
        now = self._clock()
        remembered = self._passed.get(certificate)
        if remembered is not None and remembered.not_valid_after_utc.timestamp() >= now:
            return remembered
        leaf = self._verified(certificate, now)
        if len(self._passed) >= _REMEMBERED:
            self._passed.clear()
        self._passed[certificate] = leaf
        return leaf

    def _verified(self, certificate: CertificateInput, now: float) -> x509.Certificate:
        from cryptography.x509.verification import (
            Criticality,
            ExtensionPolicy,
            PolicyBuilder,
            VerificationError,
        )

        leaf = read_client_certificate(certificate)
        # A client certificate needs no subjectAltName (Web PKI asks one of servers only).
        leaf_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
            x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
        verifier = (PolicyBuilder().store(self._store)
                    .time(datetime.fromtimestamp(now, UTC))
                    .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(),
                                        ee_policy=leaf_policy)
                    .build_client_verifier())
        try:
            verifier.verify(leaf, [])
        except VerificationError:
            raise _untrusted("the client certificate does not chain to the trusted client CA, "
                             "has expired, or is not for client authentication") from None
        if self._sha256:
            from xbsec.keys.fingerprints import cert_sha256_hex

            if cert_sha256_hex(leaf) not in self._sha256:
                raise _untrusted("the client certificate is not the pinned one (SHA-256)")
        if self._subject is not None and leaf.subject.rfc4514_string() != self._subject:
            raise _untrusted("the client certificate is not the pinned one (subject)")
        return leaf

    def __repr__(self) -> str:
        names = ", ".join(c.subject.rfc4514_string() for c in self.authorities)
        return f"ClientCertificateTrust(ca=[{names}])"
