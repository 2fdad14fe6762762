"""Shared helpers of the contract tests: the reference app's request bodies live in ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED

REFAPP = SHARED / "xbs-contract" / "examples" / "refapp"


def refapp_dir() -> Path:
    """../shared/xbs-contract/examples/refapp (skips, loudly, when absent)."""
    if not REFAPP.is_dir():
        pytest.skip(f"reference app bodies not found at {REFAPP} (expected ../shared beside "
                    "the project)")
    return REFAPP
