"""TLS for the client: the system's trust (or a CA file), plus a client certificate for mTLS.

PSD2 edges require mutual TLS (SPEC §1 item 1); a profile names the client certificate as a
PKCS#12 file (``[profiles.NAME.mtls]``). The standard library's ``SSLContext`` loads a
certificate chain and key only from files, so they are written to a fresh private folder
(mode 0700, files 0600), loaded, and deleted at once. The key is written encrypted under a
one-time random password that never leaves this process, so it is never on disk in clear.
Every HTTP integration builds its context here.
"""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from xbsec.errors import ConfigurationError

if TYPE_CHECKING:
    from xbsec.profile import MtlsConfig

__all__ = ["client_ssl_context"]


def client_ssl_context(mtls: MtlsConfig | None = None, *,
                       cafile: str | os.PathLike[str] | None = None) -> ssl.SSLContext:
    """A verifying TLS client context, with the client certificate of ``mtls`` if given.

    ``cafile`` replaces the system's trust store (a private or test CA, in PEM).
    """
    try:
        context = ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"{os.fspath(cafile or '')}: not a readable CA file in PEM "
                                 f"({exc.__class__.__name__})") from None
    if mtls is not None:
        _load_client_certificate(context, mtls)
    return context


def _load_client_certificate(context: ssl.SSLContext, mtls: MtlsConfig) -> None:
    from cryptography.hazmat.primitives import serialization

    from xbsec.keys._decode import keystore
    from xbsec.keys._source import password_bytes, read_source

    data, name = read_source(mtls.p12)
    secret = password_bytes(mtls.password)
    store = keystore(data, name, secret)
    key, certificate = store.key_entry(None, secret)
    if certificate is None:
        raise ConfigurationError(f"{name}: mutual TLS needs the certificate of the key, and "
                                 "the keystore has none")
    chain = [certificate, *(c for _, c in store.certificates if c != certificate)]
    one_time = secrets.token_urlsafe(32).encode()
    key_pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(one_time))
    chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    folder = Path(tempfile.mkdtemp(prefix="xbsec-tls-"))  # mkdtemp: mode 0700, ours alone
    try:
        key_file, chain_file = folder / "key.pem", folder / "chain.pem"
        _write_private(key_file, key_pem)
        _write_private(chain_file, chain_pem)
        context.load_cert_chain(chain_file, key_file, password=one_time)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"{name}: the client certificate cannot be used for TLS: "
                                 f"{exc.__class__.__name__}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
