"""Certificate validity dates and days left, with the clock injected (SPEC §7.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.keys.conftest import NOW, certificate_for
from xbsec.errors import ConfigurationError
from xbsec.keys import days_left, is_valid_at, validity

DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def cert(ec_key: Any) -> Any:
    return certificate_for(ec_key, not_before=NOW, not_after=NOW + 30 * DAY)


def test_validity_is_the_certificate_dates_in_utc(cert: Any) -> None:
    not_before, not_after = validity(cert)
    assert (not_before, not_after) == (NOW, NOW + 30 * DAY)
    assert not_before.tzinfo is not None


@pytest.mark.parametrize(("now", "expected"), [
    (NOW, 30),
    (NOW + 29 * DAY, 1),
    (NOW + 29 * DAY + dt.timedelta(seconds=1), 0),
    (NOW + 30 * DAY, 0),
    (NOW + 30 * DAY + dt.timedelta(seconds=1), -1),
    (NOW + 40 * DAY, -10),
])
def test_days_left_counts_whole_days_rounded_down(
    cert: Any, now: dt.datetime, expected: int
) -> None:
    assert days_left(cert, now=now) == expected


def test_days_left_accepts_any_time_zone(cert: Any) -> None:
    paris = dt.timezone(dt.timedelta(hours=2))
    assert days_left(cert, now=NOW.astimezone(paris)) == 30


def test_days_left_defaults_to_the_real_clock(cert: Any) -> None:
    expected = (NOW + 30 * DAY - dt.datetime.now(dt.UTC)) // DAY
    assert days_left(cert) in (expected, expected - 1)


def test_naive_datetime_is_refused(cert: Any) -> None:
    with pytest.raises(ConfigurationError, match="now must be a timezone-aware datetime"):
        days_left(cert, now=dt.datetime(2030, 6, 1))
    with pytest.raises(ConfigurationError, match="when must be a timezone-aware datetime"):
        is_valid_at(cert, dt.datetime(2030, 6, 1))


@pytest.mark.parametrize(("when", "valid"), [
    (NOW - dt.timedelta(seconds=1), False),
    (NOW, True),
    (NOW + 15 * DAY, True),
    (NOW + 30 * DAY, True),
    (NOW + 30 * DAY + dt.timedelta(seconds=1), False),
])
def test_is_valid_at_includes_both_ends(cert: Any, when: dt.datetime, valid: bool) -> None:
    assert is_valid_at(cert, when) is valid
