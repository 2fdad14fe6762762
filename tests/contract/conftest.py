"""Shared helpers of the contract tests: the reference app's request bodies live in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED

REFAPP = SHARED / "xbs-contract" / "examples" / "refapp"


def refapp_dir() -> Path:
    """../shared/xbs-contract/examples/refapp."""
    if not REFAPP.is_dir():
        pytest.fail(f"the reference app's bodies are not at {REFAPP}", pytrace=False)
    return REFAPP
