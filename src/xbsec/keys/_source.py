"""Where key material comes from: a path to read, or bytes already in memory.

The one place in ``xbsec.keys`` that reads files. Every failure becomes a ``KeyFileError``
that names the file, so a user sees "keys/signing.p12: no such file", never a traceback.
"""

from __future__ import annotations

import os
from typing import TypeAlias

from xbsec.errors import ConfigurationError, KeyFileError

__all__ = [
    "BYTES_SOURCE", "MAX_FILE_BYTES", "Source", "password_bytes", "read_source", "source_name",
]

Source: TypeAlias = "str | os.PathLike[str] | bytes"
"""A path (``str`` or ``os.PathLike``) to read, or the file's content as ``bytes``."""

BYTES_SOURCE = "<bytes>"
"""How error messages name key material given as bytes."""

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Larger files are refused unread: no key, certificate or keystore comes near this."""


def source_name(source: Source) -> str:
    """How error messages name ``source``: its path, or ``<bytes>``."""
    if isinstance(source, str | os.PathLike):
        return str(os.fspath(source))
    return BYTES_SOURCE


def read_source(source: object) -> tuple[bytes, str]:
    """The bytes of ``source`` and the name errors give it."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = BYTES_SOURCE
    elif isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        if not isinstance(name, str):
            raise ConfigurationError("key file paths must be str, not bytes paths")
        if "-----BEGIN " in name:
            raise KeyFileError(
                "this is PEM text, not a path; pass the content as bytes (text.encode())",
                source="<str>",
            )
        data = _read_file(name)
    else:
        raise ConfigurationError(
            f"key material must be a path or bytes, not {type(source).__name__}"
        )
    if not data:
        raise KeyFileError("is empty", source=name)
    return data, name


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise KeyFileError("no such file", source=path) from None
    except IsADirectoryError:
        raise KeyFileError("is a directory, not a file", source=path) from None
    except PermissionError:
        raise KeyFileError("permission denied", source=path) from None
    except OSError as exc:
        raise KeyFileError(f"cannot be read ({exc.strerror or exc})", source=path) from None
    except ValueError:
        raise KeyFileError("is not a valid path (it holds a NUL character)", source=path) from None
    if len(data) > MAX_FILE_BYTES:
        raise KeyFileError(
            f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not a key or certificate",
            source=path,
        )
    return data


def password_bytes(password: str | bytes | None) -> bytes | None:
    """The password as bytes: ``str`` is encoded UTF-8."""
    if password is None or isinstance(password, bytes):
        return password
    if isinstance(password, str):
        return password.encode("utf-8")
    raise ConfigurationError(f"a password must be str or bytes, not {type(password).__name__}")
