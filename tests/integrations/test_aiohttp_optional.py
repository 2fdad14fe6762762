"""aiohttp and urllib3 stay optional: only their own integration modules import them."""

from __future__ import annotations

import subprocess
import sys

import pytest


def loaded_after(statement: str) -> set[str]:
    code = (f"import sys; {statement}; "
            "print(' '.join(m for m in ('aiohttp', 'urllib3', 'yarl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def test_the_package_and_its_client_side_import_no_http_library() -> None:
    assert loaded_after("import xbsec, xbsec.client, xbsec.integrations, xbsec.profile, "
                        "xbsec.client.tls") == set()


@pytest.mark.parametrize(("module", "library"), [("aiohttp", "aiohttp"),
                                                 ("openapi", "urllib3")])
def test_each_integration_imports_its_own_library(module: str, library: str) -> None:
    assert library in loaded_after(f"import xbsec.integrations.{module}")
