"""Admin use cases on the in-memory fakes."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.unit.fakes import FakeHasher, FakeJobQueue, FakeUnitOfWork
from tracker.adapters.clock import FixedClock
from tracker.domain.model import (
    Channel,
    Domain,
    Reminder,
    ReminderKind,
    ReminderStatus,
    User,
)
from tracker.domain.names import DomainName
from tracker.services import accounts, admin, settings


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def add_user(uow: FakeUnitOfWork, email: str, **flags: bool) -> int:
    user = User(email, "hashed:x", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    for name, value in flags.items():
        setattr(user, name, value)
    uow.users.add(user)
    assert user.id is not None
    return user.id


def flags(uow: FakeUnitOfWork, user_id: int) -> tuple[bool, bool]:
    user = uow.users.get(user_id)
    assert user is not None
    return user.is_admin, user.is_active


def test_promote_and_demote_toggle_admin_flag(uow: FakeUnitOfWork) -> None:
    add_user(uow, "root@example.org", is_admin=True)
    member = add_user(uow, "member@example.org")

    assert admin.promote_user(uow, 1, member) is True
    assert flags(uow, member) == (True, True)
    assert admin.demote_user(uow, 1, member) is True
    assert flags(uow, member) == (False, True)


def test_repeated_change_reports_no_change(uow: FakeUnitOfWork) -> None:
    root = add_user(uow, "root@example.org", is_admin=True)
    member = add_user(uow, "member@example.org")

    assert admin.activate_user(uow, root, member) is False
    assert admin.promote_user(uow, root, root) is False
    assert uow.committed == 0


@pytest.mark.parametrize(
    "change", [admin.demote_user, admin.deactivate_user, admin.delete_user]
)
def test_last_active_admin_is_protected(uow: FakeUnitOfWork, change: object) -> None:
    root = add_user(uow, "root@example.org", is_admin=True)
    add_user(uow, "member@example.org")
    add_user(uow, "retired@example.org", is_admin=True, is_active=False)

    with pytest.raises(admin.LastAdminError, match="last active admin"):
        change(uow, root, root)  # type: ignore[operator]

    # The fake store has no transactions; only the missing commit shows here.
    assert uow.committed == 0


@pytest.mark.parametrize(
    "change", [admin.demote_user, admin.deactivate_user, admin.delete_user]
)
def test_admin_can_go_while_another_remains(
    uow: FakeUnitOfWork, change: object
) -> None:
    root = add_user(uow, "root@example.org", is_admin=True)
    second = add_user(uow, "second@example.org", is_admin=True)

    change(uow, root, second)  # type: ignore[operator]

    assert uow.users.list_active_admins()[0].id == root
    assert uow.committed == 1


def test_inactive_admin_can_be_demoted_and_deleted(uow: FakeUnitOfWork) -> None:
    add_user(uow, "root@example.org", is_admin=True)
    retired = add_user(uow, "retired@example.org", is_admin=True, is_active=False)

    assert admin.demote_user(uow, 1, retired) is True
    assert admin.delete_user(uow, 1, retired) == "retired@example.org"
    assert uow.users.get(retired) is None


def test_plain_users_change_with_no_admin_at_all(uow: FakeUnitOfWork) -> None:
    member = add_user(uow, "member@example.org")

    assert admin.deactivate_user(uow, None, member) is True
    assert admin.activate_user(uow, None, member) is True
    assert admin.delete_user(uow, None, member) == "member@example.org"


def test_deactivated_user_cannot_log_in(uow: FakeUnitOfWork, clock: FixedClock) -> None:
    hasher = FakeHasher()
    member = accounts.register_user(
        uow, hasher, clock, "member@example.org", "Good-pass-1"
    )

    admin.deactivate_user(uow, 99, member)

    assert (
        accounts.authenticate(uow, hasher, clock, "member@example.org", "Good-pass-1")
        is None
    )
    assert accounts.get_active_user(uow, member) is None


def test_delete_user_removes_their_domains(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    add_user(uow, "root@example.org", is_admin=True)
    member = add_user(uow, "member@example.org")
    uow.domains.add(Domain(member, DomainName("example.com"), created_at=clock.now()))

    admin.delete_user(uow, 1, member)

    assert uow.domains.list_all() == []


def test_unknown_user_raises_not_found(uow: FakeUnitOfWork) -> None:
    with pytest.raises(admin.UserNotFound, match="user 42 not found"):
        admin.promote_user(uow, 1, 42)
    with pytest.raises(admin.UserNotFound, match="nobody@example.org"):
        admin.find_user_id(uow, "Nobody@Example.org")


def test_changes_are_logged_with_admin_id(
    uow: FakeUnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    root = add_user(uow, "root@example.org", is_admin=True)
    member = add_user(uow, "member@example.org")
    caplog.set_level(logging.INFO, logger="tracker.services.admin")

    admin.deactivate_user(uow, root, member)
    admin.promote_user(uow, None, member)

    messages = [r.getMessage() for r in caplog.records]
    assert f"admin {root} deactivated user {member} (member@example.org)" in messages
    assert f"command line promoted user {member} (member@example.org)" in messages
    assert all(r.levelno == logging.INFO for r in caplog.records)


def test_create_admin_makes_active_admin(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    user_id = admin.create_admin(
        uow, FakeHasher(), clock, "Root@Example.org", "Good-pass-1"
    )

    assert flags(uow, user_id) == (True, True)
    assert admin.find_user_id(uow, "root@example.org") == user_id


def test_create_admin_rejects_weak_password(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(accounts.WeakPassword):
        admin.create_admin(uow, FakeHasher(), clock, "root@example.org", "1234567")
    assert uow.users.list() == []


def test_create_admin_for_existing_email_suggests_promote(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    add_user(uow, "member@example.org")

    with pytest.raises(accounts.DuplicateAccount, match="users promote"):
        admin.create_admin(
            uow, FakeHasher(), clock, "member@example.org", "Good-pass-1"
        )


def reminder(domain_id: int, status: ReminderStatus, clock: FixedClock) -> Reminder:
    return Reminder(
        domain_id=domain_id,
        channel=Channel.EMAIL,
        kind=ReminderKind.THRESHOLD,
        threshold_days=7,
        expiration_date=date(2026, 12, 11),
        scheduled_for=clock.now() - timedelta(days=1),
        created_at=clock.now() - timedelta(days=1),
        status=status,
        attempts=3,
        last_error="SMTP 451 try later",
        claimed_at=clock.now() - timedelta(hours=2),
    )


def test_retry_requeues_failed_reminders_only(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    failed = reminder(1, ReminderStatus.FAILED, clock)
    sent = reminder(1, ReminderStatus.SENT, clock)
    uow.reminders.add(failed)
    uow.reminders.add(sent)
    assert failed.id is not None and sent.id is not None

    result = admin.retry_reminders(uow, clock, 1, [failed.id, sent.id, 999])

    assert result == admin.BatchResult(1, (sent.id, 999))
    assert failed.status is ReminderStatus.PENDING
    assert failed.next_attempt_at == clock.now()
    assert failed.claimed_at == clock.now() - timedelta(hours=2)
    assert failed.attempts == 3
    assert failed.last_error == "SMTP 451 try later"
    assert sent.status is ReminderStatus.SENT


def test_queue_checks_skips_missing_domains(
    uow: FakeUnitOfWork, clock: FixedClock
) -> None:
    domain = Domain(1, DomainName("example.com"), created_at=clock.now())
    uow.domains.add(domain)
    queue = FakeJobQueue()

    def check_job(domain_id: int) -> None:
        return None

    result = admin.queue_checks(uow, queue, check_job, 1, [domain.id, 404])

    assert result == admin.BatchResult(1, (404,))
    assert queue.jobs == [(check_job, (domain.id,), {})]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("7, 30, 7, 14", (30, 14, 7)),
        ("1", (1,)),
        ("3;1", (3, 1)),
    ],
)
def test_thresholds_stored_sorted_without_duplicates(
    uow: FakeUnitOfWork, text: str, stored: tuple[int, ...]
) -> None:
    settings.set_default_thresholds(uow, text)

    assert settings.default_thresholds(uow) == stored


@pytest.mark.parametrize("text", ["0", "-3", "7, x", "1.5", ""])
def test_thresholds_reject_non_positive_whole_numbers(
    uow: FakeUnitOfWork, text: str
) -> None:
    with pytest.raises(settings.InvalidSetting):
        settings.set_default_thresholds(uow, text)


@pytest.mark.parametrize(
    "sender", ["noreply@example.org", "Tracker <noreply@example.org>"]
)
def test_mail_sender_accepts_address_forms(uow: FakeUnitOfWork, sender: str) -> None:
    settings.set_mail_sender(uow, f"  {sender} ")

    assert settings.mail_sender(uow) == sender


@pytest.mark.parametrize(
    "sender", ["noreply", "a@b", "x@example.org\nBcc: victim@example.org"]
)
def test_mail_sender_rejects_bad_values(uow: FakeUnitOfWork, sender: str) -> None:
    with pytest.raises(settings.InvalidSetting, match="mail sender"):
        settings.set_mail_sender(uow, sender)


def test_mail_sender_clears_with_empty_text(uow: FakeUnitOfWork) -> None:
    settings.set_mail_sender(uow, "noreply@example.org")
    settings.set_mail_sender(uow, " ")

    assert settings.mail_sender(uow) is None


def test_telegram_token_is_validated_and_masked(uow: FakeUnitOfWork) -> None:
    token = "123456789:AAEexampleexampleexampleexample_wxyz"
    settings.set_telegram_token(uow, token)

    assert settings.telegram_token(uow) == token
    assert settings.mask_secret(token).endswith("wxyz")
    assert token[:-4] not in settings.mask_secret(token)
    with pytest.raises(settings.InvalidSetting, match="BotFather"):
        settings.set_telegram_token(uow, "not a token")


def test_tld_source_overrides_and_resets(uow: FakeUnitOfWork) -> None:
    settings.set_tld_source(uow, ".COM", "whois")
    settings.set_tld_source(uow, "ru", "rdap")
    assert settings.tld_sources(lambda: uow) == {"com": "whois", "ru": "rdap"}

    settings.set_tld_source(uow, "com", "auto")

    assert settings.tld_sources(lambda: uow) == {"ru": "rdap"}


@pytest.mark.parametrize(
    ("tld", "mode"), [("co.uk", "rdap"), ("", "rdap"), ("com", "ftp")]
)
def test_tld_source_rejects_bad_values(
    uow: FakeUnitOfWork, tld: str, mode: str
) -> None:
    with pytest.raises(settings.InvalidSetting):
        settings.set_tld_source(uow, tld, mode)


def test_server_limit_override_can_be_removed(uow: FakeUnitOfWork) -> None:
    settings.set_server_limit(uow, "whois.denic.de", settings.ServerLimit(2, 0.5))
    assert settings.server_limits(uow)["whois.denic.de"].per_second == 0.5

    assert settings.remove_server_limit(uow, "WHOIS.denic.de") is True

    default = settings.DEFAULT_SERVER_LIMITS["whois.denic.de"]
    assert settings.server_limits(uow)["whois.denic.de"] == default
    assert settings.remove_server_limit(uow, "whois.denic.de") is False


@pytest.mark.parametrize("host", ["<b>x</b>", "whois example", "http://whois.example/"])
def test_server_limit_rejects_bad_host(host: str) -> None:
    uow = FakeUnitOfWork()

    with pytest.raises(settings.InvalidSetting, match="not a server host name"):
        settings.set_server_limit(uow, host, settings.ServerLimit(1, 1.0))
