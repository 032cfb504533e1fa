"""In-memory fakes of the service ports, for unit tests."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any

from tracker.domain.expiry import EARLIEST_EXPIRY, LATEST_EXPIRY
from tracker.domain.model import (
    Channel,
    CheckLog,
    Domain,
    Registration,
    Reminder,
    ReminderStatus,
    User,
)
from tracker.domain.names import DomainName
from tracker.services import ports


class _Store:
    """Rows shared by every FakeUnitOfWork built from one store."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.users: dict[int, User] = {}
        self.domains: dict[int, Domain] = {}
        self.check_logs: list[CheckLog] = []
        self.reminders: list[Reminder] = []
        self.settings: dict[str, str] = {}


class FakeUserRepository(ports.UserRepository):
    def __init__(self, store: _Store) -> None:
        self.store = store

    def add(self, user: User) -> None:
        user.id = next(self.store.ids)
        self.store.users[user.id] = user

    def get(self, user_id: int) -> User | None:
        return self.store.users.get(user_id)

    def get_by_email(self, email: str) -> User | None:
        return next((u for u in self.store.users.values() if u.email == email), None)

    def list(self) -> Sequence[User]:
        return list(self.store.users.values())

    def list_active_admins(self) -> Sequence[User]:
        users = self.store.users.values()
        return [u for u in users if u.is_admin and u.is_active]

    def delete(self, user: User) -> None:
        assert user.id is not None
        del self.store.users[user.id]
        for domain in [d for d in self.store.domains.values() if d.user_id == user.id]:
            assert domain.id is not None
            del self.store.domains[domain.id]


class FakeDomainRepository(ports.DomainRepository):
    def __init__(self, store: _Store) -> None:
        self.store = store

    def add(self, domain: Domain) -> None:
        domain.id = next(self.store.ids)
        self.store.domains[domain.id] = domain

    def get(self, domain_id: int) -> Domain | None:
        return self.store.domains.get(domain_id)

    def get_for_user(self, user_id: int, domain_id: int) -> Domain | None:
        domain = self.get(domain_id)
        return domain if domain is not None and domain.user_id == user_id else None

    def get_by_name(self, user_id: int, name: str) -> Domain | None:
        return next(
            (
                d
                for d in self.store.domains.values()
                if d.user_id == user_id and d.name == name
            ),
            None,
        )

    def list_for_user(self, user_id: int) -> Sequence[Domain]:
        mine = [d for d in self.store.domains.values() if d.user_id == user_id]
        return sorted(
            mine,
            key=lambda d: (d.expiration_date is None, d.expiration_date or date.max),
        )

    def list_all(self) -> Sequence[Domain]:
        return list(self.store.domains.values())

    def delete(self, domain: Domain) -> None:
        assert domain.id is not None
        del self.store.domains[domain.id]
        # The notifications table cascades on delete; so does the fake.
        reminders = self.store.reminders
        reminders[:] = [r for r in reminders if r.domain_id != domain.id]

    def list_by_name(self, name: str) -> Sequence[Domain]:
        return [d for d in self.store.domains.values() if d.name == name]

    def list_due(
        self, now: datetime, stale_before: datetime, limit: int
    ) -> Sequence[Domain]:
        due = [
            d
            for d in self.store.domains.values()
            if d.next_check_at is not None
            and d.next_check_at <= now
            and _unclaimed(d, stale_before)
        ]
        due.sort(key=_due_order)
        return due[:limit]

    def claim_for_check(
        self, domain_id: int, now: datetime, stale_before: datetime
    ) -> bool:
        domain = self.store.domains.get(domain_id)
        if domain is None or not _unclaimed(domain, stale_before):
            return False
        domain.check_started_at = now
        return True


def _unclaimed(domain: Domain, stale_before: datetime) -> bool:
    started = domain.check_started_at
    return started is None or started < stale_before


def _due_order(domain: Domain) -> tuple[bool, bool, date, datetime, int]:
    assert domain.next_check_at is not None and domain.id is not None
    return (
        domain.last_checked_at is not None,
        domain.expiration_date is None,
        domain.expiration_date or date.max,
        domain.next_check_at,
        domain.id,
    )


class FakeCheckLogRepository(ports.CheckLogRepository):
    def __init__(self, store: _Store) -> None:
        self.store = store

    def add(self, log: CheckLog) -> None:
        log.id = next(self.store.ids)
        self.store.check_logs.append(log)

    def list_for_domain(self, domain_id: int, limit: int = 50) -> Sequence[CheckLog]:
        logs = [log for log in self.store.check_logs if log.domain_id == domain_id]
        return list(reversed(logs))[:limit]


