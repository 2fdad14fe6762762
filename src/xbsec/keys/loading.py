"""Load private keys, certificates and public keys from any format Mastercard hands out.

Every loader takes a path (``str`` or ``os.PathLike``) or the content as ``bytes`` and finds
the format itself (SPEC §7.1): PKCS#12 (``.p12``/``.pfx``), PEM (PKCS#1 ``RSA PRIVATE KEY``,
PKCS#8 ``PRIVATE KEY``, encrypted PKCS#8, SEC 1 ``EC PRIVATE KEY``, traditional OpenSSL
encryption, certificates, public keys), and DER of each of those.

Every problem is a ``KeyMaterialError`` naming the file (or ``<bytes>``) and what is wrong:
``KeyFileError`` (missing, unreadable, damaged, or holding the wrong kind of thing),
``KeyPasswordError`` (password missing or wrong), ``KeyAliasError`` (alias not in the keystore;
lists the aliases present), ``KeyMismatchError`` (a key and a certificate in one file that do
not belong together). Passwords never appear in a message.

Passwords: ``str`` is encoded as UTF-8. A password given for material that is not encrypted
is ignored, because Mastercard's tooling always passes one (SPEC §2.2). An alias given for a
PEM or DER file is ignored for the same reason; for a PKCS#12 keystore it must name an entry.

PKCS#12 keystores: ``alias`` is matched case-insensitively against the friendly names, as
Java's ``KeyStore`` does. Without an alias the keystore must hold exactly one private key.
``cryptography`` itself returns only a keystore's first private key; further key entries are
found by their alias in the keystore's unencrypted bag attributes and decrypted one by one
(Java's ``keytool`` writes keystores with several key entries).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from xbsec.keys import _decode
from xbsec.keys._source import password_bytes, read_source
from xbsec.keys.types import PrivateKey, PublicKey

if TYPE_CHECKING:
    from cryptography import x509

__all__ = [
    "load_certificate",
    "load_key_and_certificate",
    "load_keystore_aliases",
    "load_private_key",
    "load_public_key",
]

_Source = str | os.PathLike[str] | bytes
_Password = str | bytes | None


def load_private_key(
    source: _Source, *, password: _Password = None, alias: str | None = None
) -> PrivateKey:
    """Load an RSA or EC private key from a PKCS#12 keystore, PEM or DER.

    Certificates stored beside the key are not read (see ``load_key_and_certificate``).
    """
    data, name = read_source(source)
    secret = password_bytes(password)
    return _decode.key_and_certificate(data, name, secret, alias, with_certificate=False)[0]


def load_key_and_certificate(
    source: _Source, *, password: _Password = None, alias: str | None = None
) -> tuple[PrivateKey, x509.Certificate | None]:
    """Load a private key and, when the file holds one, its certificate.

    A PKCS#12 keystore gives the certificate of the chosen entry; a PEM file may hold the key
    followed by its certificate (as ``openssl pkcs12 -nodes`` writes it). The certificate is
    checked to belong to the key (``KeyMismatchError`` otherwise); ``None`` when there is none.
    """
    data, name = read_source(source)
    return _decode.key_and_certificate(data, name, password_bytes(password), alias)


def load_certificate(
    source: _Source, *, password: _Password = None, alias: str | None = None
) -> x509.Certificate:
    """Load an X.509 certificate from PEM, DER or a PKCS#12 keystore.

    From a keystore: the certificate under ``alias``, else the key entry's certificate, else
    the only one. From a PEM file holding several certificates (a chain): the first.
    """
    data, name = read_source(source)
    return _decode.certificate(data, name, password_bytes(password), alias)


def load_public_key(source: _Source) -> PublicKey:
    """Load a public key from a certificate or a SubjectPublicKeyInfo (PEM or DER).

    A private key is refused here: a slot for someone else's public key that receives a
    private key is a misconfiguration worth stopping at.
    """
    data, name = read_source(source)
    return _decode.public_key(data, name)


def load_keystore_aliases(source: _Source, *, password: _Password = None) -> tuple[str, ...]:
    """The aliases (friendly names) in a PKCS#12 keystore, in file order."""
    data, name = read_source(source)
    return _decode.keystore(data, name, password_bytes(password)).aliases
