"""The generated TypedDicts make mypy refuse a misspelled member (and accept correct code)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CASES = Path(__file__).with_name("typing_cases")
ROOT = Path(__file__).resolve().parents[2]


def _mypy(case: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(CASES / case)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300)


@pytest.mark.slow
def test_a_misspelled_member_is_refused() -> None:
    result = _mypy("misspelled_member.py")
    assert result.returncode != 0
    assert '"bank_cod"' in result.stdout
    assert "QuoteRequest" in result.stdout


@pytest.mark.slow
def test_correct_members_pass() -> None:
    result = _mypy("correct_members.py")
    assert result.returncode == 0, result.stdout + result.stderr
