from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from tracker.adapters.clock import FixedClock
from tracker.domain.model import (
    Channel,
    CheckLog,
    DataSource,
    Domain,
    Reminder,
    ReminderKind,
    User,
)
from tracker.domain.names import DomainName
from tracker.services.ports import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def add_user(uow_factory: UowFactory, email: str, clock: FixedClock) -> int:
    with uow_factory() as uow:
        user = User(email, "hash", created_at=clock.now())
        uow.users.add(user)
        uow.commit()
        assert user.id is not None
        return user.id


def add_domain(
    uow_factory: UowFactory, user_id: int, name: str, clock: FixedClock
) -> int:
    with uow_factory() as uow:
        domain = Domain(user_id, DomainName.parse(name), created_at=clock.now())
        uow.domains.add(domain)
        uow.commit()
        assert domain.id is not None
        return domain.id


def test_domain_round_trip(uow_factory: UowFactory, clock: FixedClock) -> None:
    owner = add_user(uow_factory, "owner@example.com", clock)
    domain_id = add_domain(uow_factory, owner, "пример.рф", clock)
    with uow_factory() as uow:
        domain = uow.domains.get(domain_id)
        assert domain is not None
        domain.expiration_date = date(2027, 2, 11)
        domain.source = DataSource.WHOIS
        domain.failing_since = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
        uow.commit()

    with uow_factory() as uow:
        loaded = uow.domains.get(domain_id)

    assert loaded is not None
    assert loaded.name == "xn--e1afmkfd.xn--p1ai"
    assert loaded.unicode_name == "пример.рф"
    assert loaded.expiration_date == date(2027, 2, 11)
    assert loaded.source is DataSource.WHOIS
    assert loaded.failing_since == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    assert loaded.created_at == clock.now()


def test_uncommitted_changes_roll_back(
    uow_factory: UowFactory, clock: FixedClock
) -> None:
    owner = add_user(uow_factory, "owner@example.com", clock)
    with uow_factory() as uow:
        uow.domains.add(
            Domain(owner, DomainName.parse("example.com"), created_at=clock.now())
        )

    with uow_factory() as uow:
        assert uow.domains.list_for_user(owner) == []


def test_list_for_user_soonest_first_and_private(
    uow_factory: UowFactory, clock: FixedClock
) -> None:
    owner = add_user(uow_factory, "owner@example.com", clock)
    other = add_user(uow_factory, "other@example.com", clock)
    for name, days in [("far.com", 300), ("unknown.com", None), ("soon.com", 3)]:
        domain_id = add_domain(uow_factory, owner, name, clock)
        with uow_factory() as uow:
            domain = uow.domains.get(domain_id)
            assert domain is not None
            if days is not None:
                domain.expiration_date = clock.today() + timedelta(days=days)
            uow.commit()
    foreign = add_domain(uow_factory, other, "theirs.com", clock)

    with uow_factory() as uow:
        names = [d.name for d in uow.domains.list_for_user(owner)]
        assert uow.domains.get_for_user(owner, foreign) is None
        assert uow.domains.get_for_user(other, foreign) is not None

    assert names == ["soon.com", "far.com", "unknown.com"]


def test_same_user_cannot_track_a_name_twice(
    uow_factory: UowFactory, clock: FixedClock
) -> None:
    owner = add_user(uow_factory, "owner@example.com", clock)
    add_domain(uow_factory, owner, "example.com", clock)

    with pytest.raises(IntegrityError):
        add_domain(uow_factory, owner, "example.com", clock)


def test_delete_removes_logs_and_reminders(
    uow_factory: UowFactory, clock: FixedClock
) -> None:
    owner = add_user(uow_factory, "owner@example.com", clock)
    domain_id = add_domain(uow_factory, owner, "example.com", clock)
    with uow_factory() as uow:
        uow.check_logs.add(CheckLog(domain_id, clock.now(), success=True))
        uow.reminders.add(
            Reminder(
                domain_id,
                Channel.EMAIL,
                ReminderKind.THRESHOLD,
                30,
                date(2027, 1, 1),
                scheduled_for=clock.now(),
                created_at=clock.now(),
            )
        )
        uow.commit()

    with uow_factory() as uow:
        domain = uow.domains.get(domain_id)
        assert domain is not None
        uow.domains.delete(domain)
        uow.commit()

    with uow_factory() as uow:
        assert uow.domains.get(domain_id) is None
        assert uow.check_logs.list_for_domain(domain_id) == []
        assert uow.reminders.list_for_domain(domain_id) == []


def test_check_logs_newest_first(uow_factory: UowFactory, clock: FixedClock) -> None:
    owner = add_user(uow_factory, "owner@example.com", clock)
    domain_id = add_domain(uow_factory, owner, "example.com", clock)
    with uow_factory() as uow:
        for hours in (1, 3, 2):
            uow.check_logs.add(
                CheckLog(domain_id, clock.now() + timedelta(hours=hours), success=True)
            )
        uow.commit()

    with uow_factory() as uow:
        logs = uow.check_logs.list_for_domain(domain_id)

    assert [log.checked_at.hour for log in logs] == [15, 14, 13]


def test_settings_set_and_overwrite(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        uow.settings.set("reminder_thresholds", "30, 7")
        uow.commit()
    with uow_factory() as uow:
        uow.settings.set("reminder_thresholds", "14")
        uow.commit()

    with uow_factory() as uow:
        assert uow.settings.get("reminder_thresholds") == "14"
        assert uow.settings.get("missing") is None
        assert uow.settings.all() == {"reminder_thresholds": "14"}


def test_user_email_lookup_is_case_insensitive(
    uow_factory: UowFactory, clock: FixedClock
) -> None:
    add_user(uow_factory, "owner@example.com", clock)

    with uow_factory() as uow:
        user = uow.users.get_by_email("  OWNER@example.com ")

    assert user is not None
