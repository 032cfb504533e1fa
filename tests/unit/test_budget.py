import threading
import time

import pytest

from tracker.adapters.budget import (
    BACKOFF_MAX_SECONDS,
    LocalServerBudget,
    backoff_pause,
    query_interval,
)
from tracker.domain.model import LookupErrorKind
from tracker.services.ports import LookupFailed
from tracker.services.settings import ServerLimit

SERVER = "whois.example"


def budget_with(limit: ServerLimit, **kwargs: float) -> LocalServerBudget:
    return LocalServerBudget(
        lambda: {"*": ServerLimit(4, 5.0), SERVER: limit}, **kwargs
    )


def test_slot_caps_concurrent_queries() -> None:
    budget = budget_with(ServerLimit(max_concurrent=2, per_second=100.0))
    lock = threading.Lock()
    in_flight = 0
    peak = 0

    def query() -> None:
        nonlocal in_flight, peak
        with budget.slot(SERVER, wait_seconds=5):
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            time.sleep(0.02)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=query) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert peak == 2


def test_slot_spaces_query_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    limit = ServerLimit(max_concurrent=4, per_second=50.0)
    budget = budget_with(limit)
    sleeps: list[float] = []
    # A frozen clock turns each slot's wait into an exact multiple of the
    # interval, so the check does not depend on thread scheduling.
    monkeypatch.setattr("tracker.adapters.budget.time.monotonic", lambda: 100.0)
    monkeypatch.setattr("tracker.adapters.budget.time.sleep", sleeps.append)

    for _ in range(4):
        with budget.slot(SERVER, wait_seconds=5):
            pass

    interval = query_interval(limit)
    assert sleeps == pytest.approx([0.0, interval, 2 * interval, 3 * interval])
    assert interval > 1 / limit.per_second


def test_busy_slots_raise_rate_limited_after_wait() -> None:
    budget = budget_with(ServerLimit(max_concurrent=1, per_second=100.0))

    with (
        budget.slot(SERVER, wait_seconds=1),
        pytest.raises(LookupFailed) as caught,
        budget.slot(SERVER, wait_seconds=0.05),
    ):
        pass

    assert caught.value.kind is LookupErrorKind.RATE_LIMITED
    assert caught.value.server == SERVER
    assert "all query slots are busy" in caught.value.message


def test_used_up_rate_raises_without_waiting() -> None:
    budget = budget_with(ServerLimit(max_concurrent=4, per_second=0.2))
    with budget.slot(SERVER, wait_seconds=1):
        pass

    with pytest.raises(LookupFailed) as caught, budget.slot(SERVER, wait_seconds=1):
        pass

    assert "query rate is used up" in caught.value.message


def test_rate_limit_answer_pauses_server() -> None:
    budget = budget_with(ServerLimit(max_concurrent=4, per_second=100.0))

    budget.report_rate_limited(SERVER)

    with pytest.raises(LookupFailed), budget.slot(SERVER, wait_seconds=1):
        pass
    with budget.slot("other.example", wait_seconds=1):
        pass


def test_backoff_doubles_up_to_maximum() -> None:
    limit = ServerLimit(max_concurrent=1, per_second=5.0)

    pauses = [backoff_pause(limit, strikes) for strikes in range(1, 10)]

    assert pauses[:4] == [5.0, 10.0, 20.0, 40.0]
    assert pauses[-1] == BACKOFF_MAX_SECONDS


def test_backoff_of_slow_server_starts_at_two_intervals() -> None:
    strict = ServerLimit(max_concurrent=1, per_second=0.2)

    assert backoff_pause(strict, 1) == pytest.approx(2 * query_interval(strict))


def test_limits_are_reread_after_refresh() -> None:
    limits = {"*": ServerLimit(1, 100.0)}
    budget = LocalServerBudget(lambda: dict(limits), refresh_seconds=0)
    with budget.slot(SERVER, wait_seconds=1):
        limits["*"] = ServerLimit(2, 100.0)

        with budget.slot(SERVER, wait_seconds=0.05):
            pass


def test_failing_limits_source_keeps_defaults() -> None:
    def broken() -> dict[str, ServerLimit]:
        raise OSError("database is down")

    budget = LocalServerBudget(broken)

    with budget.slot(SERVER, wait_seconds=1):
        pass
