"""Two sweeps at once on PostgreSQL send each reminder exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Self

import pytest

from tests.integration.reminders.conftest import add_domain, add_owner
from tracker.adapters.clock import FixedClock
from tracker.adapters.schema import upgrade
from tracker.adapters.unit_of_work import (
    SqlAlchemyUnitOfWork,
    build_engine,
    session_factory,
)
from tracker.domain.model import Channel, ReminderStatus
from tracker.services import reminders
from tracker.services.ports import Message

DOMAINS = 20


class BarrierUnitOfWork(SqlAlchemyUnitOfWork):
    """Waits at `barrier` after its first due selection.

    Both sweeps then hold the same list of due ids before either claims one,
    so only the claim can keep them from sending a reminder twice.
    """

    def __init__(self, factory: object, barrier: threading.Barrier) -> None:
        super().__init__(factory)  # type: ignore[arg-type]
        self.barrier = barrier
        self.waited = False

    def __enter__(self) -> Self:
        super().__enter__()
        select_due = self.reminders.due_ids

        def due_ids(
            now: datetime, limit: int, *, channels: Sequence[Channel] | None = None
        ) -> Sequence[int]:
            ids = select_due(now, limit, channels=channels)
            if not self.waited:
                self.waited = True
                self.barrier.wait(timeout=30)
            return ids

        self.reminders.due_ids = due_ids  # type: ignore[method-assign]
        return self


class SharedRecorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.subjects: list[str] = []

    def is_configured(self) -> bool:
        return True

    def send(self, recipient: str, message: Message) -> None:
        with self.lock:
            self.subjects.append(message.subject)


@pytest.fixture
def migrated_postgres(postgres_url: str) -> Iterator[object]:
    engine = build_engine(postgres_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def test_two_sweeps_send_each_reminder_once(
    migrated_postgres: object, clock: FixedClock
) -> None:
    def uow() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(migrated_postgres)  # type: ignore[arg-type]

    owner = add_owner(uow(), clock, "owner@example.org")
    for number in range(DOMAINS):
        add_domain(uow(), clock, owner, f"example{number}.com", 10)
    barrier = threading.Barrier(2)
    recorder = SharedRecorder()
    results: list[reminders.SweepResult] = []

    def sweep() -> None:
        unit = BarrierUnitOfWork(migrated_postgres, barrier)
        result = reminders.send_due_reminders(
            unit, clock, {"email": recorder}, "http://127.0.0.1:5000"
        )
        results.append(result)

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 2
    assert len(recorder.subjects) == DOMAINS
    assert max(Counter(recorder.subjects).values()) == 1
    assert sum(r.sent for r in results) == DOMAINS
    assert sum(r.skipped for r in results) == DOMAINS
    with uow() as unit:
        sent = [
            row
            for domain in unit.domains.list_for_user(owner)
            for row in unit.reminders.list_for_domain(domain.id or 0)
            if row.status == ReminderStatus.SENT
        ]
    assert len(sent) == DOMAINS
    assert {row.attempts for row in sent} == {1}
