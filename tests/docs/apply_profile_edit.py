"""Apply a runbook's profile edit: ``python apply_profile_edit.py PROFILE < EDIT``.

The edit is TOML, with ``${NAME}`` replaced from the environment; its tables are merged
into the profile's (entries replaced, others kept), and the profile is written back whole,
renamed into place as a deployment tool would. Test tooling: the product reads profiles,
it does not write them.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any


def _substitute(text: str) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: os.environ[m.group(1)], text)


def _merge(into: dict[str, Any], edit: dict[str, Any]) -> None:
    for key, value in edit.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_value(v)}" for k, v in value.items()) + " }"
    return "[\n" + "".join(f"    {_value(item)},\n" for item in value) + "]"


def _tables(table: dict[str, Any], prefix: str) -> str:
    plain = {k: v for k, v in table.items() if not isinstance(v, dict)}
    nested = {k: v for k, v in table.items() if isinstance(v, dict)}
    text = f"\n[{prefix}]\n" if prefix and plain else ""
    text += "".join(f"{key} = {_value(value)}\n" for key, value in plain.items())
    for key, value in nested.items():
        text += _tables(value, f"{prefix}.{key}" if prefix else key)
    return text


def main(profile: str) -> None:
    path = Path(profile)
    data = tomllib.loads(path.read_text())
    _merge(data, tomllib.loads(_substitute(sys.stdin.read())))
    temporary = path.with_name(f".{path.name}.edit")
    temporary.write_text(_tables(data, ""))
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


if __name__ == "__main__":
    main(sys.argv[1])
