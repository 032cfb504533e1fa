from datetime import date, timedelta

import pytest

from tracker.domain.expiry import (
    ExpiryPolicy,
    Urgency,
    days_left,
    normalise_thresholds,
    parse_thresholds,
)

TODAY = date(2026, 12, 4)


@pytest.mark.parametrize(
    ("days", "urgency"),
    [
        (365, Urgency.OK),
        (31, Urgency.OK),
        (30, Urgency.WARNING),
        (8, Urgency.WARNING),
        (7, Urgency.CRITICAL),
        (1, Urgency.CRITICAL),
        (0, Urgency.CRITICAL),
        (-1, Urgency.EXPIRED),
        (-400, Urgency.EXPIRED),
    ],
)
def test_urgency_bands(days: int, urgency: Urgency) -> None:
    expiry = TODAY + timedelta(days=days)

    left = days_left(expiry, TODAY)

    assert left == days
    assert ExpiryPolicy().urgency(left) is urgency


def test_days_left_on_expiry_day_is_zero() -> None:
    assert days_left(TODAY, TODAY) == 0


def test_days_left_unknown_without_date() -> None:
    assert days_left(None, TODAY) is None
    assert ExpiryPolicy().urgency(None) is Urgency.UNKNOWN


def test_days_left_across_leap_day() -> None:
    assert days_left(date(2028, 3, 1), date(2028, 2, 28)) == 2


def test_thresholds_sorted_without_duplicates() -> None:
    assert normalise_thresholds([7, 30, 7, 1]) == (30, 7, 1)
    assert parse_thresholds(" 1, 30 ,14,, 7 ") == (30, 14, 7, 1)


@pytest.mark.parametrize("text", ["0", "-3", "seven", "1.5", "", " , "])
def test_thresholds_reject_bad_values(text: str) -> None:
    with pytest.raises(ValueError):
        parse_thresholds(text)
