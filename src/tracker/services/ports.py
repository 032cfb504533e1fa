"""Ports: the interfaces the use cases need, implemented in `tracker.adapters`."""

from __future__ import annotations

import abc
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from tracker.domain.model import (
    Channel,
    CheckLog,
    Domain,
    LookupErrorKind,
    Registration,
    Reminder,
    ReminderStatus,
    User,
)
from tracker.domain.names import DomainName


class LookupFailed(Exception):
    """A lookup ended without a registration.

    `kind` gives the reason, and `server` names the WHOIS host or RDAP base
    URL that responded, when one did.
    """

    def __init__(
        self, kind: LookupErrorKind, message: str, *, server: str | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.server = server

    @property
    def is_transient(self) -> bool:
        return self.kind.is_transient


class RegistrationLookup(Protocol):
    def lookup(self, name: DomainName) -> Registration:
        """Return the registration of `name`, or raise `LookupFailed`."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...

    def today(self) -> date:
        """Return the current date in UTC."""
        ...


class UserRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, user: User) -> None: ...

    @abc.abstractmethod
    def get(self, user_id: int) -> User | None: ...

    @abc.abstractmethod
    def get_by_email(self, email: str) -> User | None: ...

    @abc.abstractmethod
    def list(self) -> Sequence[User]: ...

    @abc.abstractmethod
    def list_active_admins(self) -> Sequence[User]:
        """Return the active admins, locking their rows until the transaction ends.

        On PostgreSQL the lock (SELECT ... FOR UPDATE) makes concurrent admin
        changes wait for each other. SQLite ignores it, but serialises
        writers, so a caller that re-reads after its own change sees the
        changes committed before it.
        """

    @abc.abstractmethod
    def delete(self, user: User) -> None:
        """Delete the user; the database deletes their domains with them."""


class DomainRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, domain: Domain) -> None: ...

    @abc.abstractmethod
    def get(self, domain_id: int) -> Domain | None: ...

    @abc.abstractmethod
    def get_for_user(self, user_id: int, domain_id: int) -> Domain | None:
        """Return the domain only when `user_id` owns it."""

    @abc.abstractmethod
    def get_by_name(self, user_id: int, name: str) -> Domain | None: ...

    @abc.abstractmethod
    def list_for_user(self, user_id: int) -> Sequence[Domain]:
        """Return the user's domains, soonest expiry first, unknown dates last."""

    @abc.abstractmethod
    def list_all(self) -> Sequence[Domain]: ...

    @abc.abstractmethod
    def delete(self, domain: Domain) -> None: ...

    @abc.abstractmethod
    def list_by_name(self, name: str) -> Sequence[Domain]:
        """Return every user's domain with this ASCII name, oldest first."""

    @abc.abstractmethod
    def list_due(
        self, now: datetime, stale_before: datetime, limit: int
    ) -> Sequence[Domain]:
        """Return up to `limit` domains due for a check, most urgent first.

        Due means `next_check_at <= now` and no check claimed after
        `stale_before`. Never-checked domains come first, then the soonest
        expiry (expired ones before all others), unknown dates last.
        """

    @abc.abstractmethod
    def claim_for_check(
        self, domain_id: int, now: datetime, stale_before: datetime
    ) -> bool:
        """Claim the domain for one check and return True when this call got it.

        The claim sets `check_started_at` to `now`, unless a claim made after
        `stale_before` still holds it. It is one conditional UPDATE, so of two
        concurrent callers only one gets True. It lasts once the unit of work
        commits, and storing the check's outcome clears it.
        """


class CheckLogRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, log: CheckLog) -> None: ...

    @abc.abstractmethod
    def list_for_domain(self, domain_id: int, limit: int = 50) -> Sequence[CheckLog]:
        """Return the newest attempts first."""


class ReminderRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, reminder: Reminder) -> None: ...

    @abc.abstractmethod
    def list_for_domain(self, domain_id: int) -> Sequence[Reminder]: ...

    @abc.abstractmethod
    def get(self, reminder_id: int) -> Reminder | None: ...

    @abc.abstractmethod
    def add_if_absent(self, reminder: Reminder) -> bool:
        """Insert the reminder unless its unique key exists; return True if inserted.

        Two planners racing on one domain both succeed, and one row results.
        The inserted row is not loaded; read it back with `list_for_domain`.
        """

    @abc.abstractmethod
    def due_ids(
        self,
        now: datetime,
        limit: int,
        *,
        channels: Collection[Channel] | None = None,
    ) -> Sequence[int]:
        """Return up to `limit` ids of pending reminders whose next attempt is due.

        Due means `next_attempt_at <= now`; oldest first. A row whose
        `next_attempt_at` is NULL is never due. With `channels`, only rows
        of those channels count.
        """

    @abc.abstractmethod
    def due_counts(self, now: datetime) -> dict[Channel, int]:
        """Return the number of due pending reminders per channel, as `due_ids`.

        Channels without a due reminder are left out.
        """

    @abc.abstractmethod
    def claim(self, reminder_id: int, now: datetime) -> bool:
        """Move a due pending reminder to sending and return True when this call did.

        One conditional UPDATE: it sets `claimed_at` to `now` and adds one to
        `attempts`, so of two concurrent callers only one gets True.
        """

    @abc.abstractmethod
    def update_if(
        self, reminder_id: int, expected: ReminderStatus, /, **changes: Any
    ) -> bool:
        """Set the columns in `changes` only while the row's status is `expected`.

        Returns True when the row was updated. One conditional UPDATE, so a
        change based on a stale read loses to a concurrent claim or outcome.
        """

    @abc.abstractmethod
    def claimed_before(self, cutoff: datetime) -> Sequence[int]:
        """Return ids of reminders in sending whose claim is older than `cutoff`."""

    @abc.abstractmethod
    def unplanned_domain_ids(self, limit: int) -> Sequence[int]:
        """Return up to `limit` ids of domains that may need reminders but have none.

        That is an unmuted domain with an expiry date that passes
        `check_plausible_expiry`, of an active user with a channel switched
        on, whose rows for that date are all cancelled or missing. Planning
        such a domain adds or restores at least its "expired" reminder, so it
        is not found again.
        """

    @abc.abstractmethod
    def times_for_user(self, user_id: int) -> dict[int, ReminderTimes]:
        """Return, per domain id of the user, the next pending and the last sent time.

        Domains without any pending or sent reminder are left out.
        """


class SettingsRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, key: str) -> str | None: ...

    @abc.abstractmethod
    def set(self, key: str, value: str) -> None: ...

    @abc.abstractmethod
    def all(self) -> dict[str, str]: ...


class UnitOfWork(abc.ABC):
    """One transaction over all repositories; rolled back unless committed."""

    users: UserRepository
    domains: DomainRepository
    check_logs: CheckLogRepository
    reminders: ReminderRepository
    settings: SettingsRepository

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class JobQueue(Protocol):
    def enqueue(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run `func(*args, **kwargs)` in the background, or now when inline."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


class ServerBudget(Protocol):
    """Politeness limits per lookup server (WHOIS host or RDAP host).

    `slot` blocks until a query to `server` is allowed, and occupies one
    concurrency slot while the query runs. It raises `LookupFailed` with kind
    RATE_LIMITED when no slot frees up within `wait_seconds`.
    """

    def slot(
        self, server: str, wait_seconds: float
    ) -> AbstractContextManager[None]: ...

    def report_rate_limited(self, server: str) -> None:
        """Back the server's budget off after a "rate limited" response."""
        ...


class UnlimitedBudget:
    """A ServerBudget without limits, for unit tests and one-off lookups."""

    def slot(self, server: str, wait_seconds: float) -> AbstractContextManager[None]:
        return nullcontext()

    def report_rate_limited(self, server: str) -> None:
        return None


@dataclass(frozen=True)
class ReminderTimes:
    """When a domain's next reminder is planned and its last one went out."""

    next_at: datetime | None
    last_sent_at: datetime | None


@dataclass(frozen=True)
class Message:
    """A notification ready to send: subject, plain-text body and HTML body.

    Telegram sends `text` only.
    """

    subject: str
    text: str
    html: str


class NotificationFailed(Exception):
    """Delivery of a message failed.

    `permanent` is True when sending again cannot succeed (a 5xx SMTP reply,
    a Telegram chat that does not exist); False for a refused connection, a
    timeout or a 4xx SMTP reply, which may succeed later.
    """

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Notifier(Protocol):
    def send(self, recipient: str, message: Message) -> None:
        """Deliver `message` to an email address or Telegram chat id.

        Raises NotificationFailed when the message was not accepted.
        """
        ...

    def is_configured(self) -> bool:
        """Return True when the settings needed to send are present.

        It checks presence only and sends nothing. The sweep does not attempt
        reminders of a channel whose notifier returns False, so they stay
        pending until it is configured.
        """
        ...
