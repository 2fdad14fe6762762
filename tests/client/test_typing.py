"""XBSClient's methods are typed by the contract's documents: mypy --strict refuses a
misspelled member in what a method takes or in what it returns, sync and async alike."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.typecheck import mypy_strict

CASES = Path(__file__).with_name("typing_cases")


def _mypy(case: str) -> subprocess.CompletedProcess[str]:
    return mypy_strict(CASES / case)


@pytest.mark.slow
def test_misspelled_members_are_refused() -> None:
    result = _mypy("misspelled_client_calls.py")
    assert result.returncode != 0
    for misspelled in ('"quote_typ"', '"statuss"', '"accountID"', '"proposal_id"'):
        assert misspelled in result.stdout, (misspelled, result.stdout)
    member_errors = [line for line in result.stdout.splitlines()
                     if "Extra key" in line or "is not a valid TypedDict key" in line]
    assert len(member_errors) == 4, result.stdout


@pytest.mark.slow
def test_correct_calls_pass() -> None:
    result = _mypy("correct_client_calls.py")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_a_forgotten_await_is_refused() -> None:
    result = _mypy("forgotten_await.py")
    assert result.returncode != 0
    assert 'forgotten_await.py:8: error: Value of type "Awaitable[' in result.stdout, (
        result.stdout)
    assert 'Maybe you forgot to use "await"?' in result.stdout, result.stdout
