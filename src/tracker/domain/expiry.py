"""Expiry policy: days left, urgency and reminder thresholds."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

DEFAULT_THRESHOLDS: tuple[int, ...] = (30, 14, 7, 3, 1)

# A real expiry date lies between the first registrations (1985) and a few
# decades ahead. A date outside is a typing error or a registry placeholder
# such as 9999-12-31, and would break date arithmetic near date.max.
EARLIEST_EXPIRY = date(1985, 1, 1)
LATEST_EXPIRY = date(2199, 12, 31)


class ImplausibleExpiry(ValueError):
    """Raised for an expiry date outside EARLIEST_EXPIRY to LATEST_EXPIRY."""

    def __init__(self, value: date) -> None:
        super().__init__(
            f"expiry date {value.isoformat()} is outside "
            f"{EARLIEST_EXPIRY.isoformat()} to {LATEST_EXPIRY.isoformat()}"
        )
        self.value = value


def check_plausible_expiry(value: date) -> date:
    """Return `value`, or raise ImplausibleExpiry when no registry would set it."""
    if not EARLIEST_EXPIRY <= value <= LATEST_EXPIRY:
        raise ImplausibleExpiry(value)
    return value


class Urgency(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    CRITICAL = "critical"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


def days_left(expiration_date: date | None, today: date) -> int | None:
    """Whole days from `today` (a UTC date) to the expiry date; negative once expired."""
    if expiration_date is None:
        return None
    return (expiration_date - today).days


def normalise_thresholds(values: Iterable[int]) -> tuple[int, ...]:
    """Return thresholds sorted from the largest down, without duplicates.

    Raises ValueError for a value that is not a positive whole number.
    """
    result: set[int] = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(
                f"reminder threshold {value!r} must be a positive whole number"
            )
        result.add(value)
    if not result:
        raise ValueError("at least one reminder threshold is needed")
    return tuple(sorted(result, reverse=True))


def parse_thresholds(text: str) -> tuple[int, ...]:
    """Parse a comma-separated list such as "30, 14, 7" into thresholds."""
    values: list[int] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValueError(
                f"reminder threshold {part!r} must be a positive whole number"
            )
        values.append(int(part))
    return normalise_thresholds(values)


@dataclass(frozen=True)
class ExpiryPolicy:
    """Urgency bands and reminder thresholds, in days before expiry.

    Green above `warning_days`, yellow from `critical_days + 1` to
    `warning_days`, red from 0 to `critical_days`, expired below 0.
    """

    warning_days: int = 30
    critical_days: int = 7
    thresholds: tuple[int, ...] = field(default=DEFAULT_THRESHOLDS)

    def urgency(self, days: int | None) -> Urgency:
        if days is None:
            return Urgency.UNKNOWN
        if days < 0:
            return Urgency.EXPIRED
        if days <= self.critical_days:
            return Urgency.CRITICAL
        if days <= self.warning_days:
            return Urgency.WARNING
        return Urgency.OK

    def due_threshold(
        self,
        days: int | None,
        already_sent: Iterable[int] = (),
        thresholds: Iterable[int] | None = None,
    ) -> int | None:
        """Return the threshold whose reminder is due with `days` left, or None.

        That is the smallest threshold at or above `days`: a domain first seen
        with 10 days left is due for the 14-day threshold only, so one reminder
        goes out instead of one per larger threshold. Returns None when `days`
        is None, negative (expired) or above every threshold, and when
        `already_sent` contains that threshold or a smaller one, because a
        reminder at least as recent went out. `thresholds` replaces the
        policy's own list, for a user who set their own.
        """
        if days is None or days < 0:
            return None
        candidates = self.thresholds if thresholds is None else tuple(thresholds)
        reached = [t for t in candidates if days <= t]
        if not reached:
            return None
        due = min(reached)
        if any(t <= due for t in already_sent):
            return None
        return due
