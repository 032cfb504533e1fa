"""`RedisServerBudget`: one budget per server, shared by separate budget objects."""

from __future__ import annotations

import threading
import time

import pytest
from redis import Redis

from tracker.adapters.budget import RedisServerBudget
from tracker.domain.model import LookupErrorKind
from tracker.services.ports import LookupFailed
from tracker.services.settings import ServerLimit

SERVER = "whois.example"


def budget(
    redis_url: str, prefix: str, limit: ServerLimit, **kwargs: float
) -> RedisServerBudget:
    return RedisServerBudget(
        Redis.from_url(redis_url),
        lambda: {SERVER: limit},
        key_prefix=f"{prefix}:budget:",
        **kwargs,
    )


def test_slots_are_shared_between_budgets(redis_url: str, redis_prefix: str) -> None:
    limit = ServerLimit(max_concurrent=1, per_second=100.0)
    first = budget(redis_url, redis_prefix, limit)
    second = budget(redis_url, redis_prefix, limit)

    with (
        first.slot(SERVER, wait_seconds=1),
        pytest.raises(LookupFailed) as caught,
        second.slot(SERVER, wait_seconds=0.1),
    ):
        pass

    assert caught.value.kind is LookupErrorKind.RATE_LIMITED
    assert "all query slots are busy" in caught.value.message
    with second.slot(SERVER, wait_seconds=1):
        pass


def test_rate_is_shared_between_budgets(redis_url: str, redis_prefix: str) -> None:
    limit = ServerLimit(max_concurrent=4, per_second=0.5)
    first = budget(redis_url, redis_prefix, limit)
    second = budget(redis_url, redis_prefix, limit)
    with first.slot(SERVER, wait_seconds=1):
        pass

    with (
        pytest.raises(LookupFailed, match="query rate is used up"),
        second.slot(SERVER, wait_seconds=1),
    ):
        pass


def test_waiting_query_gets_next_slot(redis_url: str, redis_prefix: str) -> None:
    limit = ServerLimit(max_concurrent=1, per_second=100.0)
    first = budget(redis_url, redis_prefix, limit)
    second = budget(redis_url, redis_prefix, limit)
    released = threading.Event()
    got_slot: list[bool] = []

    def wait_for_slot() -> None:
        with second.slot(SERVER, wait_seconds=5):
            got_slot.append(released.is_set())

    with first.slot(SERVER, wait_seconds=1):
        waiter = threading.Thread(target=wait_for_slot)
        waiter.start()
        time.sleep(0.1)
        released.set()
    waiter.join()

    assert got_slot == [True]


def test_dead_process_slot_expires(redis_url: str, redis_prefix: str) -> None:
    limit = ServerLimit(max_concurrent=1, per_second=100.0)
    dying = budget(redis_url, redis_prefix, limit, lease_seconds=0.2)
    survivor = budget(redis_url, redis_prefix, limit)
    held = dying.slot(SERVER, wait_seconds=1)
    held.__enter__()  # never exited, as in a process killed during a query

    with survivor.slot(SERVER, wait_seconds=2):
        pass


def test_rate_limit_answer_pauses_all_budgets(
    redis_url: str, redis_prefix: str
) -> None:
    limit = ServerLimit(max_concurrent=4, per_second=100.0)
    reporter = budget(redis_url, redis_prefix, limit)
    other = budget(redis_url, redis_prefix, limit)

    reporter.report_rate_limited(SERVER)

    with (
        pytest.raises(LookupFailed, match="query rate is used up"),
        other.slot(SERVER, wait_seconds=1),
    ):
        pass
    with other.slot("other.example", wait_seconds=1):
        pass
