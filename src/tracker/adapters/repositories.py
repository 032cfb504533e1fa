"""SQLAlchemy implementations of the repository ports."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.model import CheckLog, Domain, Reminder, Setting, User
from tracker.services import ports


class SqlAlchemyUserRepository(ports.UserRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: User) -> None:
        self.session.add(user)
        self.session.flush()

    def get(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def get_by_email(self, email: str) -> User | None:
        statement = select(User).filter_by(email=email.strip().lower())
        return self.session.scalars(statement).first()

    def list(self) -> Sequence[User]:
        return self.session.scalars(select(User).order_by(User.id)).all()  # type: ignore[arg-type]


class SqlAlchemyDomainRepository(ports.DomainRepository):
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, domain: Domain) -> None:
        self.session.add(domain)
        self.session.flush()

    def get(self, domain_id: int) -> Domain | None:
        return self.session.get(Domain, domain_id)

    def get_for_user(self, user_id: int, domain_id: int) -> Domain | None:
        domain = self.session.get(Domain, domain_id)
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
