"""The `tracker` console script; each submodule adds its commands to `main`."""

from tracker.entrypoints.cli import (
    checks,  # noqa: F401
    domains,  # noqa: F401
    lookup,  # noqa: F401
    rdap,  # noqa: F401
    remind,  # noqa: F401
    users,  # noqa: F401
)
from tracker.entrypoints.cli.base import main

__all__ = ["main"]
