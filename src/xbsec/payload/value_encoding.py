"""How the Mastercard field-level scheme writes bytes into JSON: hex or base64 (SPEC §4.2).

Writing: lower-case hex, or standard base64 with padding, as Mastercard's libraries write.
Reading is strict (``bytes.fromhex`` skips spaces and ``b64decode`` skips junk unless told
not to): hex of either case with an even number of digits, or canonical padded base64.
Anything else reads as ``None``, which the caller turns into its own error.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal, TypeAlias

from xbsec.errors import ConfigurationError

__all__ = ["DataEncoding", "data_encoding", "decode_value", "encode_value"]

DataEncoding: TypeAlias = Literal["hex", "base64"]
"""``dataEncoding`` of a Mastercard configuration, lower-case."""


def data_encoding(name: object) -> DataEncoding:
    """``"hex"`` or ``"base64"`` from a configuration value (any case)."""
    if isinstance(name, str):
        lowered = name.lower()
        if lowered == "hex":
            return "hex"
        if lowered == "base64":
            return "base64"
    raise ConfigurationError(f"dataEncoding must be 'hex' or 'base64', not {name!r}")


def encode_value(data: bytes, encoding: DataEncoding) -> str:
    if encoding == "hex":
        return data.hex()
    return base64.b64encode(data).decode("ascii")


def decode_value(text: str, encoding: DataEncoding) -> bytes | None:
    """The bytes ``text`` encodes, or ``None`` when it is not strictly that encoding."""
    try:
        if encoding == "hex":
            # unhexlify, unlike bytes.fromhex, refuses spaces: exactly the digits, in pairs.
            return binascii.unhexlify(text)
        raw = text.encode("ascii")
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):  # UnicodeEncodeError is a ValueError
        return None
    # Canonical only: the unused bits of the last character must be zero.
    return decoded if base64.b64encode(decoded) == raw else None
