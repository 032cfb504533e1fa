"""Ports: the interfaces the use cases need, implemented in `tracker.adapters`."""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol

from tracker.domain.model import (
    CheckLog,
    Domain,
    LookupErrorKind,
    Registration,
    Reminder,
    User,
)
from tracker.domain.names import DomainName


class LookupFailed(Exception):
    """A lookup ended without a registration.

    `kind` says why; `server` names the WHOIS host or RDAP base URL that
    answered, when one did.
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
        """The current time, timezone-aware UTC."""
        ...

    def today(self) -> date:
        """The current UTC date."""
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

    def __enter__(self) -> UnitOfWork:
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

    `slot` blocks until a query to `server` is allowed and holds a
    concurrency slot while the query runs; it raises `LookupFailed` with
    kind RATE_LIMITED when no slot frees up within `wait_seconds`.
    """

    def slot(self, server: str, wait_seconds: float) -> AbstractContextManager[None]: ...

    def report_rate_limited(self, server: str) -> None:
        """Back the server's budget off after it answered "rate limited"."""
        ...


class UnlimitedBudget:
    """A ServerBudget that never waits, for the CLI and tests."""

    def slot(self, server: str, wait_seconds: float) -> AbstractContextManager[None]:
        return nullcontext()

    def report_rate_limited(self, server: str) -> None:
        return None
