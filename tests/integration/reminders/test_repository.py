"""SqlAlchemyReminderRepository on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.integration.reminders.conftest import add_domain, add_owner
from tracker.adapters.clock import FixedClock
from tracker.domain.expiry import ExpiryPolicy
from tracker.domain.model import Channel, Reminder, ReminderKind, ReminderStatus
from tracker.services import domains, reminders
from tracker.services.messages import ReminderFacts
from tracker.services.ports import Message, UnitOfWorkFactory


def reminder(domain_id: int, clock: FixedClock, threshold: int = 14) -> Reminder:
    expiry = clock.today() + timedelta(days=10)
    return Reminder(
        domain_id=domain_id,
        channel=Channel.EMAIL,
        kind=ReminderKind.THRESHOLD,
        threshold_days=threshold,
        expiration_date=expiry,
        scheduled_for=clock.now() - timedelta(hours=1),
        created_at=clock.now(),
        next_attempt_at=clock.now() - timedelta(hours=1),
    )


@pytest.fixture
def domain_id(uow_factory: UnitOfWorkFactory, clock: FixedClock) -> int:
    """A domain whose expiry is not set, so nothing is planned for it."""
    owner = add_owner(uow_factory(), clock, "owner@example.org")
    return domains.add_domain(uow_factory(), clock, owner, "example.com")


def test_add_if_absent_inserts_once(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, domain_id: int
) -> None:
    with uow_factory() as uow:
        first = uow.reminders.add_if_absent(reminder(domain_id, clock))
        second = uow.reminders.add_if_absent(reminder(domain_id, clock))
        uow.commit()

    with uow_factory() as uow:
        rows = uow.reminders.list_for_domain(domain_id)
    assert (first, second) == (True, False)
    assert len(rows) == 1
    assert rows[0].channel == Channel.EMAIL
    assert rows[0].status == ReminderStatus.PENDING


def test_claim_succeeds_once(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, domain_id: int
) -> None:
    with uow_factory() as uow:
        uow.reminders.add_if_absent(reminder(domain_id, clock))
        uow.commit()
    with uow_factory() as uow:
        [due] = uow.reminders.due_ids(clock.now(), 10)

    claims = []
    for _ in range(2):
        with uow_factory() as uow:
            claims.append(uow.reminders.claim(due, clock.now()))
            uow.commit()

    with uow_factory() as uow:
        row = uow.reminders.get(due)
        remaining = uow.reminders.due_ids(clock.now(), 10)
    assert claims == [True, False]
    assert row is not None
    assert row.status == ReminderStatus.SENDING
    assert row.attempts == 1
    assert row.claimed_at == clock.now()
    assert remaining == []


def test_claim_waits_for_next_attempt(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, domain_id: int
) -> None:
    later = reminder(domain_id, clock)
    later.next_attempt_at = clock.now() + timedelta(minutes=5)
    with uow_factory() as uow:
        uow.reminders.add_if_absent(later)
        uow.commit()
    with uow_factory() as uow:
        [row] = uow.reminders.list_for_domain(domain_id)
        assert row.id is not None
        due = uow.reminders.due_ids(clock.now(), 10)
        claimed = uow.reminders.claim(row.id, clock.now())

    assert due == []
    assert claimed is False


def test_update_if_checks_the_status(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, domain_id: int
) -> None:
    with uow_factory() as uow:
        uow.reminders.add_if_absent(reminder(domain_id, clock))
        [row] = uow.reminders.list_for_domain(domain_id)
        assert row.id is not None
        wrong = uow.reminders.update_if(
            row.id, ReminderStatus.SENDING, status=ReminderStatus.SENT
        )
        right = uow.reminders.update_if(
            row.id,
            ReminderStatus.PENDING,
            status=ReminderStatus.CANCELLED,
            last_error="muted",
        )
        uow.commit()

    with uow_factory() as uow:
        stored = uow.reminders.get(row.id)
    assert (wrong, right) == (False, True)
    assert stored is not None
    assert stored.status == ReminderStatus.CANCELLED
    assert stored.last_error == "muted"


def test_claimed_before_finds_old_claims(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, domain_id: int
) -> None:
    with uow_factory() as uow:
        uow.reminders.add_if_absent(reminder(domain_id, clock))
        [due] = uow.reminders.due_ids(clock.now(), 10)
        uow.reminders.claim(due, clock.now())
        uow.commit()

    with uow_factory() as uow:
        before = uow.reminders.claimed_before(clock.now())
        after = uow.reminders.claimed_before(clock.now() + timedelta(seconds=1))
    assert before == []
    assert after == [due]


def test_unplanned_domains_are_found_until_planned(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    owner = add_owner(uow_factory(), clock, "owner@example.org")
    silent = add_owner(uow_factory(), clock, "silent@example.org")
    planned = add_domain(uow_factory(), clock, owner, "planned.com", 20)
    with uow_factory() as uow:
        user = uow.users.get(silent)
        assert user is not None
        user.notify_email = False
        uow.commit()
    add_domain(uow_factory(), clock, silent, "silent.com", 20)
    unknown = domains.add_domain(uow_factory(), clock, owner, "unknown.com")
    with uow_factory() as uow:
        domain = uow.domains.get(planned)
        assert domain is not None and domain.expiration_date is not None
        domain.expiration_date += timedelta(days=365)
        uow.commit()

    with uow_factory() as uow:
        found = uow.reminders.unplanned_domain_ids(100)
    reminders.plan_reminders(uow_factory(), clock, planned)
    with uow_factory() as uow:
        after = uow.reminders.unplanned_domain_ids(100)

    assert found == [planned]
    assert unknown not in found
    assert after == []


def test_due_selection_keeps_to_given_channels(
    uow_factory: UnitOfWorkFactory, clock: FixedClock, domain_id: int
) -> None:
    by_telegram = reminder(domain_id, clock)
    by_telegram.channel = Channel.TELEGRAM
    with uow_factory() as uow:
        uow.reminders.add_if_absent(reminder(domain_id, clock))
        uow.reminders.add_if_absent(reminder(domain_id, clock, threshold=7))
        uow.reminders.add_if_absent(by_telegram)
        uow.commit()

    with uow_factory() as uow:
        every = uow.reminders.due_ids(clock.now(), 10)
        email = uow.reminders.due_ids(clock.now(), 10, channels=[Channel.EMAIL])
        none = uow.reminders.due_ids(clock.now(), 10, channels=[])
        counts = uow.reminders.due_counts(clock.now())
        earlier = uow.reminders.due_counts(clock.now() - timedelta(days=1))
        rows = {r.id: r.channel for r in uow.reminders.list_for_domain(domain_id)}
    assert len(every) == 3
    assert [rows[i] for i in email] == [Channel.EMAIL, Channel.EMAIL]
    assert none == []
    assert counts == {Channel.EMAIL: 2, Channel.TELEGRAM: 1}
    assert earlier == {}


def test_unplanned_skips_implausible_dates(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    owner = add_owner(uow_factory(), clock, "owner@example.org")
    ids = {
        stored: domains.add_domain(uow_factory(), clock, owner, name)
        for stored, name in [
            (date(9999, 12, 31), "far.com"),
            (date(1900, 1, 1), "early.com"),
            (date(2199, 12, 31), "latest.com"),
        ]
    }
    with uow_factory() as uow:
        for stored, domain_id in ids.items():
            domain = uow.domains.get(domain_id)
            assert domain is not None
            domain.expiration_date = stored
        uow.commit()

    with uow_factory() as uow:
        found = uow.reminders.unplanned_domain_ids(100)

    assert found == [ids[date(2199, 12, 31)]]


def test_far_future_domain_does_not_stop_the_sweep(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    owner = add_owner(uow_factory(), clock, "owner@example.org")
    far = domains.add_domain(uow_factory(), clock, owner, "csv-far.com")
    add_domain(uow_factory(), clock, owner, "example.com", 10)
    with uow_factory() as uow:
        domain = uow.domains.get(far)
        assert domain is not None
        domain.expiration_date = date(9999, 12, 31)
        uow.commit()
    notifier = _Recorder()

    reminders.plan_reminders(uow_factory(), clock, far)
    result = reminders.send_due_reminders(
        uow_factory(), clock, {"email": notifier}, "http://127.0.0.1:5000"
    )

    assert notifier.sent == ["owner@example.org"]
    assert result.sent == 1
    assert result.planning_errors == 0
    with uow_factory() as uow:
        assert uow.reminders.list_for_domain(far) == []


def test_preparing_failure_is_dated_by_claimed_at(
    uow_factory: UnitOfWorkFactory,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = add_owner(uow_factory(), clock, "owner@example.org")
    domain_id = add_domain(uow_factory(), clock, owner, "example.com", 10)
    with uow_factory() as uow:
        [first] = uow.reminders.due_ids(clock.now(), 10)
        uow.reminders.claim(first, clock.now())
        uow.reminders.update_if(
            first,
            ReminderStatus.SENDING,
            status=ReminderStatus.PENDING,
            next_attempt_at=clock.now() + timedelta(hours=5),
        )
        uow.commit()
    clock.advance(timedelta(hours=5))

    def compose(facts: ReminderFacts, language: str, base_url: str) -> Message:
        raise KeyError("missing text")

    monkeypatch.setattr(reminders, "compose_reminder", compose)
    reminders.send_due_reminders(
        uow_factory(), clock, {"email": _Recorder()}, "http://127.0.0.1:5000"
    )

    with uow_factory() as uow:
        row = uow.reminders.get(first)
    assert row is not None and row.domain_id == domain_id
    assert row.status == ReminderStatus.FAILED
    assert row.attempts == 1
    assert row.claimed_at == clock.now()


def test_times_for_user_gives_next_and_last(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    owner = add_owner(uow_factory(), clock, "owner@example.org")
    other = add_owner(uow_factory(), clock, "other@example.org")
    domain_id = add_domain(uow_factory(), clock, owner, "example.com", 10)
    add_domain(uow_factory(), clock, other, "example.org", 10)
    notifier = _Recorder()

    reminders.send_due_reminders(
        uow_factory(), clock, {"email": notifier}, "http://127.0.0.1:5000"
    )
    with uow_factory() as uow:
        times = uow.reminders.times_for_user(owner)

    assert list(times) == [domain_id]
    assert times[domain_id].last_sent_at == clock.now()
    expiry = clock.today() + timedelta(days=10)
    seven_days_before = expiry - timedelta(days=7)
    assert times[domain_id].next_at is not None
    assert times[domain_id].next_at.date() == seven_days_before


class _Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def is_configured(self) -> bool:
        return True

    def send(self, recipient: str, message: Message) -> None:
        self.sent.append(recipient)


def test_dashboard_rows_show_reminder_times(
    uow_factory: UnitOfWorkFactory, clock: FixedClock
) -> None:
    owner = add_owner(uow_factory(), clock, "owner@example.org")
    domain_id = add_domain(uow_factory(), clock, owner, "example.com", 40)

    dashboard = domains.build_dashboard(uow_factory(), clock, ExpiryPolicy(), owner)

    [row] = dashboard.rows
    assert row.id == domain_id
    assert row.next_reminder_at is not None
    assert row.next_reminder_at.date() == clock.today() + timedelta(days=10)
    assert row.last_reminder_sent_at is None


def test_composing_error_fails_one_reminder_only(
    uow_factory: UnitOfWorkFactory,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = add_owner(uow_factory(), clock, "owner@example.org")
    add_domain(uow_factory(), clock, owner, "example.com", 10)
    add_domain(uow_factory(), clock, owner, "example.net", 5)
    original = reminders.compose_reminder

    def compose(facts: ReminderFacts, language: str, base_url: str) -> Message:
        if facts.ascii_name == "example.com":
            raise KeyError("missing text")
        return original(facts, language, base_url)

    monkeypatch.setattr(reminders, "compose_reminder", compose)
    notifier = _Recorder()
    result = reminders.send_due_reminders(
        uow_factory(), clock, {"email": notifier}, "http://127.0.0.1:5000"
    )

    with uow_factory() as uow:
        rows = [
            row
            for domain in uow.domains.list_for_user(owner)
            for row in uow.reminders.list_for_domain(domain.id or 0)
            if row.status == ReminderStatus.FAILED
        ]
    [failed] = rows
    assert failed.last_error == "preparing the message failed: KeyError('missing text')"
    assert failed.attempts == 0
    assert failed.threshold_days == 14
    assert result.failed == 1
    assert result.sent == 1
    assert notifier.sent == ["owner@example.org"]
