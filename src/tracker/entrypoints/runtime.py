"""The container of this process, for job functions that run outside a request.

The web app factory and the worker each build a container and register it
here; RQ job functions and in-process jobs read it back.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracker.entrypoints.container import Container

_lock = threading.Lock()
_container: Container | None = None


def use_container(container: Container) -> None:
    global _container
    with _lock:
        _container = container


def current_container() -> Container:
    """Return the registered container, building one from the environment if none."""
    global _container
    with _lock:
        if _container is None:
            from tracker.entrypoints.config import Settings
            from tracker.entrypoints.container import build_container

            _container = build_container(Settings.from_env())
        return _container