class FakeReminderRepository(ports.ReminderRepository):
    def __init__(self, store: _Store) -> None:
        self.store = store

    def add(self, reminder: Reminder) -> None:
        reminder.id = next(self.store.ids)
        self.store.reminders.append(reminder)

    def list_for_domain(self, domain_id: int) -> Sequence[Reminder]:
        return [r for r in self.store.reminders if r.domain_id == domain_id]

    def get(self, reminder_id: int) -> Reminder | None:
        return next((r for r in self.store.reminders if r.id == reminder_id), None)

    def add_if_absent(self, reminder: Reminder) -> bool:
        if any(
            _reminder_key(r) == _reminder_key(reminder) for r in self.store.reminders
        ):
            return False
        self.add(reminder)
        return True

    def due_ids(
        self,
        now: datetime,
        limit: int,
        *,
        channels: Collection[Channel] | None = None,
    ) -> Sequence[int]:
        due = [r for r in self._due(now) if channels is None or r.channel in channels]
        due.sort(key=lambda r: (r.next_attempt_at, r.id))
        return [r.id for r in due[:limit] if r.id is not None]

    def due_counts(self, now: datetime) -> dict[Channel, int]:
        return dict(Counter(r.channel for r in self._due(now)))

    def _due(self, now: datetime) -> list[Reminder]:
        return [
            r
            for r in self.store.reminders
            if r.status == ReminderStatus.PENDING
            and r.next_attempt_at is not None
            and r.next_attempt_at <= now
        ]

    def claim(self, reminder_id: int, now: datetime) -> bool:
        reminder = self.get(reminder_id)
        if reminder is None or reminder.status != ReminderStatus.PENDING:
            return False
        if reminder.next_attempt_at is None or reminder.next_attempt_at > now:
            return False
        reminder.status = ReminderStatus.SENDING
        reminder.claimed_at = now
        reminder.attempts += 1
        return True

    def update_if(
        self, reminder_id: int, expected: ReminderStatus, /, **changes: Any
    ) -> bool:
        reminder = self.get(reminder_id)
        if reminder is None or reminder.status != expected:
            return False
        for name, value in changes.items():
            setattr(reminder, name, value)
        return True

    def claimed_before(self, cutoff: datetime) -> Sequence[int]:
        return [
            r.id
            for r in self.store.reminders
            if r.id is not None
            and r.status == ReminderStatus.SENDING
            and r.claimed_at is not None
            and r.claimed_at < cutoff
        ]

    def unplanned_domain_ids(self, limit: int) -> Sequence[int]:
        planned = {
            (r.domain_id, r.expiration_date)
            for r in self.store.reminders
            if r.status != ReminderStatus.CANCELLED
        }
        result = []
        for domain in sorted(self.store.domains.values(), key=lambda d: d.id or 0):
            user = self.store.users.get(domain.user_id)
            if domain.expiration_date is None or domain.muted or user is None:
                continue
            if not EARLIEST_EXPIRY <= domain.expiration_date <= LATEST_EXPIRY:
                continue
            channel_on = user.notify_email or (
                user.notify_telegram and user.telegram_chat_id is not None
            )
            if not user.is_active or not channel_on:
                continue
            if (domain.id, domain.expiration_date) not in planned:
                assert domain.id is not None
                result.append(domain.id)
        return result[:limit]

    def times_for_user(self, user_id: int) -> dict[int, ports.ReminderTimes]:
        times: dict[int, ports.ReminderTimes] = {}
        for domain in self.store.domains.values():
            if domain.user_id != user_id or domain.id is None:
                continue
            rows = self.list_for_domain(domain.id)
            pending = [
                r.next_attempt_at
                for r in rows
                if r.status == ReminderStatus.PENDING and r.next_attempt_at
            ]
            sent = [
                r.sent_at for r in rows if r.status == ReminderStatus.SENT and r.sent_at
            ]
            if pending or sent:
                times[domain.id] = ports.ReminderTimes(
                    next_at=min(pending, default=None),
                    last_sent_at=max(sent, default=None),
                )
        return times


def _reminder_key(reminder: Reminder) -> tuple[object, ...]:
    return (
        reminder.domain_id,
        reminder.expiration_date,
        reminder.kind,
        reminder.threshold_days,
        reminder.channel,
    )


class FakeSettingsRepository(ports.SettingsRepository):
    def __init__(self, store: _Store) -> None:
        self.store = store

    def get(self, key: str) -> str | None:
        return self.store.settings.get(key)

    def set(self, key: str, value: str) -> None:
        self.store.settings[key] = value

    def all(self) -> dict[str, str]:
        return dict(self.store.settings)


class FakeUnitOfWork(ports.UnitOfWork):
    """Writes go straight to the shared store; `committed` counts commits."""

    def __init__(self, store: _Store | None = None) -> None:
        self.store = store or _Store()
        self.users = FakeUserRepository(self.store)
        self.domains = FakeDomainRepository(self.store)
        self.check_logs = FakeCheckLogRepository(self.store)
        self.reminders = FakeReminderRepository(self.store)
        self.settings = FakeSettingsRepository(self.store)
        self.committed = 0

    def commit(self) -> None:
        self.committed += 1

    def rollback(self) -> None:
        pass


class FakeLookup:
    """Returns the registration queued for a domain, or raises its queued LookupFailed."""

    def __init__(
        self, answers: dict[str, Registration | ports.LookupFailed] | None = None
    ):
        self.answers: dict[str, Registration | ports.LookupFailed] = dict(answers or {})
        self.calls: list[str] = []

    def lookup(self, name: DomainName) -> Registration:
        self.calls.append(name.ascii)
        answer = self.answers.get(name.ascii)
        if answer is None:
            raise ports.LookupFailed(
                ports.LookupErrorKind.NOT_FOUND, f"{name} not found"
            )
        if isinstance(answer, ports.LookupFailed):
            raise answer
        return answer


class FakeHasher:
    def hash(self, password: str) -> str:
        return "hashed:" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "hashed:" + password


class FakeJobQueue:
    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = []

    def enqueue(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.jobs.append((func, args, kwargs))
