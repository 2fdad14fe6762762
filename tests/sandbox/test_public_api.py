"""The sandbox's public face, pinned; its names load on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import xbsec.sandbox


def test_exported_names() -> None:
    assert xbsec.sandbox.__all__ == ["Refusal", "SandboxApp", "create_sandbox_app",
                                     "render_business_errors"]
    for name in xbsec.sandbox.__all__:
        assert getattr(xbsec.sandbox, name).__name__ == name
        assert name in dir(xbsec.sandbox)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nope"):
        _ = xbsec.sandbox.nope  # type: ignore[attr-defined]


def test_the_project_module_does_not_load_the_application() -> None:
    code = ("import sys, xbsec.sandbox.project; "
            "assert 'xbsec.sandbox.app' not in sys.modules and 'anyio' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
