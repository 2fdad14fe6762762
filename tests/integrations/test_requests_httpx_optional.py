"""requests and httpx stay optional: each is imported by its own integration module only."""

from __future__ import annotations

import subprocess
import sys

import pytest

LIBRARIES = ("requests", "httpx", "httpcore")


def loaded_after(statement: str) -> set[str]:
    code = (f"import sys; {statement}; "
            f"print(' '.join(m for m in {LIBRARIES!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def test_the_package_imports_neither() -> None:
    assert loaded_after("import xbsec, xbsec.client, xbsec.client.exchange, "
                        "xbsec.integrations, xbsec.profile, xbsec.client.tls") == set()


@pytest.mark.parametrize(("module", "expected"), [("requests", {"requests"}),
                                                  ("httpx", {"httpx"})])
def test_each_integration_imports_its_own_library(module: str, expected: set[str]) -> None:
    assert loaded_after(f"import xbsec.integrations.{module}") == expected
