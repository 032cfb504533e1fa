"""Planning and sending reminders, on fakes with a fixed clock."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest

from tests.unit.fakes import FakeLookup, FakeUnitOfWork
from tracker.adapters.clock import FixedClock
from tracker.domain.expiry import ExpiryPolicy
from tracker.domain.model import (
    Channel,
    DataSource,
    Domain,
    Registration,
    ReminderKind,
    ReminderStatus,
    User,
)
from tracker.domain.names import DomainName
from tracker.services import checks, domains, reminders, settings
from tracker.services.ports import Message, NotificationFailed

BASE_URL = "https://tracker.example.org"


class RecordingNotifier:
    """Records what it sends; raises the queued failures first, one per send.

    Set `configured` to False to act as a channel without its settings.
    """

    def __init__(self) -> None:
        self.sent: list[tuple[str, Message]] = []
        self.failures: list[Exception] = []
        self.configured = True

    def is_configured(self) -> bool:
        return self.configured

    def send(self, recipient: str, message: Message) -> None:
        assert self.configured, "a channel that is not configured was attempted"
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((recipient, message))

    def subjects(self) -> list[str]:
        return [message.subject for _, message in self.sent]


@dataclass
class World:
    uow: FakeUnitOfWork
    clock: FixedClock
    user: User
    domain: Domain
    email: RecordingNotifier = field(default_factory=RecordingNotifier)
    telegram: RecordingNotifier = field(default_factory=RecordingNotifier)

    @property
    def domain_id(self) -> int:
        assert self.domain.id is not None
        return self.domain.id

    @property
    def user_id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    def sweep(self) -> reminders.SweepResult:
        notifiers = {"email": self.email, "telegram": self.telegram}
        return reminders.send_due_reminders(self.uow, self.clock, notifiers, BASE_URL)

    def next_day(self) -> reminders.SweepResult:
        self.clock.advance(timedelta(days=1))
        return self.sweep()

    def set_expiry(self, expiry: date) -> None:
        domains.enter_expiry_manually(
            self.uow, self.clock, self.user_id, self.domain_id, expiry, "Reg"
        )

    def rows(self, status: ReminderStatus | None = None) -> list[object]:
        rows = self.uow.reminders.list_for_domain(self.domain_id)
        return [r for r in rows if status is None or r.status == status]


def make_world(clock: FixedClock, days_left: int | None) -> World:
    """A user with email reminders and one domain added today with `days_left`."""
    uow = FakeUnitOfWork()
    user = User("owner@example.org", "hash", created_at=clock.now())
    uow.users.add(user)
    assert user.id is not None
    domain = Domain(user.id, DomainName.parse("example.com"), created_at=clock.now())
    uow.domains.add(domain)
    world = World(uow, clock, user, domain)
    if days_left is not None:
        world.set_expiry(clock.today() + timedelta(days=days_left))
    return world


# The fixed-clock table -------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "first_subject"),
    [
        (10, "example.com expires in 10 days"),
        (2, "example.com expires in 2 days"),
        (1, "example.com expires in 1 day"),
        (0, "example.com expires today"),
        (-1, "example.com has expired"),
    ],
)
def test_domain_added_late_gets_one_message(
    clock: FixedClock, days_left: int, first_subject: str
) -> None:
    world = make_world(clock, days_left)

    result = world.sweep()
    again = world.sweep()

    assert world.email.subjects() == [first_subject]
    assert result.sent == 1
    assert again.sent == 0


def test_ten_days_left_sends_14_day_reminder(
    clock: FixedClock,
) -> None:
    world = make_world(clock, 10)

    world.sweep()

    sent = world.rows(ReminderStatus.SENT)
    assert [(r.kind, r.threshold_days) for r in sent] == [(ReminderKind.THRESHOLD, 14)]
    cancelled = world.rows(ReminderStatus.CANCELLED)
    assert cancelled == []
    assert {r.threshold_days for r in world.rows(ReminderStatus.PENDING)} == {
        7,
        3,
        1,
        0,
    }


def test_added_at_40_days_counts_down_every_threshold(clock: FixedClock) -> None:
    world = make_world(clock, 40)
    by_day: dict[int, list[str]] = {}

    world.sweep()
    for day in range(1, 45):
        before = len(world.email.sent)
        world.next_day()
        by_day[40 - day] = world.email.subjects()[before:]

    assert world.email.subjects()[:1] == ["example.com expires in 30 days"]
    sending_days = sorted((left for left, got in by_day.items() if got), reverse=True)
    assert sending_days == [30, 14, 7, 3, 1, -1]
    assert by_day[1] == ["example.com expires in 1 day"]
    assert by_day[-1] == ["example.com has expired"]
    assert len(world.email.sent) == 6


def test_threshold_day_reminder_waits_for_send_time(clock: FixedClock) -> None:
    world = make_world(clock, 31)
    next_day = clock.today() + timedelta(days=1)
    send_time = datetime.combine(next_day, reminders.SEND_TIME)

    clock.set(send_time - timedelta(minutes=1))
    early = world.sweep()
    clock.set(send_time)
    on_time = world.sweep()

    assert early.sent == 0
    assert on_time.sent == 1
    assert world.email.subjects() == ["example.com expires in 30 days"]


def test_expired_message_is_sent_once(clock: FixedClock) -> None:
    world = make_world(clock, -1)

    world.sweep()
    for _ in range(5):
        world.next_day()

    assert world.email.subjects() == ["example.com has expired"]


def test_expiry_cancels_unsent_thresholds(clock: FixedClock) -> None:
    world = make_world(clock, 2)
    reminders.plan_reminders(world.uow, clock, world.domain_id)

    clock.advance(timedelta(days=3))
    world.sweep()

    reasons = {r.last_error for r in world.rows(ReminderStatus.CANCELLED)}
    assert reasons == {"the domain expired before this reminder went out"}
    assert world.email.subjects() == ["example.com has expired"]


def test_missed_days_send_only_the_latest_threshold(clock: FixedClock) -> None:
    world = make_world(clock, 40)
    world.sweep()

    clock.advance(timedelta(days=27))
    world.sweep()

    assert world.email.subjects() == ["example.com expires in 13 days"]
    superseded = world.rows(ReminderStatus.CANCELLED)
    assert [r.threshold_days for r in superseded] == [30]
    assert superseded[0].last_error == "a reminder for a later threshold replaced it"


def test_renewal_cancels_old_plan_and_sends_renewed_once(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.sweep()
    old_expiry = world.domain.expiration_date
    assert old_expiry is not None
    new_expiry = old_expiry + timedelta(days=365)

    world.set_expiry(new_expiry)
    world.sweep()
    world.sweep()

    assert world.email.subjects() == [
        "example.com expires in 10 days",
        "example.com was renewed until 14 December 2027",
    ]
    old_rows = [r for r in world.rows() if r.expiration_date == old_expiry]
    assert {r.status for r in old_rows} == {
        ReminderStatus.SENT,
        ReminderStatus.CANCELLED,
    }
    assert all(
        r.last_error == "the expiry date changed to 2027-12-14"
        for r in old_rows
        if r.status == ReminderStatus.CANCELLED
    )
    text = world.email.sent[1][1].text
    assert "Previous expiry date: 14 December 2026" in text


def test_renewal_found_by_a_check_plans_new_reminders(clock: FixedClock) -> None:
    world = make_world(clock, 5)
    world.sweep()
    new_expiry = clock.today() + timedelta(days=370)
    answer = Registration("example.com", new_expiry, "Reg", DataSource.RDAP)
    lookup = FakeLookup({"example.com": answer})

    outcome = checks.check_domain(world.uow, lookup, clock, world.domain_id)
    world.sweep()

    assert outcome is not None and outcome.renewed
    assert world.email.subjects()[-1] == (
        f"example.com was renewed until {new_expiry.day} December 2027"
    )
    pending = world.rows(ReminderStatus.PENDING)
    assert {r.expiration_date for r in pending} == {new_expiry}
    assert {r.threshold_days for r in pending} == {30, 14, 7, 3, 1, 0}


def test_date_flipping_back_does_not_repeat_renewed(clock: FixedClock) -> None:
    world = make_world(clock, 100)
    first = world.domain.expiration_date
    assert first is not None

    world.set_expiry(first + timedelta(days=365))
    world.sweep()
    world.set_expiry(first)
    world.sweep()
    world.set_expiry(first + timedelta(days=365))
    world.sweep()

    renewed = [s for s in world.email.subjects() if "renewed" in s]
    assert len(renewed) == 1


def test_deleted_domain_gets_nothing(clock: FixedClock) -> None:
    world = make_world(clock, 10)

    domains.delete_domain(world.uow, world.user_id, world.domain_id)
    result = world.sweep()

    assert world.email.sent == []
    assert result.sent == 0
    assert world.uow.store.reminders == []


def test_muted_domain_gets_nothing_until_unmuted(clock: FixedClock) -> None:
    world = make_world(clock, 10)

    reminders.set_muted(world.uow, clock, world.user_id, world.domain_id, True)
    world.sweep()
    # Fake rows are live objects, so read the reasons before unmuting.
    muted_reasons = {r.last_error for r in world.rows(ReminderStatus.CANCELLED)}
    clock.advance(timedelta(days=1))
    reminders.set_muted(world.uow, clock, world.user_id, world.domain_id, False)
    world.sweep()

    assert muted_reasons == {"the domain is muted"}
    assert world.email.subjects() == ["example.com expires in 9 days"]


def test_mute_of_other_users_domain_is_not_found(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    stranger = User("stranger@example.org", "hash")
    world.uow.users.add(stranger)
    assert stranger.id is not None

    with pytest.raises(LookupError):
        reminders.set_muted(world.uow, clock, stranger.id, world.domain_id, True)

    assert world.domain.muted is False


def test_changed_threshold_list_applies_to_planned_reminders(
    clock: FixedClock,
) -> None:
    world = make_world(clock, 20)
    world.sweep()

    reminders.update_preferences(
        world.uow,
        clock,
        world.user_id,
        thresholds_text="10, 5",
        notify_email=True,
        notify_telegram=False,
        telegram_chat_id="",
        language="en",
    )
    for _ in range(20):
        world.next_day()

    assert world.email.subjects()[:3] == [
        "example.com expires in 20 days",
        "example.com expires in 10 days",
        "example.com expires in 5 days",
    ]
    removed = [r for r in world.rows() if r.threshold_days in (7, 3, 1)]
    assert {r.status for r in removed} == {ReminderStatus.CANCELLED}


def test_admin_default_thresholds_apply_to_new_plans(clock: FixedClock) -> None:
    world = make_world(clock, None)
    settings.set_default_thresholds(world.uow, "60, 21")

    world.set_expiry(clock.today() + timedelta(days=50))
    world.sweep()

    assert world.email.subjects() == ["example.com expires in 50 days"]
    planned = {r.threshold_days for r in world.rows(ReminderStatus.PENDING)}
    assert planned == {21, 0}


def test_removing_sent_threshold_does_not_resend_larger_one(
    clock: FixedClock,
) -> None:
    world = make_world(clock, 12)
    world.sweep()

    reminders.update_preferences(
        world.uow,
        clock,
        world.user_id,
        thresholds_text="30, 7",
        notify_email=True,
        notify_telegram=False,
        telegram_chat_id="",
        language="en",
    )
    world.sweep()

    assert world.email.subjects() == ["example.com expires in 12 days"]


def test_deactivated_user_gets_nothing(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.user.is_active = False

    world.sweep()

    assert world.email.sent == []
    assert {r.last_error for r in world.rows(ReminderStatus.CANCELLED)} == {
        "the account is deactivated"
    }


def test_sweep_notices_a_reactivated_account(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.user.is_active = False
    world.sweep()

    world.user.is_active = True
    result = world.sweep()

    assert result.planned_domains == 1
    assert world.email.subjects() == ["example.com expires in 10 days"]


def test_sweep_notices_unmuting_without_a_plan_call(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    reminders.set_muted(world.uow, clock, world.user_id, world.domain_id, True)
    world.sweep()

    world.domain.muted = False
    world.sweep()

    assert world.email.subjects() == ["example.com expires in 10 days"]


def test_unknown_expiry_plans_nothing(clock: FixedClock) -> None:
    world = make_world(clock, None)

    reminders.plan_reminders(world.uow, clock, world.domain_id)
    world.sweep()

    assert world.rows() == []
    assert world.email.sent == []


def test_sweep_plans_domains_nobody_planned(clock: FixedClock) -> None:
    world = make_world(clock, None)
    world.domain.expiration_date = clock.today() + timedelta(days=3)

    result = world.sweep()

    assert result.planned_domains == 1
    assert world.email.subjects() == ["example.com expires in 3 days"]


def test_telegram_channel_gets_its_own_reminder(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    reminders.update_preferences(
        world.uow,
        clock,
        world.user_id,
        thresholds_text="",
        notify_email=False,
        notify_telegram=True,
        telegram_chat_id=" 123456789 ",
        language="ru",
    )

    world.sweep()

    assert world.email.sent == []
    assert [recipient for recipient, _ in world.telegram.sent] == ["123456789"]
    message = world.telegram.sent[0][1]
    assert message.subject == "example.com: срок регистрации истекает через 10 дней"


# Delivery failures -----------------------------------------------------------


def test_transient_failure_retries_with_backoff(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.email.failures.append(NotificationFailed("421 busy", permanent=False))

    first = world.sweep()
    [row] = [r for r in world.rows() if r.attempts == 1]
    error_after_first = row.last_error
    same_time = world.sweep()
    clock.advance(reminders.retry_delay(1))
    later = world.sweep()

    assert (first.retrying, first.sent) == (1, 0)
    assert row.threshold_days == 14
    assert error_after_first == "421 busy"
    assert same_time.sent == 0
    assert row.attempts == 2
    assert later.sent == 1
    assert len(world.email.sent) == 1


def test_permanent_failure_fails_at_once(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.email.failures.append(NotificationFailed("550 no user", permanent=True))

    result = world.sweep()
    clock.advance(timedelta(hours=1))
    world.sweep()

    [failed] = world.rows(ReminderStatus.FAILED)
    assert result.failed == 1
    assert failed.attempts == 1
    assert failed.last_error == "550 no user"
    assert world.email.sent == []


def test_transient_failures_stop_at_the_attempt_limit(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.email.failures.extend(
        NotificationFailed("timed out", permanent=False)
        for _ in range(reminders.MAX_ATTEMPTS + 1)
    )

    for _ in range(reminders.MAX_ATTEMPTS + 2):
        world.sweep()
        clock.advance(reminders.MAX_RETRY_DELAY)

    [failed] = world.rows(ReminderStatus.FAILED)
    assert failed.attempts == reminders.MAX_ATTEMPTS
    assert failed.last_error == "timed out"


def test_unexpected_error_is_recorded_and_not_retried(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.email.failures.append(RuntimeError("boom"))

    result = world.sweep()
    clock.advance(timedelta(hours=6))
    world.sweep()

    [failed] = world.rows(ReminderStatus.FAILED)
    assert result.failed == 1
    assert failed.last_error == "RuntimeError('boom')"
    assert world.email.sent == []


def test_interrupted_claim_is_marked_failed_not_resent(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    reminders.plan_reminders(world.uow, clock, world.domain_id)
    [due_id] = world.uow.reminders.due_ids(clock.now(), 10)
    assert world.uow.reminders.claim(due_id, clock.now())

    clock.advance(reminders.CLAIM_TIMEOUT + timedelta(minutes=1))
    result = world.sweep()

    row = world.uow.reminders.get(due_id)
    assert row is not None
    assert row.status == ReminderStatus.FAILED
    assert result.interrupted == 1
    assert world.email.sent == []


def test_retry_delay_doubles_up_to_the_cap() -> None:
    delays = [reminders.retry_delay(n) for n in range(1, 10)]

    assert delays[:3] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]
    assert max(delays) == reminders.MAX_RETRY_DELAY


# Bad data ---------------------------------------------------------------------

FAR_FUTURE = date(9999, 12, 31)


def add_stored_domain(world: World, name: str, expiry: date) -> int:
    """Add a domain of the world's user with `expiry` stored as is, unchecked."""
    domain = Domain(world.user_id, DomainName.parse(name), created_at=world.clock.now())
    world.uow.domains.add(domain)
    domain.expiration_date = expiry
    assert domain.id is not None
    return domain.id


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == reminders.__name__ and r.levelno == logging.WARNING
    ]


