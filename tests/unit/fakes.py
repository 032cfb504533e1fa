"""In-memory fakes of the service ports, for unit tests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from tracker.domain.model import CheckLog, Domain, Registration, Reminder, User
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
        return sorted(mine, key=lambda d: (d.expiration_date is None, d.expiration_date or date.max))

    def list_all(self) -> Sequence[Domain]:
        return list(self.store.domains.values())

    def delete(self, domain: Domain) -> None:
        assert domain.id is not None
        del self.store.domains[domain.id]


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
    """Returns a queued answer per domain, or raises the queued LookupFailed."""

    def __init__(self, answers: dict[str, Registration | ports.LookupFailed] | None = None):
        self.answers: dict[str, Registration | ports.LookupFailed] = dict(answers or {})
        self.calls: list[str] = []

    def lookup(self, name: DomainName) -> Registration:
        self.calls.append(name.ascii)
        answer = self.answers.get(name.ascii)
        if answer is None:
            raise ports.LookupFailed(ports.LookupErrorKind.NOT_FOUND, f"{name} not found")
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
