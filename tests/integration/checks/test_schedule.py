"""The periodic schedule: rq's cron with a leader lock, and the in-process thread."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.exceptions import StopRequested

from tests.integration.checks.helpers import TRACKER_SCRIPT, make_settings, process_env
from tracker.entrypoints import jobs, scheduler
from tracker.entrypoints.scheduler import (
    BackgroundScheduler,
    CronSchedule,
    PeriodicJob,
)
from tracker.entrypoints.worker import build_schedule

WAIT = 5.0


def test_schedule_runs_checks_and_reminders() -> None:
    names = {job.func.__name__: job.every for job in scheduler.PERIODIC_JOBS}

    assert names["check_due_domains_job"] == timedelta(minutes=5)
    assert names["send_due_reminders_job"] == timedelta(minutes=15)
    assert all(
        getattr(jobs, job.func.__name__) is job.func for job in scheduler.PERIODIC_JOBS
    )


def test_cron_enqueues_every_periodic_job(
    redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    settings = make_settings(
        tmp_path, "sqlite://", redis_url=redis_url, redis_prefix=redis_prefix
    )
    cron = build_schedule(settings)

    cron.enqueue_jobs()

    queue = Queue(redis_prefix, connection=Redis.from_url(redis_url))
    enqueued = sorted(job.func_name for job in queue.get_jobs())
    assert enqueued == sorted(
        f"tracker.entrypoints.jobs.{job.func.__name__}"
        for job in scheduler.PERIODIC_JOBS
    )
    assert all(job.timeout == 600 for job in queue.get_jobs())


def test_second_cron_waits_for_lock(redis_url: str, redis_prefix: str) -> None:
    connection = Redis.from_url(redis_url)
    lock_key = f"{redis_prefix}:schedule-lock"
    first = CronSchedule(connection, redis_prefix, lock_key=lock_key, periodic_jobs=[])
    second = CronSchedule(connection, redis_prefix, lock_key=lock_key, periodic_jobs=[])

    assert first.acquire_lock() is True
    assert second.acquire_lock() is False
    second.release_lock()
    assert second.acquire_lock() is False
    first.release_lock()
    assert second.acquire_lock() is True
    second.release_lock()


def test_cron_stops_when_lock_is_lost(redis_url: str, redis_prefix: str) -> None:
    connection = Redis.from_url(redis_url)
    lock_key = f"{redis_prefix}:schedule-lock"
    cron = CronSchedule(connection, redis_prefix, lock_key=lock_key, periodic_jobs=[])
    assert cron.acquire_lock()
    cron.heartbeat()
    assert connection.ttl(lock_key) > 0

    connection.set(lock_key, "another-scheduler")

    with pytest.raises(StopRequested):
        cron.heartbeat()
    assert connection.get(lock_key) == b"another-scheduler"
    connection.delete(lock_key)
    cron.register_death()


def test_background_scheduler_runs_jobs_until_stopped() -> None:
    ran = threading.Event()
    calls: list[str] = []

    def failing() -> None:
        calls.append("failing")
        raise RuntimeError("the database is down")

    def working() -> None:
        calls.append("working")
        ran.set()

    background = BackgroundScheduler(
        [
            PeriodicJob(failing, timedelta(hours=1)),
            PeriodicJob(working, timedelta(hours=1)),
        ]
    )

    background.start()
    assert ran.wait(WAIT)
    background.stop(timeout=WAIT)

    assert calls == ["failing", "working"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"redis_url": "redis://127.0.0.1:6379/15"},
        {"run_scheduler": False},
        {"testing": True},
    ],
    ids=["redis", "switched off", "testing"],
)
def test_web_process_runs_no_scheduler(
    tmp_path: Path, overrides: dict[str, object]
) -> None:
    values: dict[str, object] = {"run_scheduler": True, "testing": False}
    values.update(overrides)
    settings = make_settings(tmp_path, "sqlite://", **values)

    assert scheduler.start_in_web_process(settings) is None


def test_web_process_starts_one_scheduler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = threading.Event()
    monkeypatch.setattr(
        scheduler, "PERIODIC_JOBS", [PeriodicJob(ran.set, timedelta(hours=1))]
    )
    monkeypatch.setattr(scheduler, "_web_scheduler", None)
    settings = make_settings(tmp_path, "sqlite://", run_scheduler=True, testing=False)

    first = scheduler.start_in_web_process(settings)
    second = scheduler.start_in_web_process(settings)

    assert first is not None
    assert second is first
    assert ran.wait(WAIT)
    first.stop(timeout=WAIT)


def test_schedule_command_enqueues_and_releases_lock(
    redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    settings = make_settings(
        tmp_path, "sqlite://", redis_url=redis_url, redis_prefix=redis_prefix
    )
    connection = Redis.from_url(redis_url)
    queue = Queue(redis_prefix, connection=connection)
    lock_key = f"{redis_prefix}:schedule-lock"
    process = subprocess.Popen(
        [TRACKER_SCRIPT, "schedule"],
        env=process_env(settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(queue) < len(scheduler.PERIODIC_JOBS) and time.monotonic() < deadline:
            time.sleep(0.1)
        held_by = connection.get(lock_key)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)

    assert len(queue) == len(scheduler.PERIODIC_JOBS), output
    assert held_by is not None
    assert process.returncode == 0, output
    assert connection.get(lock_key) is None
