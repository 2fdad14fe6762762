"""IBAN check digits and validation (ISO 13616), on published example IBANs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xbsec.sandbox.iban import IBAN_LENGTHS, check_digits, iban_problem, normalise

EXAMPLES = ["DE89370400440532013000", "GB82WEST12345698765432", "FR1420041010050500013M02606",
            "NL91ABNA0417164300", "BE68539007547034", "NO9386011117947",
            "CH9300762011623852957"]


@pytest.mark.parametrize("iban", EXAMPLES)
def test_published_examples_are_valid(iban: str) -> None:
    assert iban_problem(iban) is None
    assert check_digits(iban[:2], iban[4:]) == iban[2:4]


@pytest.mark.parametrize(("iban", "problem"), [
    ("DE88370400440532013000", "CHECKSUM"),
    ("DE8937040044053201300", "LENGTH_FOR_COUNTRY"),
    ("XX89370400440532013000", "UNSUPPORTED_COUNTRY"),
    ("D189370400440532013000", "FORMAT"),
    ("DE89-370400440532013000", "FORMAT"),
])
def test_problems(iban: str, problem: str) -> None:
    assert iban_problem(iban) == problem


def test_the_printed_form_is_normalised() -> None:
    assert normalise("de89 3704 0044 0532 0130 00") == EXAMPLES[0]


@given(st.sampled_from(sorted(IBAN_LENGTHS)), st.data())
def test_generated_ibans_validate_and_one_changed_digit_does_not(country: str,
                                                                 data: st.DataObject) -> None:
    bban = data.draw(st.text("0123456789", min_size=IBAN_LENGTHS[country] - 4,
                             max_size=IBAN_LENGTHS[country] - 4))
    iban = country + check_digits(country, bban) + bban
    assert iban_problem(iban) is None
    position = data.draw(st.integers(4, len(iban) - 1))
    changed = iban[:position] + str((int(iban[position]) + 1) % 10) + iban[position + 1:]
    assert iban_problem(changed) == "CHECKSUM"
