"""The last-active-admin rule on SQLite and PostgreSQL, through the repositories."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from tracker.adapters.schema import upgrade
from tracker.adapters.unit_of_work import (
    SqlAlchemyUnitOfWork,
    build_engine,
    session_factory,
)
from tracker.domain.model import Domain, User
from tracker.domain.names import DomainName
from tracker.services import admin
from tracker.services.ports import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def add_user(uow_factory: UowFactory, email: str, **flags: bool) -> int:
    with uow_factory() as uow:
        user = User(email, "hash", created_at=datetime(2026, 1, 1, tzinfo=UTC))
        for name, value in flags.items():
            setattr(user, name, value)
        uow.users.add(user)
        uow.commit()
        assert user.id is not None
        return user.id


def flags(uow_factory: UowFactory, user_id: int) -> tuple[bool, bool] | None:
    with uow_factory() as uow:
        user = uow.users.get(user_id)
        return None if user is None else (user.is_admin, user.is_active)


@pytest.mark.parametrize(
    "change", [admin.demote_user, admin.deactivate_user, admin.delete_user]
)
def test_last_admin_change_is_rolled_back(
    uow_factory: UowFactory, change: Callable[..., Any]
) -> None:
    root = add_user(uow_factory, "root@example.org", is_admin=True)
    add_user(uow_factory, "retired@example.org", is_admin=True, is_active=False)

    with pytest.raises(admin.LastAdminError):
        change(uow_factory(), None, root)

    assert flags(uow_factory, root) == (True, True)


def test_second_admin_can_be_demoted_then_first_cannot(
    uow_factory: UowFactory,
) -> None:
    root = add_user(uow_factory, "root@example.org", is_admin=True)
    second = add_user(uow_factory, "second@example.org", is_admin=True)

    assert admin.demote_user(uow_factory(), root, second) is True
    with pytest.raises(admin.LastAdminError):
        admin.deactivate_user(uow_factory(), second, root)

    assert flags(uow_factory, second) == (False, True)
    assert flags(uow_factory, root) == (True, True)


def test_deleting_user_deletes_their_domains(uow_factory: UowFactory) -> None:
    member = add_user(uow_factory, "member@example.org")
    with uow_factory() as uow:
        now = datetime(2026, 12, 4, tzinfo=UTC)
        uow.domains.add(Domain(member, DomainName("example.com"), created_at=now))
        uow.commit()

    admin.delete_user(uow_factory(), None, member)

    with uow_factory() as uow:
        assert uow.domains.list_all() == []
        assert uow.users.get(member) is None


@pytest.mark.postgres
def test_admin_rows_are_locked_on_postgres(postgres_url: str) -> None:
    engine = build_engine(postgres_url)
    upgrade(engine)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    factory = session_factory(engine)

    def uow_factory() -> UnitOfWork:
        return SqlAlchemyUnitOfWork(factory)

    try:
        root = add_user(uow_factory, "root@example.org", is_admin=True)
        member = add_user(uow_factory, "member@example.org")
        event.listen(engine, "before_cursor_execute", record)

        admin.promote_user(uow_factory(), root, member)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()

    locking = [s for s in statements if "FOR UPDATE" in s]
    assert locking, statements
    assert all("is_admin" in s and "is_active" in s for s in locking)
