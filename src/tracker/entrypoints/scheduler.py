"""The periodic schedule: which jobs run how often, and the two ways to run it.

With Redis, `tracker schedule` runs rq's cron scheduler (`rq.cron`, rq 2.12),
which enqueues each periodic job on the RQ queue for `tracker worker`
processes to run. rq's cron has no leader election, so `CronSchedule` takes
a lock in Redis first: a second `tracker schedule` waits as a standby and
takes over when the first one stops.

Without Redis, the web process runs the same job functions on a background
thread (`start_in_web_process`), and `tracker check --due` runs one pass
for an external cron.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from redis import Redis
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from tracker.entrypoints import jobs

if TYPE_CHECKING:
    from tracker.entrypoints.config import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A job function without arguments, run every `every`.

    `timeout` bounds one run on an RQ worker.
    """

    func: Callable[[], Any]
    every: timedelta
    timeout: timedelta = timedelta(minutes=10)


PERIODIC_JOBS: list[PeriodicJob] = [
    PeriodicJob(jobs.check_due_domains_job, timedelta(minutes=5)),
    PeriodicJob(jobs.send_due_reminders_job, timedelta(minutes=15)),
]

# The leader lock expires this long after the scheduler's last heartbeat;
# rq's cron loop beats at least once a minute.
LOCK_TTL = timedelta(minutes=3)
STANDBY_RETRY_SECONDS = 30.0

# Compare and act in one step, so a scheduler never renews or deletes a
# lock that expired and another scheduler took meanwhile.
_RENEW_IF_HELD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE_IF_HELD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class BackgroundScheduler:
    """Runs the periodic jobs on one daemon thread of this process.

    Each job runs first right after `start()`, then every `every`. A job
    that raises is logged and runs again at its next time.
    """

    def __init__(self, periodic_jobs: list[PeriodicJob]) -> None:
        self._jobs = list(periodic_jobs)
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="tracker-scheduler", daemon=True
        )

    def start(self) -> None:
        logger.info("background scheduler started with %d jobs", len(self._jobs))
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to stop after the job it runs, and wait up to `timeout`."""
        self._stopped.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        next_runs = [time.monotonic()] * len(self._jobs)
        while not self._stopped.is_set():
            for index, job in enumerate(self._jobs):
                if time.monotonic() >= next_runs[index]:
                    _run_logged(job)
                    next_runs[index] = time.monotonic() + job.every.total_seconds()
                if self._stopped.is_set():
                    return
            self._stopped.wait(max(0.0, min(next_runs) - time.monotonic()))
        logger.info("background scheduler stopped")


def _run_logged(job: PeriodicJob) -> None:
    name = job.func.__name__
    try:
        job.func()
    except Exception:
        logger.exception("periodic job %s failed; it runs again in %s", name, job.every)


_web_scheduler: BackgroundScheduler | None = None
_web_lock = threading.Lock()


def start_in_web_process(settings: Settings) -> BackgroundScheduler | None:
    """Start the background scheduler in a web process that needs one.

    Returns None, and starts nothing, when Redis is configured (then
    `tracker schedule` runs the schedule), when `run_scheduler` is off, or
    when testing. Starts at most one scheduler per process, however many
    apps the process creates. Call it after the app's container is
    registered with `tracker.entrypoints.runtime.use_container`.
    """
    global _web_scheduler
    if settings.redis_url or not settings.run_scheduler or settings.testing:
        return None
    with _web_lock:
        if _web_scheduler is None:
            _web_scheduler = BackgroundScheduler(PERIODIC_JOBS)
            _web_scheduler.start()
        return _web_scheduler


class CronSchedule(CronScheduler):
    """rq's cron scheduler with tracker's periodic jobs and a leader lock.

    `run()` blocks: it waits until it holds the lock `lock_key`, then
    enqueues each job on `queue_name` at its interval. The lock is renewed
    with every heartbeat; a scheduler that finds it lost stops enqueueing.
    """

    def __init__(
        self,
        connection: Redis,
        queue_name: str,
        *,
        lock_key: str,
        periodic_jobs: list[PeriodicJob] | None = None,
    ) -> None:
        super().__init__(connection=connection)
        self.lock_key = lock_key
        for job in PERIODIC_JOBS if periodic_jobs is None else periodic_jobs:
            self.register(
                job.func,
                queue_name,
                interval=int(job.every.total_seconds()),
                job_timeout=int(job.timeout.total_seconds()),
                # rq keeps each cron job's history under its name; the queue
                # name in it keeps two installations on one Redis apart.
                name=f"{queue_name}.{job.func.__name__}",
            )

    def acquire_lock(self) -> bool:
        """Take the leader lock if it is free; return True when this scheduler holds it."""
        ttl = int(LOCK_TTL.total_seconds())
        taken = self.connection.set(self.lock_key, self.name, nx=True, ex=ttl)
        return bool(taken)

    def release_lock(self) -> None:
        self.connection.eval(_RELEASE_IF_HELD, 1, self.lock_key, self.name)

    def heartbeat(self) -> None:
        super().heartbeat()
        ttl = int(LOCK_TTL.total_seconds())
        if not self.connection.eval(_RENEW_IF_HELD, 1, self.lock_key, self.name, ttl):
            logger.error(
                "scheduler %s lost the lock %s; stopping", self.name, self.lock_key
            )
            raise StopRequested()

    def run(self) -> None:
        """Wait for the leader lock, then run the schedule until stopped."""
        while not self.acquire_lock():
            holder = self.connection.get(self.lock_key)
            logger.info(
                "the lock %s is taken by scheduler %r; retrying in %.0f s",
                self.lock_key,
                holder,
                STANDBY_RETRY_SECONDS,
            )
            time.sleep(STANDBY_RETRY_SECONDS)
        logger.info("scheduler %s acquired the lock %s", self.name, self.lock_key)
        try:
            self.start()  # type: ignore[no-untyped-call]
        finally:
            self.release_lock()
