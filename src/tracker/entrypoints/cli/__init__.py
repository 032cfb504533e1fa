"""The `tracker` console script; each submodule adds its commands to `main`."""

from tracker.entrypoints.cli import checks  # noqa: F401
from tracker.entrypoints.cli import domains  # noqa: F401
from tracker.entrypoints.cli import lookup  # noqa: F401
from tracker.entrypoints.cli import rdap  # noqa: F401
from tracker.entrypoints.cli import remind  # noqa: F401
from tracker.entrypoints.cli import users  # noqa: F401
from tracker.entrypoints.cli.base import main

__all__ = ["main"]
