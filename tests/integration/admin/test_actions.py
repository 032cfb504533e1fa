"""Admin actions through the web: each changes the database through its service."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from tests.integration.admin.conftest import (
    USER_EMAIL,
    Accounts,
    Browser,
    seed_domains,
)
from tests.unit.fakes import FakeJobQueue
from tracker.adapters import orm
from tracker.adapters.clock import FixedClock
from tracker.domain.model import ReminderStatus
from tracker.entrypoints.container import Container
from tracker.entrypoints.jobs import check_domain_job


def flags(container: Container, user_id: int) -> tuple[bool, bool] | None:
    with container.uow() as uow:
        user = uow.users.get(user_id)
    return None if user is None else (user.is_admin, user.is_active)


def act(admin: Browser, view: str, action: str, *ids: int) -> str:
    response = admin.post(
        f"/admin/{view}/action/",
        {"action": action, "rowid": [str(row_id) for row_id in ids]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


@pytest.fixture
def admin_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="tracker.services.admin")
    caplog.set_level(logging.INFO, logger="tracker.entrypoints.admin")
    return caplog


def test_deactivate_and_activate_user(
    admin: Browser,
    member: Browser,
    accounts_: Accounts,
    container: Container,
    admin_log: pytest.LogCaptureFixture,
) -> None:
    assert member.get("/admin/").status_code == 403

    page = act(admin, "users", "deactivate", accounts_.user_id)

    assert "1 user(s) deactivated." in page
    assert flags(container, accounts_.user_id) == (False, False)
    # The member's session no longer counts: it is treated as anonymous.
    assert member.get("/admin/").headers["Location"].startswith("/login")
    assert (
        f"admin {accounts_.admin_id} deactivated user {accounts_.user_id} "
        f"({USER_EMAIL})" in admin_log.messages
    )

    act(admin, "users", "activate", accounts_.user_id)

    assert flags(container, accounts_.user_id) == (False, True)


def test_deactivated_user_cannot_log_in(
    admin: Browser, anonymous: Browser, accounts_: Accounts
) -> None:
    act(admin, "users", "deactivate", accounts_.user_id)

    response = anonymous.post(
        "/login", {"email": USER_EMAIL, "password": "correct-horse-42"}
    )

    assert response.status_code == 200  # the form again, with an error
    assert anonymous.get("/admin/").headers["Location"].startswith("/login")


def test_promote_and_demote_user(
    admin: Browser, member: Browser, accounts_: Accounts, container: Container
) -> None:
    act(admin, "users", "promote", accounts_.user_id)

    assert flags(container, accounts_.user_id) == (True, True)
    assert member.get("/admin/").status_code == 200

    act(admin, "users", "demote", accounts_.user_id)

    assert flags(container, accounts_.user_id) == (False, True)
    assert member.get("/admin/").status_code == 403


@pytest.mark.parametrize("action", ["demote", "deactivate", "delete"])
def test_last_admin_cannot_lose_rights(
    admin: Browser, accounts_: Accounts, container: Container, action: str
) -> None:
    page = act(admin, "users", action, accounts_.admin_id)

    assert "it is the last active admin" in page
    assert flags(container, accounts_.admin_id) == (True, True)


def test_last_admin_cannot_be_deleted_from_its_row(
    admin: Browser, accounts_: Accounts, container: Container
) -> None:
    response = admin.post(
        "/admin/users/delete/",
        {"id": str(accounts_.admin_id), "url": "/admin/users/"},
        follow_redirects=True,
    )

    assert "it is the last active admin" in response.get_data(as_text=True)
    assert flags(container, accounts_.admin_id) == (True, True)


def test_admin_can_go_when_another_remains(
    admin: Browser, accounts_: Accounts, container: Container
) -> None:
    act(admin, "users", "promote", accounts_.user_id)

    response = admin.post(
        "/admin/users/action/",
        {"action": "demote", "rowid": str(accounts_.admin_id)},
    )

    assert response.status_code == 302
    assert flags(container, accounts_.admin_id) == (False, True)
    assert admin.get("/admin/").status_code == 403


def test_delete_user_removes_their_domains(
    admin: Browser, accounts_: Accounts, container: Container, clock: FixedClock
) -> None:
    seed_domains(container, accounts_.user_id, 3, today=clock.today())

    response = admin.post(
        "/admin/users/delete/",
        {"id": str(accounts_.user_id), "url": "/admin/users/"},
        follow_redirects=True,
    )

    assert response.status_code == 200
    assert flags(container, accounts_.user_id) is None
    with container.engine().connect() as connection:
        assert connection.execute(select(orm.domains.c.id)).all() == []


def test_check_now_queues_one_job_per_domain(
    admin: Browser,
    accounts_: Accounts,
    container: Container,
    clock: FixedClock,
    job_queue: FakeJobQueue,
    admin_log: pytest.LogCaptureFixture,
) -> None:
    ids = seed_domains(container, accounts_.user_id, 3, today=clock.today())

    page = act(admin, "domains", "check_now", ids[0], ids[2], 9999)

    assert job_queue.jobs == [
        (check_domain_job, (ids[0],), {}),
        (check_domain_job, (ids[2],), {}),
    ]
    assert "Queued a check of 2 domain(s)." in page
    assert "1 domain(s) no longer exist." in page
    assert (
        f"admin {accounts_.admin_id} queued a check of domain {ids[0]}"
        in admin_log.messages
    )


def test_delete_domain_goes_through_service(
    admin: Browser,
    accounts_: Accounts,
    container: Container,
    clock: FixedClock,
    admin_log: pytest.LogCaptureFixture,
) -> None:
    ids = seed_domains(container, accounts_.user_id, 2, today=clock.today())

    admin.post("/admin/domains/delete/", {"id": str(ids[0]), "url": "/admin/"})

    with container.engine().connect() as connection:
        left = connection.execute(select(orm.domains.c.id)).scalars().all()
    assert left == [ids[1]]
    assert (
        f"admin {accounts_.admin_id} deleted domain {ids[0]} (seed2-0.com) "
        f"of user {accounts_.user_id}" in admin_log.messages
    )


def add_reminder(container: Container, domain_id: int, status: str, days: int) -> int:
    with container.engine().begin() as connection:
        result = connection.execute(
            insert(orm.notifications).returning(orm.notifications.c.id),
            {
                "domain_id": domain_id,
                "notification_type": "email",
                "kind": "threshold",
                "threshold_days": days,
                "expiration_date": date(2026, 12, 11),
                "status": status,
                "scheduled_for": container.clock().now() - timedelta(days=1),
                "created_at": container.clock().now() - timedelta(days=1),
                "attempts": 5,
                "last_error": "550 mailbox unavailable",
            },
        )
        return int(result.scalar_one())


def test_retry_requeues_failed_reminders(
    admin: Browser,
    accounts_: Accounts,
    container: Container,
    clock: FixedClock,
    admin_log: pytest.LogCaptureFixture,
) -> None:
    domain_id = seed_domains(container, accounts_.user_id, 1, today=clock.today())[0]
    failed = add_reminder(container, domain_id, "failed", 7)
    sent = add_reminder(container, domain_id, "sent", 14)

    page = act(admin, "notifications", "retry", failed, sent)

    with container.uow() as uow:
        retried = uow.reminders.get(failed)
        untouched = uow.reminders.get(sent)
    assert retried is not None and untouched is not None
    assert retried.status is ReminderStatus.PENDING
    assert retried.next_attempt_at == clock.now()
    assert untouched.status is ReminderStatus.SENT
    assert "1 reminder(s) will be sent again." in page
    assert "1 reminder(s) skipped" in page
    assert (
        f"admin {accounts_.admin_id} queued reminder {failed} again"
        in admin_log.messages
    )


def test_read_only_lists_refuse_edits(
    admin: Browser, accounts_: Accounts, container: Container, clock: FixedClock
) -> None:
    domain_id = seed_domains(container, accounts_.user_id, 1, today=clock.today())[0]
    reminder_id = add_reminder(container, domain_id, "failed", 7)

    admin.post("/admin/notifications/delete/", {"id": str(reminder_id)})
    admin.post("/admin/notifications/edit/?id=" + str(reminder_id), {"status": "sent"})
    admin.post("/admin/checks/new/", {"success": "y"})

    with container.uow() as uow:
        reminder = uow.reminders.get(reminder_id)
        assert reminder is not None
        assert reminder.status is ReminderStatus.FAILED
        assert uow.check_logs.list_for_domain(domain_id) == []
