"""Tables and the imperative mapping of the domain classes onto them."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import registry, relationship

from tracker.domain.model import (
    Channel,
    CheckLog,
    DataSource,
    Domain,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Setting,
    User,
)

# Explicit constraint names keep Alembic migrations identical on SQLite and
# PostgreSQL.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnum(TypeDecorator[enum.StrEnum]):
    """A Python StrEnum stored as its plain string value."""

    impl = String(16)
    cache_ok = True

    def __init__(self, enum_class: type[enum.StrEnum]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self.enum_class(value)


users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("language", String(8), nullable=False, default="en"),
    Column("telegram_chat_id", String(64)),
    # Comma-separated days before expiry; NULL means the admin's default list.
    Column("reminder_thresholds", String(200)),
    Column("notify_email", Boolean, nullable=False, default=True),
    Column("notify_telegram", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_login_at", UtcDateTime),
)

domains = Table(
    "domains",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    Column("name", String(253), nullable=False),
    Column("unicode_name", String(253), nullable=False),
    Column("expiration_date", Date),
    Column("registrar", String(255)),
    Column("source", StrEnum(DataSource)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_checked_at", UtcDateTime),
    Column("last_error", Text),
    Column("last_error_kind", String(32)),
    Column("failing_since", UtcDateTime),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("next_check_at", UtcDateTime),
    Column("check_started_at", UtcDateTime),
    Column("renewed_at", UtcDateTime),
    Column("previous_expiration_date", Date),
    Column("muted", Boolean, nullable=False, default=False),
    UniqueConstraint("user_id", "name", name="uq_domains_user_id_name"),
    Index("ix_domains_next_check_at", "next_check_at"),
    Index("ix_domains_expiration_date", "expiration_date"),
)

check_logs = Table(
    "check_logs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "domain_id",
        Integer,
        ForeignKey("domains.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("checked_at", UtcDateTime, nullable=False),
    Column("success", Boolean, nullable=False),
    Column("expiration_date", Date),
    Column("registrar", String(255)),
    Column("source", String(16)),
    Column("server", String(255)),
    Column("error_kind", String(32)),
    Column("error_message", Text),
    Column("renewal", Boolean, nullable=False, default=False),
    Column("duration_ms", Integer),
    Index("ix_check_logs_domain_id_checked_at", "domain_id", "checked_at"),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "domain_id",
        Integer,
        ForeignKey("domains.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("notification_type", StrEnum(Channel), nullable=False),
    Column("kind", StrEnum(ReminderKind), nullable=False),
    # Days before expiry for a threshold reminder; 0 for renewed/expired ones.
    Column("threshold_days", Integer, nullable=False),
    Column("expiration_date", Date, nullable=False),
    Column("status", StrEnum(ReminderStatus), nullable=False),
    Column("scheduled_for", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_attempt_at", UtcDateTime),
    Column("claimed_at", UtcDateTime),
    UniqueConstraint(
        "domain_id",
        "expiration_date",
        "kind",
        "threshold_days",
        "notification_type",
        name="uq_notifications_once",
    ),
    Index("ix_notifications_status_scheduled_for", "status", "scheduled_for"),
    # The sweep's due selection: pending rows with next_attempt_at <= now.
    Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)


def start_mappers() -> None:
    """Map the domain classes onto the tables; safe to call more than once."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(User, users)
    mapper_registry.map_imperatively(
        Domain,
        domains,
        properties={
            "check_logs": relationship(
                CheckLog, cascade="all, delete-orphan", passive_deletes=True
            ),
            "reminders": relationship(
                Reminder, cascade="all, delete-orphan", passive_deletes=True
            ),
        },
    )
    mapper_registry.map_imperatively(CheckLog, check_logs)
    mapper_registry.map_imperatively(
        Reminder,
        notifications,
        properties={"channel": notifications.c.notification_type},
    )
    mapper_registry.map_imperatively(Setting, settings)
