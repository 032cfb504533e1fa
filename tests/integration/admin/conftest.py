"""An app with the admin panel on a private SQLite file, and three personas.

The job queue records what it is given instead of running it, and the
lookup servers point at a closed loopback port, so no test sends a query
anywhere. CSRF protection stays on: clients send the token a page gave them.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from tests.unit.fakes import FakeHasher, FakeJobQueue
from tracker.adapters import orm
from tracker.adapters.clock import FixedClock
from tracker.entrypoints.config import Settings
from tracker.entrypoints.container import Container, build_container
from tracker.entrypoints.web import create_app
from tracker.services import accounts

PASSWORD = "correct-horse-42"
ADMIN_EMAIL = "root@example.org"
USER_EMAIL = "member@example.org"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _closed_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def job_queue() -> FakeJobQueue:
    return FakeJobQueue()


@pytest.fixture
def container(
    tmp_path: Path, clock: FixedClock, job_queue: FakeJobQueue
) -> Iterator[Container]:
    port = _closed_loopback_port()
    settings = Settings.from_env(
        instance_path=tmp_path / "instance",
        database_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        secret_key="admin-test-secret",
        redis_url=None,
        whois_server=("127.0.0.1", port),
        rdap_base=f"http://127.0.0.1:{port}/",
        run_scheduler=False,
        testing=True,
    )
    container = build_container(settings)
    container.clock.override(providers.Object(clock))
    container.job_queue.override(providers.Object(job_queue))
    # scrypt takes a tenth of a second per hash; these tests log in often.
    container.hasher.override(providers.Object(FakeHasher()))
    yield container
    container.engine().dispose()


@pytest.fixture
def app(container: Container) -> Flask:
    return create_app(container=container)


@dataclass
class Accounts:
    admin_id: int
    user_id: int


@pytest.fixture
def accounts_(container: Container) -> Accounts:
    """One admin and one ordinary user."""
    admin_id = accounts.register_user(
        container.uow(),
        container.hasher(),
        container.clock(),
        ADMIN_EMAIL,
        PASSWORD,
        is_admin=True,
    )
    user_id = accounts.register_user(
        container.uow(), container.hasher(), container.clock(), USER_EMAIL, PASSWORD
    )
    return Accounts(admin_id, user_id)


class Browser:
    """A test client that keeps the CSRF token of its session."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf_token = csrf_token_of(client.get("/login").get_data(as_text=True))

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(
            url, data={"csrf_token": self.csrf_token, **(data or {})}, **kwargs
        )

    def log_in(self, email: str) -> None:
        response = self.post("/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        # Flask-WTF keeps one token per session, so the token stays valid.


def csrf_token_of(page: str) -> str:
    match = _CSRF.search(page)
    assert match is not None, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def anonymous(app: Flask) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def member(app: Flask, accounts_: Accounts) -> Browser:
    browser = Browser(app.test_client())
    browser.log_in(USER_EMAIL)
    return browser


@pytest.fixture
def admin(app: Flask, accounts_: Accounts) -> Browser:
    browser = Browser(app.test_client())
    browser.log_in(ADMIN_EMAIL)
    return browser


def seed_domains(
    container: Container, user_id: int, count: int, *, today: date
) -> list[int]:
    """Insert `count` domains for the user in one statement; return their ids.

    Expiry dates spread from 10 days ago to a year ahead; every fifth domain
    has no date and every seventh has a failing lookup.
    """
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    rows = []
    for number in range(count):
        failing = number % 7 == 0
        rows.append(
            {
                "user_id": user_id,
                "name": f"seed{user_id}-{number}.com",
                "unicode_name": f"seed{user_id}-{number}.com",
                "expiration_date": None
                if number % 5 == 0
                else today + timedelta(days=number % 375 - 10),
                "source": "whois",
                "created_at": now,
                "updated_at": now,
                "failing_since": now - timedelta(days=2) if failing else None,
                "last_error_kind": "timed out" if failing else None,
                "last_error": "whois.example timed out" if failing else None,
                "consecutive_failures": 3 if failing else 0,
                "muted": False,
            }
        )
    with container.engine().begin() as connection:
        result = connection.execute(
            insert(orm.domains).returning(orm.domains.c.id), rows
        )
        return [row[0] for row in result]
