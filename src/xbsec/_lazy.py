"""Package faces whose names load on first use (PEP 562), so imports stay cheap.

``import xbsec`` must not pay for X.509, HTTP libraries or Redis; each face maps its public
names to the module defining them, and the first access imports that module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_face"]


def lazy_face(package: str, where: Mapping[str, str], exported: list[str],
              namespace: MutableMapping[str, Any],
              ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for the package ``package``.

    ``where`` maps a name to its module: absolute (``xbsec.policy``) or relative to the
    package (``gateway``). A loaded name is stored in ``namespace`` (the package's globals),
    so each is imported once.
    """

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        target = module if module.startswith("xbsec.") else f"{package}.{module}"
        value = getattr(importlib.import_module(target), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(exported) | set(namespace))

    return __getattr__, __dir__
