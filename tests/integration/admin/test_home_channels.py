"""The admin home names each reminder channel that cannot send yet."""

from __future__ import annotations

from datetime import datetime, timedelta

from dependency_injector import providers
from sqlalchemy import insert

from tests.integration.admin.conftest import Accounts, Browser, seed_domains
from tracker.adapters import orm
from tracker.adapters.clock import FixedClock
from tracker.adapters.notify import SmtpConfig, SmtpNotifier
from tracker.entrypoints.container import Container
from tracker.services.settings import KEY_TELEGRAM_TOKEN, set_text


def add_pending(
    container: Container, domain_id: int, channel: str, due_at: datetime, days: int
) -> None:
    """Insert a pending threshold reminder that falls due at `due_at`."""
    with container.engine().begin() as connection:
        connection.execute(
            insert(orm.notifications),
            {
                "domain_id": domain_id,
                "notification_type": channel,
                "kind": "threshold",
                "threshold_days": days,
                "expiration_date": due_at.date() + timedelta(days=days),
                "status": "pending",
                "scheduled_for": due_at,
                "next_attempt_at": due_at,
                "created_at": due_at,
                "attempts": 0,
            },
        )


def test_home_counts_reminders_waiting_per_channel(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    container.smtp_notifier.override(providers.Object(SmtpNotifier(SmtpConfig())))
    [domain_id] = seed_domains(container, accounts_.user_id, 1, today=clock.today())
    past, future = clock.now() - timedelta(days=3), clock.now() + timedelta(days=1)
    add_pending(container, domain_id, "email", past, 14)
    add_pending(container, domain_id, "email", clock.now(), 7)
    add_pending(container, domain_id, "email", future, 3)
    add_pending(container, domain_id, "telegram", past, 14)

    page = admin.get("/admin/").get_data(as_text=True)

    assert "Email is not configured: 2 reminders waiting." in page
    assert "Telegram is not configured: 1 reminder waiting." in page


def test_home_is_quiet_when_channels_are_configured(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    config = SmtpConfig(host="127.0.0.1", mail_from="reminders@example.org")
    container.smtp_notifier.override(providers.Object(SmtpNotifier(config)))
    set_text(container.uow(), KEY_TELEGRAM_TOKEN, "123456:admin-home")
    [domain_id] = seed_domains(container, accounts_.user_id, 1, today=clock.today())
    add_pending(container, domain_id, "email", clock.now(), 14)

    page = admin.get("/admin/").get_data(as_text=True)

    assert "data-waiting" not in page
    assert "is not configured" not in page
