"""Fixtures shared by unit and integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.services import postgres_schema_url
from tests.support.whois_server import WhoisServer
from tracker.adapters.clock import FixedClock
from tracker.adapters.schema import upgrade
from tracker.adapters.unit_of_work import (
    SqlAlchemyUnitOfWork,
    build_engine,
    session_factory,
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 4, 12, 0, tzinfo=UTC))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_schema_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database on each backend in turn."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(name)
    engine = build_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def uow_factory(database_url: str) -> Iterator[object]:
    engine = build_engine(database_url)
    factory = session_factory(engine)
    yield lambda: SqlAlchemyUnitOfWork(factory)
    engine.dispose()


@pytest.fixture
def whois_server() -> Iterator[WhoisServer]:
    """A WHOIS server on loopback with no stored responses (see `set_responses`)."""
    with WhoisServer() as server:
        yield server
