"""SQLAlchemy implementations of the repository ports."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    and_,
    false,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.adapters import orm
from tracker.domain.expiry import EARLIEST_EXPIRY, LATEST_EXPIRY
from tracker.domain.model import (
    Channel,
    CheckLog,
    Domain,
    Reminder,
    ReminderStatus,
    Setting,
    User,
)
from tracker.services import ports

# The id columns are INTEGER, 32 bits wide on PostgreSQL. An id outside that
# range names no row, but both databases raise on it instead of finding
# nothing (SQLite past 64 bits), so `get` returns None without a query.
MIN_ROW_ID = -(2**31)
MAX_ROW_ID = 2**31 - 1


def is_storable_id(row_id: int) -> bool:
    return MIN_ROW_ID <= row_id <= MAX_ROW_ID


class SqlAlchemyUserRepository(ports.UserRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: User) -> None:
        self.session.add(user)
        self.session.flush()

    def get(self, user_id: int) -> User | None:
        if not is_storable_id(user_id):
            return None
        return self.session.get(User, user_id)

    def get_by_email(self, email: str) -> User | None:
        statement = select(User).filter_by(email=email.strip().lower())
        return self.session.scalars(statement).first()

    def list(self) -> Sequence[User]:
        return self.session.scalars(select(User).order_by(User.id)).all()  # type: ignore[arg-type]

    def list_active_admins(self) -> Sequence[User]:
        # Ordered by id so that concurrent callers take the row locks in the
        # same order and cannot deadlock; SQLite ignores FOR UPDATE.
        statement = (
            select(User)
            .filter_by(is_admin=True, is_active=True)
            .order_by(User.id)  # type: ignore[arg-type]
            .with_for_update()
        )
        return self.session.scalars(statement).all()

    def delete(self, user: User) -> None:
        self.session.delete(user)
        self.session.flush()


class SqlAlchemyDomainRepository(ports.DomainRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, domain: Domain) -> None:
        self.session.add(domain)
        self.session.flush()

    def get(self, domain_id: int) -> Domain | None:
        if not is_storable_id(domain_id):
            return None
        return self.session.get(Domain, domain_id)

    def get_for_user(self, user_id: int, domain_id: int) -> Domain | None:
        domain = self.get(domain_id)
        if domain is None or domain.user_id != user_id:
            return None
        return domain

    def get_by_name(self, user_id: int, name: str) -> Domain | None:
        statement = select(Domain).filter_by(user_id=user_id, name=name)
        return self.session.scalars(statement).first()

    def list_for_user(self, user_id: int) -> Sequence[Domain]:
        expiry = Domain.expiration_date  # type: ignore[attr-defined]
        statement = (
            select(Domain)
            .filter_by(user_id=user_id)
            .order_by(expiry.is_(None), expiry, Domain.name)  # type: ignore[attr-defined]
        )
        return self.session.scalars(statement).all()

    def list_all(self) -> Sequence[Domain]:
        return self.session.scalars(select(Domain).order_by(Domain.id)).all()  # type: ignore[arg-type]

    def delete(self, domain: Domain) -> None:
        self.session.delete(domain)
        self.session.flush()

    def list_by_name(self, name: str) -> Sequence[Domain]:
        statement = select(Domain).filter_by(name=name).order_by(Domain.id)  # type: ignore[arg-type]
        return self.session.scalars(statement).all()

    def list_due(
        self, now: datetime, stale_before: datetime, limit: int
    ) -> Sequence[Domain]:
        table = orm.domains
        # The filter on next_check_at uses ix_domains_next_check_at; only the
        # due rows are sorted.
        statement = (
            select(Domain)
            .where(table.c.next_check_at <= now)
            .where(_unclaimed(stale_before))
            .order_by(
                table.c.last_checked_at.is_not(None),
                table.c.expiration_date.is_(None),
                table.c.expiration_date,
                table.c.next_check_at,
                table.c.id,
            )
            .limit(limit)
        )
        return self.session.scalars(statement).all()

    def claim_for_check(
        self, domain_id: int, now: datetime, stale_before: datetime
    ) -> bool:
        table = orm.domains
        statement = (
            update(table)
            .where(table.c.id == domain_id)
            .where(_unclaimed(stale_before))
            .values(check_started_at=now)
        )
        result = self.session.execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1


def _unclaimed(stale_before: datetime) -> ColumnElement[bool]:
    started = orm.domains.c.check_started_at
    return or_(started.is_(None), started < stale_before)


class SqlAlchemyCheckLogRepository(ports.CheckLogRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, log: CheckLog) -> None:
        self.session.add(log)

    def list_for_domain(self, domain_id: int, limit: int = 50) -> Sequence[CheckLog]:
        statement = (
            select(CheckLog)
            .filter_by(domain_id=domain_id)
            .order_by(CheckLog.checked_at.desc(), CheckLog.id.desc())  # type: ignore[attr-defined]
            .limit(limit)
        )
        return self.session.scalars(statement).all()


class SqlAlchemyReminderRepository(ports.ReminderRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, reminder: Reminder) -> None:
        self.session.add(reminder)
        self.session.flush()

    def list_for_domain(self, domain_id: int) -> Sequence[Reminder]:
        statement = (
            select(Reminder)
            .filter_by(domain_id=domain_id)
            .order_by(Reminder.scheduled_for, Reminder.id)  # type: ignore[attr-defined]
        )
        return self.session.scalars(statement).all()

    def get(self, reminder_id: int) -> Reminder | None:
        if not is_storable_id(reminder_id):
            return None
        return self.session.get(Reminder, reminder_id)

    def add_if_absent(self, reminder: Reminder) -> bool:
        table = orm.notifications
        values = {
            column.name: getattr(reminder, column.name)
            for column in table.columns
            if column.name not in ("id", "notification_type")
        }
        values["notification_type"] = reminder.channel
        if self.session.get_bind().dialect.name == "postgresql":
            statement: Any = postgresql.insert(table)
        else:
            statement = sqlite.insert(table)
        # rowcount is -1 on PostgreSQL when the INSERT has RETURNING, so the
        # returned id shows whether a row went in.
        statement = (
            statement.values(**values).on_conflict_do_nothing().returning(table.c.id)
        )
        return self.session.execute(statement).first() is not None

    def due_ids(
        self,
        now: datetime,
        limit: int,
        *,
        channels: Collection[Channel] | None = None,
    ) -> Sequence[int]:
        query = due_reminders_query(now, limit, channels)
        return self.session.scalars(query).all()

    def due_counts(self, now: datetime) -> dict[Channel, int]:
        table = orm.notifications
        statement = (
            select(table.c.notification_type, func.count())
            .where(table.c.status == ReminderStatus.PENDING)
            .where(table.c.next_attempt_at <= now)
            .group_by(table.c.notification_type)
        )
        rows = self.session.execute(statement)
        return {Channel(channel): int(count) for channel, count in rows}

    def claim(self, reminder_id: int, now: datetime) -> bool:
        table = orm.notifications
        statement = (
            update(Reminder)
            .where(table.c.id == reminder_id)
            .where(table.c.status == ReminderStatus.PENDING)
            .where(table.c.next_attempt_at <= now)
            .values(
                status=ReminderStatus.SENDING,
                claimed_at=now,
                attempts=table.c.attempts + 1,
            )
        )
        result = self.session.execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    def update_if(
        self, reminder_id: int, expected: ReminderStatus, /, **changes: Any
    ) -> bool:
        table = orm.notifications
        statement = (
            update(Reminder)
            .where(table.c.id == reminder_id)
            .where(table.c.status == expected)
            .values(**changes)
        )
        result = self.session.execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    def claimed_before(self, cutoff: datetime) -> Sequence[int]:
        table = orm.notifications
        statement = (
            select(table.c.id)
            .where(table.c.status == ReminderStatus.SENDING)
            .where(table.c.claimed_at < cutoff)
            .order_by(table.c.id)
        )
        return self.session.scalars(statement).all()

    def unplanned_domain_ids(self, limit: int) -> Sequence[int]:
        domains, users, notifications = orm.domains, orm.users, orm.notifications
        planned = (
            select(notifications.c.id)
            .where(notifications.c.domain_id == domains.c.id)
            .where(notifications.c.expiration_date == domains.c.expiration_date)
            .where(notifications.c.status != ReminderStatus.CANCELLED)
            .exists()
        )
        channel_on = or_(
            users.c.notify_email == true(),
            and_(
                users.c.notify_telegram == true(),
                users.c.telegram_chat_id.is_not(None),
            ),
        )
        statement = (
            select(domains.c.id)
            .join(users, users.c.id == domains.c.user_id)
            .where(domains.c.expiration_date >= EARLIEST_EXPIRY)
            .where(domains.c.expiration_date <= LATEST_EXPIRY)
            .where(domains.c.muted == false())
            .where(users.c.is_active == true())
            .where(channel_on)
            .where(~planned)
            .order_by(domains.c.id)
            .limit(limit)
        )
        return self.session.scalars(statement).all()

    def times_for_user(self, user_id: int) -> dict[int, ports.ReminderTimes]:
        table, domains = orm.notifications, orm.domains
        mine = (
            select(table.c.domain_id)
            .join(domains, domains.c.id == table.c.domain_id)
            .where(domains.c.user_id == user_id)
            .group_by(table.c.domain_id)
        )
        pending = mine.add_columns(func.min(table.c.next_attempt_at)).where(
            table.c.status == ReminderStatus.PENDING
        )
        sent = mine.add_columns(func.max(table.c.sent_at)).where(
            table.c.status == ReminderStatus.SENT
        )
        next_at = {row[0]: row[1] for row in self.session.execute(pending)}
        last_sent = {row[0]: row[1] for row in self.session.execute(sent)}
        return {
            domain_id: ports.ReminderTimes(
                next_at=next_at.get(domain_id), last_sent_at=last_sent.get(domain_id)
            )
            for domain_id in next_at.keys() | last_sent.keys()
        }


def due_reminders_query(
    now: datetime, limit: int, channels: Collection[Channel] | None = None
) -> Select[tuple[int]]:
    """Build the sweep's due selection; benchmarks/reminder_sweep.py explains it."""
    table = orm.notifications
    # Served by ix_notifications_status_next_attempt_at: a range scan over the
    # pending rows that are due, whatever the number of domains.
    query = (
        select(table.c.id)
        .where(table.c.status == ReminderStatus.PENDING)
        .where(table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
    )
    if channels is not None and set(channels) != set(Channel):
        # The same range scan, skipping the rows of the other channels. With
        # every channel the query stays the one the benchmark measures.
        query = query.where(table.c.notification_type.in_(list(channels)))
    return query


class SqlAlchemySettingsRepository(ports.SettingsRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        setting = self.session.get(Setting, key)
        return None if setting is None else setting.value

    def set(self, key: str, value: str) -> None:
        setting = self.session.get(Setting, key)
        if setting is None:
            self.session.add(Setting(key, value))
        else:
            setting.value = value
        self.session.flush()

    def all(self) -> dict[str, str]:
        return {s.key: s.value for s in self.session.scalars(select(Setting))}