def test_far_future_domain_does_not_stop_the_sweep(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_world(clock, None)
    far_id = add_stored_domain(world, "csv-far.com", FAR_FUTURE)
    world.domain.expiration_date = clock.today() + timedelta(days=10)

    result = world.sweep()

    assert world.email.subjects() == ["example.com expires in 10 days"]
    assert result.sent == 1
    assert result.planning_errors == 0
    assert world.uow.reminders.list_for_domain(far_id) == []


def test_far_future_domain_is_planned_with_one_warning(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_world(clock, None)
    far_id = add_stored_domain(world, "csv-far.com", FAR_FUTURE)

    reminders.plan_reminders(world.uow, clock, far_id)
    world.sweep()
    world.next_day()

    assert world.uow.reminders.list_for_domain(far_id) == []
    assert warnings_of(caplog) == [
        (
            f"domain {far_id} gets no reminders: expiry date 9999-12-31 is outside "
            "1985-01-01 to 2199-12-31"
        )
    ]


def test_date_moved_far_cancels_pending_reminders(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    reminders.plan_reminders(world.uow, clock, world.domain_id)
    world.domain.expiration_date = FAR_FUTURE

    result = world.sweep()

    assert world.email.sent == []
    assert result.sent == 0
    assert world.rows(ReminderStatus.PENDING) == []
    assert {r.last_error for r in world.rows(ReminderStatus.CANCELLED)} == {
        "the expiry date changed to 9999-12-31"
    }


def test_planning_error_spares_the_other_domains(
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = make_world(clock, None)
    broken_id = add_stored_domain(world, "broken.com", clock.today())
    world.domain.expiration_date = clock.today() + timedelta(days=10)
    get_domain = world.uow.domains.get

    def get(domain_id: int) -> Domain | None:
        if domain_id == broken_id:
            raise RuntimeError("row cannot be read")
        return get_domain(domain_id)

    monkeypatch.setattr(world.uow.domains, "get", get)
    result = world.sweep()

    assert world.email.subjects() == ["example.com expires in 10 days"]
    assert result.planning_errors == 1
    assert result.planned_domains == 1
    assert "planning errors 1" in result.summary()
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert logged.getMessage() == f"planning reminders of domain {broken_id} failed"
    assert logged.exc_info is not None


def test_plan_all_goes_on_after_an_error(
    clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(clock, None)
    broken_id = add_stored_domain(world, "broken.com", clock.today())
    world.domain.expiration_date = clock.today() + timedelta(days=10)
    get_domain = world.uow.domains.get

    def get(domain_id: int) -> Domain | None:
        if domain_id == broken_id:
            raise RuntimeError("row cannot be read")
        return get_domain(domain_id)

    monkeypatch.setattr(world.uow.domains, "get", get)
    planned = reminders.plan_all_reminders(world.uow, clock)

    assert planned == 1
    assert {r.threshold_days for r in world.rows(ReminderStatus.PENDING)} == {
        14,
        7,
        3,
        1,
        0,
    }


# Channels that are not configured ---------------------------------------------


def telegram_on(world: World) -> None:
    reminders.update_preferences(
        world.uow,
        world.clock,
        world.user_id,
        thresholds_text="",
        notify_email=True,
        notify_telegram=True,
        telegram_chat_id="123456789",
        language="en",
    )


def test_unconfigured_channel_is_never_attempted(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_world(clock, 10)
    world.email.configured = False

    results = [world.sweep()]
    for _ in range(reminders.MAX_ATTEMPTS + 2):
        clock.advance(reminders.MAX_RETRY_DELAY)
        results.append(world.sweep())

    [due] = [r for r in world.rows(ReminderStatus.PENDING) if r.threshold_days == 14]
    assert world.rows(ReminderStatus.FAILED) == []
    assert (due.attempts, due.claimed_at, due.last_error) == (0, None, None)
    assert [r.waiting for r in results[:2]] == [1, 1]
    assert sum(r.failed + r.retrying + r.sent for r in results) == 0
    assert warnings_of(caplog)[0] == (
        "email is not configured and 1 due reminders are waiting. "
        "To send them, set SMTP_HOST, and MAIL_FROM or the mail sender setting"
    )


def test_reminder_goes_out_once_channel_is_configured(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.email.configured = False
    world.sweep()
    clock.advance(timedelta(hours=3))
    world.sweep()

    world.email.configured = True
    result = world.sweep()

    assert result.sent == 1
    assert result.waiting == 0
    assert world.email.subjects() == ["example.com expires in 10 days"]
    [sent] = world.rows(ReminderStatus.SENT)
    assert sent.attempts == 1


def test_late_configuration_sends_only_latest_threshold(clock: FixedClock) -> None:
    world = make_world(clock, 40)
    world.email.configured = False
    for _ in range(27):
        world.next_day()

    world.email.configured = True
    world.sweep()

    assert world.email.subjects() == ["example.com expires in 13 days"]
    superseded = world.rows(ReminderStatus.CANCELLED)
    assert [r.threshold_days for r in superseded] == [30]
    assert superseded[0].last_error == "a reminder for a later threshold replaced it"


def test_one_warning_per_unconfigured_channel(
    clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_world(clock, 10)
    add_stored_domain(world, "example.net", clock.today() + timedelta(days=5))
    telegram_on(world)
    world.telegram.configured = False

    result = world.sweep()

    assert result.sent == 2
    assert result.waiting == 2
    assert [recipient for recipient, _ in world.email.sent] == [
        "owner@example.org",
        "owner@example.org",
    ]
    assert warnings_of(caplog) == [
        (
            "telegram is not configured and 2 due reminders are waiting. "
            "To send them, set the Telegram bot token in the admin settings"
        )
    ]


def test_missing_notifier_leaves_reminders_pending(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    telegram_on(world)

    result = reminders.send_due_reminders(
        world.uow, clock, {"email": world.email}, BASE_URL
    )

    telegram_rows = [r for r in world.rows() if r.channel == Channel.TELEGRAM]
    assert result.sent == 1
    assert result.waiting == 1
    assert {r.status for r in telegram_rows} == {ReminderStatus.PENDING}
    assert {r.attempts for r in telegram_rows} == {0}


def test_waiting_reminders_lists_unconfigured_channels(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.telegram.configured = False
    notifiers = {"email": world.email, "telegram": world.telegram}

    before = reminders.waiting_reminders(world.uow, clock, notifiers)
    reminders.plan_reminders(world.uow, clock, world.domain_id)
    world.email.configured = False
    after = reminders.waiting_reminders(world.uow, clock, notifiers)

    assert before == {Channel.TELEGRAM: 0}
    assert after == {Channel.EMAIL: 1, Channel.TELEGRAM: 0}


# Settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chat_id", "expected"),
    [
        ("123", "123"),
        (" -1001234567890 ", "-1001234567890"),
        ("@my_channel", "@my_channel"),
        ("", None),
    ],
)
def test_chat_id_accepts_numbers_and_channel_names(
    chat_id: str, expected: str | None
) -> None:
    assert reminders.normalise_chat_id(chat_id) == expected


@pytest.mark.parametrize("chat_id", ["12a", "@ab", "https://t.me/x", "1 2"])
def test_chat_id_rejects_other_text(chat_id: str) -> None:
    with pytest.raises(reminders.ReminderSettingsError):
        reminders.normalise_chat_id(chat_id)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"thresholds_text": "30, x"}, "positive whole number"),
        ({"thresholds_text": "400"}, "at most 365"),
        ({"notify_telegram": True}, "Telegram chat id"),
        ({"language": "de"}, "not supported"),
    ],
)
def test_invalid_preferences_are_rejected(
    clock: FixedClock, changes: dict[str, object], message: str
) -> None:
    world = make_world(clock, 10)
    values: dict[str, object] = {
        "thresholds_text": "",
        "notify_email": True,
        "notify_telegram": False,
        "telegram_chat_id": "",
        "language": "en",
    }
    values.update(changes)

    with pytest.raises(reminders.ReminderSettingsError, match=message):
        reminders.update_preferences(
            world.uow,
            clock,
            world.user_id,
            **values,  # type: ignore[arg-type]
        )


def test_preferences_show_default_until_user_sets_own(clock: FixedClock) -> None:
    world = make_world(clock, 10)

    before = reminders.get_preferences(world.uow, world.user_id)
    reminders.update_preferences(
        world.uow,
        clock,
        world.user_id,
        thresholds_text="7,30,7",
        notify_email=True,
        notify_telegram=False,
        telegram_chat_id="",
        language="ru",
    )
    after = reminders.get_preferences(world.uow, world.user_id)

    assert before.thresholds is None
    assert before.effective_thresholds == (30, 14, 7, 3, 1)
    assert after.thresholds == (30, 7)
    assert after.language == "ru"


def test_test_message_needs_a_chat_id(clock: FixedClock) -> None:
    world = make_world(clock, 10)

    with pytest.raises(reminders.ReminderSettingsError, match="chat id"):
        reminders.send_test_message(world.uow, world.telegram, BASE_URL, world.user_id)


def test_test_message_goes_to_the_chat(clock: FixedClock) -> None:
    world = make_world(clock, 10)
    world.user.telegram_chat_id = "42"

    chat = reminders.send_test_message(
        world.uow, world.telegram, BASE_URL, world.user_id
    )

    assert chat == "42"
    assert world.telegram.sent[0][0] == "42"
    assert "test message" in world.telegram.sent[0][1].text


# The expiry policy -----------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "sent", "expected"),
    [
        (40, (), None),
        (30, (), 30),
        (29, (), 30),
        (14, (), 14),
        (10, (), 14),
        (10, (14,), None),
        (10, (30,), 14),
        (7, (14,), 7),
        (0, (), 1),
        (-1, (), None),
        (None, (), None),
    ],
)
def test_due_threshold(
    days: int | None, sent: tuple[int, ...], expected: int | None
) -> None:
    assert ExpiryPolicy().due_threshold(days, sent) == expected


def test_due_threshold_takes_a_users_list() -> None:
    assert ExpiryPolicy().due_threshold(12, thresholds=(60, 21)) == 21
