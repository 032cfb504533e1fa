"""Reminders by email through SmtpNotifier to an aiosmtpd server on loopback."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.reminders.conftest import (
    SmtpHandler,
    SmtpServer,
    UowFactory,
    add_domain,
    add_owner,
    free_port,
)
from tracker.adapters.clock import FixedClock
from tracker.adapters.notify import SmtpConfig, SmtpNotifier
from tracker.domain.model import ReminderStatus
from tracker.services import reminders
from tracker.services.ports import Message, NotificationFailed

BASE_URL = "https://tracker.example.org"
SENDER = "Tracker <reminders@tracker.example.org>"


def notifier_for(port: int, sender: str | None = None) -> SmtpNotifier:
    config = SmtpConfig(
        host="127.0.0.1", port=port, security="none", mail_from=SENDER, timeout=5
    )
    return SmtpNotifier(config, sender=lambda: sender)


def sweep(
    uow: UowFactory, clock: FixedClock, notifier: SmtpNotifier
) -> reminders.SweepResult:
    return reminders.send_due_reminders(uow(), clock, {"email": notifier}, BASE_URL)


def statuses(uow: UowFactory, domain_id: int) -> list[tuple[int, ReminderStatus]]:
    with uow() as unit:
        rows = unit.reminders.list_for_domain(domain_id)
        return [(r.threshold_days, r.status) for r in rows if r.attempts]


def test_email_has_headers_and_both_parts(
    sqlite_uow: UowFactory, clock: FixedClock, smtp_server: SmtpServer
) -> None:
    owner = add_owner(sqlite_uow(), clock, "owner@example.org")
    add_domain(sqlite_uow(), clock, owner, "example.com", 10)

    result = sweep(sqlite_uow, clock, notifier_for(smtp_server.port))

    [email] = smtp_server.handler.messages()
    assert result.sent == 1
    assert email["From"] == SENDER
    assert email["To"] == "owner@example.org"
    assert email["Subject"] == "example.com expires in 10 days"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["Message-ID"].endswith("@tracker.example.org>")
    assert email["Date"]
    assert email.get_content_type() == "multipart/alternative"
    plain = email.get_body(("plain",))
    html = email.get_body(("html",))
    assert plain is not None and html is not None
    text = plain.get_content()
    assert "example.com" in text
    assert "Days left: 10" in text
    assert "Expires on: 14 December 2026" in text
    assert "Registrar: Example Registrar" in text
    assert "Expiry date from: entered by hand" in text
    assert f"{BASE_URL}/" in text
    assert "<table>" in html.get_content()
    assert f'href="{BASE_URL}/"' in html.get_content()


def test_cyrillic_subject_is_encoded(
    sqlite_uow: UowFactory, clock: FixedClock, smtp_server: SmtpServer
) -> None:
    owner = add_owner(sqlite_uow(), clock, "vladelets@example.org", language="ru")
    add_domain(sqlite_uow(), clock, owner, "пример.рф", 3)

    sweep(sqlite_uow, clock, notifier_for(smtp_server.port))

    [raw] = smtp_server.handler.received
    subject_line = next(
        line for line in raw.split(b"\r\n") if line.startswith(b"Subject:")
    )
    assert subject_line.startswith(b"Subject: =?utf-8?")
    assert raw.isascii()
    [email] = smtp_server.handler.messages()
    assert email["Subject"] == "пример.рф: срок регистрации истекает через 3 дня"
    plain = email.get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    assert "Домен: пример.рф (xn--e1afmkfd.xn--p1ai)" in text
    assert "Срок истекает: 7 декабря 2026" in text


def test_admin_sender_overrides_mail_from(
    sqlite_uow: UowFactory, clock: FixedClock, smtp_server: SmtpServer
) -> None:
    owner = add_owner(sqlite_uow(), clock, "owner@example.org")
    add_domain(sqlite_uow(), clock, owner, "example.com", 1)
    notifier = notifier_for(smtp_server.port, sender="alerts@example.net")

    sweep(sqlite_uow, clock, notifier)

    [email] = smtp_server.handler.messages()
    assert email["From"] == "alerts@example.net"


def test_server_refusing_then_accepting_gets_each_message_once(
    sqlite_uow: UowFactory, clock: FixedClock, smtp_server: SmtpServer
) -> None:
    owner = add_owner(sqlite_uow(), clock, "owner@example.org")
    first = add_domain(sqlite_uow(), clock, owner, "example.com", 10)
    add_domain(sqlite_uow(), clock, owner, "example.net", 5)
    handler = smtp_server.handler
    handler.data_replies = ["451 4.3.0 try again later"] * 2
    notifier = notifier_for(smtp_server.port)

    refused = sweep(sqlite_uow, clock, notifier)
    too_early = sweep(sqlite_uow, clock, notifier)
    clock.advance(reminders.retry_delay(1))
    accepted = sweep(sqlite_uow, clock, notifier)
    clock.advance(timedelta(days=1))
    sweep(sqlite_uow, clock, notifier)

    assert (refused.retrying, refused.sent) == (2, 0)
    assert too_early.sent == 0
    assert accepted.sent == 2
    assert handler.data_commands == 4
    subjects = sorted(m["Subject"] for m in handler.messages())
    assert subjects == [
        "example.com expires in 10 days",
        "example.net expires in 5 days",
    ]
    assert statuses(sqlite_uow, first) == [(14, ReminderStatus.SENT)]


def test_refused_connection_retries_until_server_is_up(
    sqlite_uow: UowFactory, clock: FixedClock
) -> None:
    owner = add_owner(sqlite_uow(), clock, "owner@example.org")
    domain_id = add_domain(sqlite_uow(), clock, owner, "example.com", 10)
    server = SmtpServer(SmtpHandler(), free_port())
    notifier = notifier_for(server.port)

    down = sweep(sqlite_uow, clock, notifier)
    with sqlite_uow() as unit:
        [row] = [r for r in unit.reminders.list_for_domain(domain_id) if r.attempts]
    server.start()
    try:
        clock.advance(reminders.retry_delay(1))
        up = sweep(sqlite_uow, clock, notifier)
        sweep(sqlite_uow, clock, notifier)
    finally:
        server.stop()

    assert down.retrying == 1
    assert row.status == ReminderStatus.PENDING
    assert row.last_error is not None
    assert "refused" in row.last_error.lower()
    assert up.sent == 1
    assert len(server.handler.received) == 1


def test_recipient_5xx_is_recorded_as_failed(
    sqlite_uow: UowFactory, clock: FixedClock, smtp_server: SmtpServer
) -> None:
    owner = add_owner(sqlite_uow(), clock, "nobody@example.org")
    domain_id = add_domain(sqlite_uow(), clock, owner, "example.com", 10)
    smtp_server.handler.rcpt_replies = ["550 5.1.1 mailbox unavailable"]
    notifier = notifier_for(smtp_server.port)

    result = sweep(sqlite_uow, clock, notifier)
    clock.advance(timedelta(hours=6))
    sweep(sqlite_uow, clock, notifier)

    assert result.failed == 1
    with sqlite_uow() as unit:
        [row] = [r for r in unit.reminders.list_for_domain(domain_id) if r.attempts]
    assert row.status == ReminderStatus.FAILED
    assert row.attempts == 1
    assert row.last_error == (
        "SMTP server rejected recipient nobody@example.org: "
        "550 5.1.1 mailbox unavailable"
    )
    assert smtp_server.handler.received == []


def test_missing_host_is_a_transient_failure() -> None:
    notifier = SmtpNotifier(SmtpConfig(mail_from=SENDER))
    message = Message("subject", "text", "<p>html</p>")

    with pytest.raises(NotificationFailed) as failure:
        notifier.send("owner@example.org", message)

    assert failure.value.permanent is False
    assert failure.value.message == "SMTP_HOST is not set"


@pytest.mark.parametrize(
    ("host", "mail_from", "sender", "expected"),
    [
        (None, SENDER, SENDER, False),
        ("127.0.0.1", None, None, False),
        ("127.0.0.1", SENDER, None, True),
        ("127.0.0.1", None, SENDER, True),
    ],
)
def test_configured_needs_host_and_sender(
    host: str | None, mail_from: str | None, sender: str | None, expected: bool
) -> None:
    config = SmtpConfig(host=host, mail_from=mail_from)

    notifier = SmtpNotifier(config, sender=lambda: sender)

    assert notifier.is_configured() is expected


def test_unset_host_leaves_reminder_pending_until_set(
    sqlite_uow: UowFactory, clock: FixedClock, smtp_server: SmtpServer
) -> None:
    owner = add_owner(sqlite_uow(), clock, "owner@example.org")
    domain_id = add_domain(sqlite_uow(), clock, owner, "example.com", 10)
    unset = SmtpNotifier(SmtpConfig(mail_from=SENDER))

    waiting = [sweep(sqlite_uow, clock, unset).waiting]
    for _ in range(reminders.MAX_ATTEMPTS + 1):
        clock.advance(reminders.MAX_RETRY_DELAY)
        waiting.append(sweep(sqlite_uow, clock, unset).waiting)
    attempted_before = statuses(sqlite_uow, domain_id)
    result = sweep(sqlite_uow, clock, notifier_for(smtp_server.port))

    assert set(waiting) == {1}
    assert attempted_before == []
    assert result.sent == 1
    assert statuses(sqlite_uow, domain_id) == [(14, ReminderStatus.SENT)]
    [email] = smtp_server.handler.messages()
    assert email["Subject"] == "example.com expires in 8 days"
