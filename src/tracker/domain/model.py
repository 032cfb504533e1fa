"""Entities of tracker, mapped to tables by the SQLAlchemy adapter."""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.domain.expiry import (
    ExpiryPolicy,
    Urgency,
    check_plausible_expiry,
    days_left,
)
from tracker.domain.names import DomainName


class DataSource(enum.StrEnum):
    """Source of a domain's expiry date."""

    RDAP = "rdap"
    WHOIS = "whois"
    MANUAL = "manual"


class LookupErrorKind(enum.StrEnum):
    """Reason a lookup returned no usable expiry date."""

    NOT_FOUND = "not found"
    RATE_LIMITED = "rate limited"
    NO_EXPIRY_PUBLISHED = "no expiry published"
    TIMEOUT = "timed out"
    NETWORK = "network error"
    NO_SERVER = "no lookup server"
    UNPARSABLE = "unparsable response"
    RESPONSE_TOO_LARGE = "response too large"

    @property
    def is_transient(self) -> bool:
        """True when trying again later may succeed."""
        return self in {
            LookupErrorKind.RATE_LIMITED,
            LookupErrorKind.TIMEOUT,
            LookupErrorKind.NETWORK,
        }


@dataclass(frozen=True)
class Registration:
    """Result of one successful lookup.

    `expiration_date` is None when the registry publishes no expiry (.de, .eu).
    """

    domain: str
    expiration_date: date | None
    registrar: str | None
    source: DataSource
    server: str | None = None
    statuses: tuple[str, ...] = ()
    raw_size: int = 0

    def __post_init__(self) -> None:
        if self.registrar is not None:
            object.__setattr__(self, "registrar", clean_registry_text(self.registrar))


def clean_registry_text(text: str) -> str | None:
    """Drop control and format characters (U+202E and other bidi overrides).

    Registry responses are untrusted, and a bidi override would make a
    registrar name display reversed. Returns None when nothing is left.
    """
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in {"Cc", "Cf"}
    )
    return " ".join(kept.split()) or None


class User:
    def __init__(
        self,
        email: str,
        password_hash: str,
        *,
        is_admin: bool = False,
        is_active: bool = True,
        language: str = "en",
        created_at: datetime | None = None,
    ) -> None:
        self.id: int | None = None
        self.email = email
        self.password_hash = password_hash
        self.is_admin = is_admin
        self.is_active = is_active
        self.language = language
        self.telegram_chat_id: str | None = None
        self.reminder_thresholds: str | None = None
        self.notify_email = True
        self.notify_telegram = False
        self.created_at = created_at
        self.last_login_at: datetime | None = None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Domain:
    """A domain tracked by one user."""

    def __init__(self, user_id: int, name: DomainName, *, created_at: datetime) -> None:
        self.id: int | None = None
        self.user_id = user_id
        self.name = name.ascii
        self.unicode_name = name.unicode
        self.expiration_date: date | None = None
        self.registrar: str | None = None
        self.source: DataSource | None = None
        self.created_at = created_at
        self.updated_at = created_at
        self.last_checked_at: datetime | None = None
        self.last_error: str | None = None
        self.last_error_kind: str | None = None
        self.failing_since: datetime | None = None
        self.consecutive_failures = 0
        self.next_check_at: datetime | None = created_at
        self.check_started_at: datetime | None = None
        self.renewed_at: datetime | None = None
        self.previous_expiration_date: date | None = None
        self.muted = False

    def __repr__(self) -> str:
        return f"<Domain {self.id} {self.name}>"

    @property
    def domain_name(self) -> DomainName:
        return DomainName(self.name)

    def days_left(self, today: date) -> int | None:
        return days_left(self.expiration_date, today)

    def urgency(self, today: date, policy: ExpiryPolicy) -> Urgency:
        return policy.urgency(self.days_left(today))

    @property
    def needs_manual_entry(self) -> bool:
        return self.expiration_date is None

    def apply_registration(self, registration: Registration, now: datetime) -> bool:
        """Store a successful lookup; return True when it shows a renewal.

        A registration without an expiry date keeps the date already stored
        (typed by hand, or from an earlier lookup).
        """
        renewed = False
        new_date = registration.expiration_date
        if new_date is not None:
            old_date = self.expiration_date
            if old_date is not None and new_date > old_date:
                renewed = True
                self.previous_expiration_date = old_date
                self.renewed_at = now
            self.expiration_date = new_date
            self.source = registration.source
        if registration.registrar:
            self.registrar = registration.registrar
        self.last_checked_at = now
        self.last_error = None
        self.last_error_kind = None
        self.failing_since = None
        self.consecutive_failures = 0
        self.updated_at = now
        return renewed

    def record_failure(
        self, kind: LookupErrorKind, message: str, now: datetime
    ) -> None:
        """Store a failed lookup, keeping the last good date and registrar."""
        self.last_checked_at = now
        self.last_error = message
        self.last_error_kind = kind.value
        if self.failing_since is None:
            self.failing_since = now
        self.consecutive_failures += 1
        self.updated_at = now

    def enter_manually(
        self, expiration_date: date, registrar: str | None, now: datetime
    ) -> None:
        """Store a date typed by the user; raise ImplausibleExpiry if out of range."""
        self.expiration_date = check_plausible_expiry(expiration_date)
        self.registrar = registrar or self.registrar
        self.source = DataSource.MANUAL
        self.updated_at = now


@dataclass
class CheckLog:
    """One lookup attempt and what it returned."""

    domain_id: int
    checked_at: datetime
    success: bool
    expiration_date: date | None = None
    registrar: str | None = None
    source: str | None = None
    server: str | None = None
    error_kind: str | None = None
    error_message: str | None = None
    renewal: bool = False
    duration_ms: int | None = None
    id: int | None = field(default=None)


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ReminderKind(enum.StrEnum):
    THRESHOLD = "threshold"
    RENEWED = "renewed"
    EXPIRED = "expired"


class Channel(enum.StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"


@dataclass
class Reminder:
    """One message about one domain on one channel.

    The tuple (domain_id, expiration_date, kind, threshold_days, channel) is
    unique, so the same reminder cannot be planned, and so sent, twice.
    """

    domain_id: int
    channel: Channel
    kind: ReminderKind
    threshold_days: int
    expiration_date: date
    scheduled_for: datetime
    created_at: datetime
    status: ReminderStatus = ReminderStatus.PENDING
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    claimed_at: datetime | None = None
    id: int | None = field(default=None)

    @property
    def notification_type(self) -> str:
        return self.channel.value


@dataclass
class Setting:
    """One admin-editable setting, stored as text."""

    key: str
    value: str
