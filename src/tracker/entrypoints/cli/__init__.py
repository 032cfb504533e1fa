"""The `tracker` console script; each submodule adds its commands to `main`."""

from tracker.entrypoints.cli import lookup  # noqa: F401
from tracker.entrypoints.cli.base import main

__all__ = ["main"]
