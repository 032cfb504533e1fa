"""Job queues: in-process threads, or RQ on Redis."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


class InlineJobQueue:
    """Runs each job on a daemon thread in this process (no Redis needed).

    With `synchronous=True` the job runs in the caller's thread, which the
    CLI and tests use.
    """

    def __init__(self, *, synchronous: bool = False) -> None:
        self.synchronous = synchronous

    def enqueue(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        if self.synchronous:
            _run_logged(func, args, kwargs)
            return
        thread = threading.Thread(
            target=_run_logged,
            args=(func, args, kwargs),
            daemon=True,
            name=func.__name__,
        )
        thread.start()


def _run_logged(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    try:
        func(*args, **kwargs)
    except Exception:
        logger.exception("background job %s failed", func.__name__)
