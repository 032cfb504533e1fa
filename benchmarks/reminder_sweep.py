"""Time the reminder sweep's due selection on PostgreSQL at 1,000 and 100,000 domains.

Each size gets a private schema on the server (created, migrated, seeded and
dropped here) with one user per 100 domains and, per domain, a current plan
(five thresholds and the "expired" message, pending) and last year's six
rows (sent). In both sizes exactly 1,000 reminders are due. Their domains
expire in 20 days, so the 30-day reminder is 10 days overdue. Every other
domain expires in 31 to 730 days.

The timed call is `SqlAlchemyReminderRepository.due_ids`, the query the
sweep runs, repeated `--repeat` times; the median is reported. The script
prints the EXPLAIN ANALYZE plan of each size, then, as its last line:

    small_ms A large_ms B ratio R seq_scan yes|no

`seq_scan` is "yes" when either plan contains a sequential scan of any
table. The target is `seq_scan no` and a ratio of 3 or less.

Run: .venv/bin/python benchmarks/reminder_sweep.py [--url URL] [--repeat N]
"""

from __future__ import annotations

import argparse
import enum
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from tracker.adapters.repositories import (
    SqlAlchemyReminderRepository,
    due_reminders_query,
)
from tracker.adapters.schema import upgrade
from tracker.adapters.unit_of_work import build_engine

DEFAULT_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SIZES = (1_000, 100_000)
DUE = 1_000
DOMAINS_PER_USER = 100
THRESHOLDS = (30, 14, 7, 3, 1)

_SEED = [
    """
    INSERT INTO users (email, password_hash, is_admin, is_active, language,
                       notify_email, notify_telegram, created_at)
    SELECT 'user' || g || '@example.org', 'x', false, true, 'en', true, false, now()
    FROM generate_series(1, :users) AS g
    """,
    # Every :stride-th domain expires in 20 days, so its 30-day reminder is due.
    """
    INSERT INTO domains (user_id, name, unicode_name, expiration_date, source,
                         created_at, updated_at, consecutive_failures, muted,
                         next_check_at)
    SELECT 1 + (g % :users), 'domain' || g || '.com', 'domain' || g || '.com',
           CASE WHEN g % :stride = 0 THEN CAST(:today AS date) + 20
                ELSE CAST(:today AS date) + 31 + (g % 700) END,
           'whois', now(), now(), 0, false, now() + interval '1 day'
    FROM generate_series(1, :domains) AS g
    """,
    """
    INSERT INTO notifications (domain_id, notification_type, kind, threshold_days,
                               expiration_date, status, scheduled_for, created_at,
                               attempts, next_attempt_at)
    SELECT d.id, 'email', 'threshold', t, d.expiration_date, 'pending',
           (d.expiration_date - t)::timestamp AT TIME ZONE 'UTC', now(), 0,
           (d.expiration_date - t)::timestamp AT TIME ZONE 'UTC'
    FROM domains AS d CROSS JOIN unnest(CAST(:thresholds AS integer[])) AS t
    """,
    """
    INSERT INTO notifications (domain_id, notification_type, kind, threshold_days,
                               expiration_date, status, scheduled_for, created_at,
                               attempts, next_attempt_at)
    SELECT d.id, 'email', 'expired', 0, d.expiration_date, 'pending',
           (d.expiration_date + 1)::timestamp AT TIME ZONE 'UTC', now(), 0,
           (d.expiration_date + 1)::timestamp AT TIME ZONE 'UTC'
    FROM domains AS d
    """,
    # Last year's plan, all sent: history that a due selection must skip.
    """
    INSERT INTO notifications (domain_id, notification_type, kind, threshold_days,
                               expiration_date, status, scheduled_for, created_at,
                               attempts, next_attempt_at, sent_at)
    SELECT n.domain_id, 'email', n.kind, n.threshold_days,
           n.expiration_date - 365, 'sent', n.scheduled_for - interval '365 days',
           now(), 1, n.next_attempt_at - interval '365 days',
           n.scheduled_for - interval '365 days'
    FROM notifications AS n
    """,
]


@contextmanager
def private_schema(url: str) -> Iterator[str]:
    """Yield `url` with its search_path set to a new schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(engine: Engine, domains: int, now: datetime) -> None:
    values = {
        "users": max(1, domains // DOMAINS_PER_USER),
        "domains": domains,
        "stride": domains // DUE,
        "today": now.date(),
        "thresholds": list(THRESHOLDS),
    }
    with engine.begin() as connection:
        for statement in _SEED:
            connection.execute(text(statement), values)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE")
        )


def explain(engine: Engine, now: datetime) -> str:
    """Return the EXPLAIN ANALYZE plan of the due selection that `due_ids` runs."""
    compiled = due_reminders_query(now, DUE * 10).compile(dialect=engine.dialect)
    # The driver gets the enum's string, as the column type would bind it.
    params = {
        key: value.value if isinstance(value, enum.Enum) else value
        for key, value in compiled.params.items()
    }
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", params
        )
        return "\n".join(row[0] for row in rows)


def time_selection(engine: Engine, now: datetime, repeat: int) -> float:
    """Return the median milliseconds of `due_ids` over `repeat` runs."""
    timings = []
    with Session(engine) as session:
        repository = SqlAlchemyReminderRepository(session)
        for _ in range(repeat):
            started = time.perf_counter()
            due = repository.due_ids(now, DUE * 10)
            timings.append((time.perf_counter() - started) * 1000)
            if len(due) != DUE:
                raise SystemExit(f"expected {DUE} due reminders, selected {len(due)}")
            session.rollback()
    return statistics.median(timings)


def time_unplanned_check(engine: Engine, repeat: int) -> float:
    """Return the median milliseconds of the sweep's search for unplanned domains.

    Unlike the due selection it reads every domain, so it grows with their
    number. It is printed for information and is not part of the target.
    """
    timings = []
    with Session(engine) as session:
        repository = SqlAlchemyReminderRepository(session)
        for _ in range(repeat):
            started = time.perf_counter()
            repository.unplanned_domain_ids(1000)
            timings.append((time.perf_counter() - started) * 1000)
            session.rollback()
    return statistics.median(timings)


def measure(url: str, domains: int, repeat: int) -> tuple[float, str]:
    now = datetime.now(UTC)
    with private_schema(url) as schema_url:
        engine = build_engine(schema_url)
        try:
            upgrade(engine)
            started = time.perf_counter()
            seed(engine, domains, now)
            seconds = time.perf_counter() - started
            print(f"seeded {domains} domains in {seconds:.1f} s", flush=True)
            plan = explain(engine, now)
            milliseconds = time_selection(engine, now, repeat)
            unplanned = time_unplanned_check(engine, max(1, repeat // 10))
            print(f"search for unplanned domains: median {unplanned:.1f} ms")
        finally:
            engine.dispose()
    return milliseconds, plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL database URL")
    parser.add_argument(
        "--repeat", type=int, default=50, help="timed runs per size (default 50)"
    )
    args = parser.parse_args(argv)

    timings: list[float] = []
    seq_scan = False
    for domains in SIZES:
        milliseconds, plan = measure(args.url, domains, args.repeat)
        timings.append(milliseconds)
        seq_scan = seq_scan or "Seq Scan" in plan
        print(f"\n{domains} domains, {DUE} due: median {milliseconds:.3f} ms")
        print(plan, flush=True)

    small, large = timings
    print(
        f"small_ms {small:.3f} large_ms {large:.3f} ratio {large / small:.2f} "
        f"seq_scan {'yes' if seq_scan else 'no'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
