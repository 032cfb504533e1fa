"""Fixtures for the background-check tests: private Redis keys, a migrated database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue

from tests.support.services import REDIS_URL, require_server
from tracker.adapters.schema import upgrade
from tracker.adapters.unit_of_work import build_engine


@pytest.fixture
def redis_url() -> str:
    require_server("Redis", "127.0.0.1", 6379)
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A queue name and key prefix used by this test alone; its keys are deleted after."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    connection = Redis.from_url(redis_url)
    Queue(prefix, connection=connection).delete(delete_jobs=True)
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)
    for key in connection.scan_iter(f"rq:*{prefix}*"):
        connection.delete(key)
    for member in connection.zrange("rq:cron_jobs", 0, -1):
        if prefix.encode() in member:
            connection.zrem("rq:cron_jobs", member)
    connection.close()


@pytest.fixture
def migrated_sqlite_url(sqlite_url: str) -> str:
    engine = build_engine(sqlite_url)
    upgrade(engine)
    engine.dispose()
    return sqlite_url
