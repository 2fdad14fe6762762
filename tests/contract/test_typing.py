"""The generated TypedDicts make mypy refuse a misspelled member (and accept correct code)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.typecheck import mypy_strict

CASES = Path(__file__).with_name("typing_cases")


def _mypy(case: str) -> subprocess.CompletedProcess[str]:
    return mypy_strict(CASES / case)


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
