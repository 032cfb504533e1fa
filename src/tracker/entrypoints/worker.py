"""The RQ worker and the cron schedule, the two processes of a Redis deployment."""

from __future__ import annotations

import logging

from redis import Redis
from rq import Queue, Worker

from tracker.entrypoints.config import Settings
from tracker.entrypoints.container import build_container
from tracker.entrypoints.runtime import use_container
from tracker.entrypoints.scheduler import CronSchedule

logger = logging.getLogger(__name__)


class RedisNotConfigured(RuntimeError):
    """Raised when a command that needs Redis runs without REDIS_URL."""


def redis_connection(settings: Settings) -> Redis:
    if not settings.redis_url:
        raise RedisNotConfigured(
            "REDIS_URL is not set; set it to run RQ workers, or run without Redis: "
            "the web process then runs the schedule, and `tracker check --due` "
            "runs one pass"
        )
    return Redis.from_url(settings.redis_url)


def run_worker(settings: Settings, *, burst: bool = False) -> bool:
    """Run an RQ worker on the tracker queue until stopped; return True on success.

    With `burst`, the worker stops once the queue is empty. RQ forks a
    child process per job. The container is built here but opens no
    connection, so each child opens its own database connections.
    """
    connection = redis_connection(settings)
    use_container(build_container(settings))
    queue = Queue(settings.redis_prefix, connection=connection)
    worker = Worker([queue], connection=connection)
    logger.info("worker %s serving queue %s", worker.name, queue.name)
    return bool(worker.work(burst=burst))


def build_schedule(settings: Settings) -> CronSchedule:
    return CronSchedule(
        redis_connection(settings),
        settings.redis_prefix,
        lock_key=f"{settings.redis_prefix}:schedule-lock",
    )
