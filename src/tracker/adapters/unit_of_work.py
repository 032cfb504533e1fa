"""SQLAlchemy unit of work and the engine it runs on."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from tracker.adapters import orm, repositories
from tracker.services.ports import UnitOfWork


def build_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; on SQLite, enforce foreign keys and wait on locks."""
    orm.start_mappers()
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}
        )
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class SqlAlchemyUnitOfWork(UnitOfWork):
    """One session per `with` block; objects stay readable after it closes."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory
        self.session: Session | None = None

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        self.users = repositories.SqlAlchemyUserRepository(self.session)
        self.domains = repositories.SqlAlchemyDomainRepository(self.session)
        self.check_logs = repositories.SqlAlchemyCheckLogRepository(self.session)
        self.reminders = repositories.SqlAlchemyReminderRepository(self.session)
        self.settings = repositories.SqlAlchemySettingsRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted without expiring loaded
        # objects, so entities stay readable after the block. rollback() would
        # expire them, and every later attribute access would fail.
        assert self.session is not None
        self.session.close()
        self.session = None

    def commit(self) -> None:
        assert self.session is not None
        self.session.commit()

    def rollback(self) -> None:
        if self.session is not None:
            self.session.rollback()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False so entities returned by a use case stay readable
    # by the view that renders them after the session closed.
    return sessionmaker(bind=engine, expire_on_commit=False)
