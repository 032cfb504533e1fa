"""Helpers for the background-check tests: settings, records, WHOIS answers."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker.domain.model import Domain, User
from tracker.domain.names import DomainName
from tracker.entrypoints.config import Settings
from tracker.entrypoints.container import Container, build_container

TRACKER_SCRIPT = str(Path(sys.executable).with_name("tracker"))
OWNER = "owner@example.com"


def whois_answer(name: str, expiry: date = date(2027, 6, 1)) -> bytes:
    """Return a gTLD-style WHOIS record of `name` with a registrar and expiry."""
    return (
        f"Domain Name: {name.upper()}\r\n"
        "Registrar: Example Registrar, Inc.\r\n"
        f"Registry Expiry Date: {expiry.isoformat()}T00:00:00Z\r\n"
    ).encode()


def max_in_window(times: list[float], seconds: float) -> int:
    """Return the most of `times` that fall into any half-open window [t, t + seconds)."""
    ordered = sorted(times)
    best = 0
    end = 0
    for start_index, start in enumerate(ordered):
        while end < len(ordered) and ordered[end] < start + seconds:
            end += 1
        best = max(best, end - start_index)
    return best


def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": "test",
        "redis_url": None,
        "whois_server": None,
        "rdap_base": None,
        "lookup_timeout": 5.0,
        "run_scheduler": False,
        "testing": True,
    }
    values.update(overrides)
    return Settings.from_env(instance_path=tmp_path / "instance", **values)


def process_env(settings: Settings) -> dict[str, str]:
    """Return the environment that gives a `tracker` subprocess these settings."""
    env = dict(os.environ)
    for name in ("REDIS_URL", "WHOIS_SERVER", "RDAP_BASE", "REDIS_PREFIX"):
        env.pop(name, None)
    env.update(
        TRACKER_INSTANCE=str(settings.instance_path),
        DATABASE_URL=settings.database_url,
        SECRET_KEY=settings.secret_key,
        LOOKUP_TIMEOUT=str(settings.lookup_timeout),
        REDIS_PREFIX=settings.redis_prefix,
        RUN_SCHEDULER="0",
    )
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    if settings.whois_server:
        env["WHOIS_SERVER"] = "{}:{}".format(*settings.whois_server)
    return env


def add_owner(container: Container, email: str = OWNER) -> int:
    with container.uow() as uow:
        user = User(email, "hash", created_at=datetime(2026, 1, 1, tzinfo=UTC))
        uow.users.add(user)
        uow.commit()
        assert user.id is not None
        return user.id


def add_domains(container: Container, user_id: int, names: list[str]) -> list[int]:
    """Add the domains, due for a check since a minute ago; return their ids."""
    now = container.clock().now()
    ids = []
    with container.uow() as uow:
        for name in names:
            domain = Domain(user_id, DomainName.parse(name), created_at=now)
            domain.next_check_at = now - timedelta(minutes=1)
            uow.domains.add(domain)
            assert domain.id is not None
            ids.append(domain.id)
        uow.commit()
    return ids


def container_for(settings: Settings) -> Container:
    return build_container(settings)
