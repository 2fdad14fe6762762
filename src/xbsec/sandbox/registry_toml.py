"""Write a registry file (``server/registry.toml``) from its parsed form, whole and at once.

The standard library reads TOML but does not write it. A registry holds only what this
module writes: an array of ``[[consumers]]`` tables whose values are strings, booleans,
integers, lists of strings and lists of inline tables of strings (the key entries). Reading
it back with ``tomllib`` gives the same data (``tests/sandbox/test_key_portal.py``).

The file is written to a temporary file beside it and renamed into place, so that a running
sandbox (``WatchedRegistry``) never reads half of it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from xbsec.errors import ConfigurationError

__all__ = ["dumps_registry", "write_registry"]

_HEADER = "# xbsec sandbox registry: written by `xbsec sandbox init` and `xbsec sandbox keys`.\n"


def _value(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v, f'{where}.{k}')}"
                                for k, v in value.items()) + " }"
    if isinstance(value, Sequence):
        items = [_value(item, f"{where}[]") for item in value]
        if any(isinstance(item, Mapping) for item in value):
            return "[\n" + "".join(f"    {item},\n" for item in items) + "]"
        return "[" + ", ".join(items) + "]"
    raise ConfigurationError(f"registry entry {where}: cannot be written as TOML "
                             f"({type(value).__name__})")


def _key(name: str) -> str:
    return name if name.replace("_", "a").replace("-", "a").isalnum() else json.dumps(name)


def dumps_registry(consumers: Sequence[Mapping[str, Any]]) -> str:
    """The text of a registry file holding ``consumers``."""
    parts = [_HEADER]
    for consumer in consumers:
        parts.append("\n[[consumers]]\n")
        parts.extend(f"{_key(name)} = {_value(value, name)}\n"
                     for name, value in consumer.items())
    return "".join(parts)


def write_registry(path: Path, consumers: Sequence[Mapping[str, Any]]) -> None:
    """Replace the registry file at ``path`` whole (write beside it, then rename)."""
    text = dumps_registry(consumers)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".registry-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        try:  # keep the file's mode: an operator who made it 0600 (a password in it) wants it
            mode = os.stat(path).st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigurationError(f"{path}: cannot be written: {exc.strerror or exc}") from None
