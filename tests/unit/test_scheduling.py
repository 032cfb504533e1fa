from datetime import UTC, date, datetime, timedelta

import pytest

from tests.unit.fakes import FakeUnitOfWork
from tracker.adapters.clock import FixedClock
from tracker.domain.model import Domain, LookupErrorKind
from tracker.domain.names import DomainName
from tracker.services import scheduling
from tracker.services.settings import (
    CheckIntervals,
    check_intervals,
    set_check_intervals,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
DEFAULTS = CheckIntervals()


def make_domain(
    uow: FakeUnitOfWork,
    name: str,
    *,
    expiry: date | None = None,
    next_check_at: datetime | None = NOW,
    checked: bool = True,
    failures: int = 0,
) -> int:
    domain = Domain(1, DomainName.parse(name), created_at=NOW - timedelta(days=30))
    domain.expiration_date = expiry
    domain.next_check_at = next_check_at
    domain.last_checked_at = NOW - timedelta(days=1) if checked else None
    domain.consecutive_failures = failures
    uow.domains.add(domain)
    assert domain.id is not None
    return domain.id


def domain_with(expiry: date | None, failures: int = 0) -> Domain:
    domain = Domain(1, DomainName.parse("example.com"), created_at=NOW)
    domain.expiration_date = expiry
    domain.consecutive_failures = failures
    return domain


def test_far_expiry_is_checked_weekly() -> None:
    domain = domain_with(date(2027, 6, 1))

    assert scheduling.next_check_at(domain, NOW, DEFAULTS) == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    "expiry",
    [date(2026, 12, 20), date(2027, 1, 3), date(2026, 12, 4), date(2026, 11, 1)],
    ids=["in 16 days", "in 30 days", "today", "expired"],
)
def test_near_or_past_expiry_is_checked_daily(expiry: date) -> None:
    domain = domain_with(expiry)

    assert scheduling.next_check_at(domain, NOW, DEFAULTS) == NOW + timedelta(days=1)


def test_unknown_expiry_is_checked_daily() -> None:
    domain = domain_with(None)

    assert scheduling.next_check_at(domain, NOW, DEFAULTS) == NOW + timedelta(days=1)


def test_weekly_check_stops_at_near_window() -> None:
    # 33 days left: the 30-day window opens on 2026-12-07, before a week passes.
    domain = domain_with(date(2027, 1, 6))

    when = scheduling.next_check_at(domain, NOW, DEFAULTS)

    assert when == datetime(2026, 12, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "hours"),
    [(1, 1), (2, 2), (3, 4), (5, 16), (6, 24), (40, 24)],
)
def test_failures_back_off_exponentially_to_a_day(failures: int, hours: int) -> None:
    domain = domain_with(date(2027, 6, 1), failures=failures)

    when = scheduling.next_check_at(domain, NOW, DEFAULTS)

    assert when == NOW + timedelta(hours=hours)


def test_admin_intervals_change_the_schedule() -> None:
    intervals = CheckIntervals(
        near_expiry_hours=12, far_hours=48, retry_hours=0.5, near_expiry_days=10
    )

    assert scheduling.next_check_at(
        domain_with(date(2026, 12, 20)), NOW, intervals
    ) == NOW + timedelta(hours=48)
    assert scheduling.next_check_at(
        domain_with(date(2026, 12, 10)), NOW, intervals
    ) == NOW + timedelta(hours=12)
    assert scheduling.next_check_at(
        domain_with(date(2026, 12, 10), failures=2), NOW, intervals
    ) == NOW + timedelta(hours=1)


def test_due_targets_come_most_urgent_first(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    far = make_domain(uow, "far.com", expiry=date(2027, 9, 1))
    unknown = make_domain(uow, "unknown.com")
    soon = make_domain(uow, "soon.com", expiry=date(2026, 12, 10))
    expired = make_domain(uow, "expired.com", expiry=date(2026, 11, 20))
    new = make_domain(uow, "new.com", checked=False)

    targets = scheduling.due_targets(uow, clock, limit=10)

    assert [t.domain_id for t in targets] == [new, expired, soon, far, unknown]
    assert targets[0].name == DomainName("new.com")


def test_due_targets_skip_backoff_and_future(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    due = make_domain(uow, "due.com", next_check_at=NOW - timedelta(minutes=1))
    make_domain(
        uow,
        "backing-off.com",
        failures=3,
        next_check_at=NOW + timedelta(hours=3),
    )
    make_domain(uow, "later.com", next_check_at=NOW + timedelta(days=6))

    targets = scheduling.due_targets(uow, clock, limit=10)

    assert [t.domain_id for t in targets] == [due]


def test_due_targets_skip_claimed_unless_stale(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    running = make_domain(uow, "running.com")
    abandoned = make_domain(uow, "abandoned.com")
    uow.domains.get(running).check_started_at = NOW - timedelta(minutes=2)  # type: ignore[union-attr]
    uow.domains.get(abandoned).check_started_at = NOW - timedelta(minutes=11)  # type: ignore[union-attr]

    targets = scheduling.due_targets(uow, clock, limit=10)

    assert [t.domain_id for t in targets] == [abandoned]


def test_due_targets_respect_limit(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    for index in range(5):
        make_domain(uow, f"d{index}.com", expiry=date(2027, 1, 1 + index))

    targets = scheduling.due_targets(uow, clock, limit=2)

    assert [t.name.ascii for t in targets] == ["d0.com", "d1.com"]


def test_retry_delay_uses_stored_intervals(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    set_check_intervals(uow, CheckIntervals(retry_hours=2, max_retry_hours=5))
    intervals = check_intervals(uow)

    assert scheduling.retry_delay(1, intervals) == timedelta(hours=2)
    assert scheduling.retry_delay(2, intervals) == timedelta(hours=4)
    assert scheduling.retry_delay(3, intervals) == timedelta(hours=5)


def test_failure_kind_does_not_change_backoff() -> None:
    # Every failure kind backs off the same way, so a name that keeps failing
    # is soon tried only once a day.
    domain = domain_with(None)
    domain.record_failure(LookupErrorKind.NOT_FOUND, "no match", NOW)
    domain.record_failure(LookupErrorKind.NOT_FOUND, "no match", NOW)

    assert scheduling.next_check_at(domain, NOW, DEFAULTS) == NOW + timedelta(hours=2)
