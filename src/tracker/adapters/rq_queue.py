"""`RqJobQueue`: the JobQueue port on RQ, for when Redis is configured."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redis import Redis
from rq import Queue

DEFAULT_QUEUE_NAME = "tracker"
# RQ stops a job after this many seconds unless the job sets its own.
DEFAULT_JOB_TIMEOUT = 600


class RqJobQueue:
    """Enqueues jobs on one RQ queue; `tracker worker` processes run them.

    Job functions must be importable by their dotted name, and their
    arguments and results must pickle.
    """

    def __init__(
        self,
        redis: Redis,
        queue_name: str = DEFAULT_QUEUE_NAME,
        *,
        job_timeout: int = DEFAULT_JOB_TIMEOUT,
    ) -> None:
        self.queue = Queue(queue_name, connection=redis, default_timeout=job_timeout)

    def enqueue(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        # Passing args and kwargs explicitly keeps RQ from reading a job
        # argument such as `timeout` as one of its own options.
        self.queue.enqueue_call(func, args=args, kwargs=kwargs)
