"""The root command group, and helpers shared by the subcommands."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from tracker.entrypoints.config import Settings


@click.group()
@click.option(
    "--instance",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="TRACKER_INSTANCE",
    help="Folder for the SQLite database and the secret key (default: ./instance).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def main(ctx: click.Context, instance: Path | None, verbose: bool) -> None:
    """tracker: watch domain expiry dates and remind before they lapse."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        # Alembic logs each migration step at INFO; the commands print a summary.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    ctx.obj = {"instance": instance}


def load_settings(ctx: click.Context, **overrides: Any) -> Settings:
    instance = (ctx.obj or {}).get("instance")
    return Settings.from_env(instance_path=instance, **overrides)


def build(ctx: click.Context, **overrides: Any) -> Any:
    """Return a container for this command, built once per process."""
    from tracker.entrypoints.container import build_container

    settings = load_settings(ctx, **overrides)
    return build_container(settings)


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create the tables, or upgrade them to the newest schema."""
    from tracker.adapters import schema

    settings = load_settings(ctx)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    container = build(ctx)
    schema.upgrade(container.engine())
    click.echo(f"database is at schema {schema.current_revision(container.engine())}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=5000, show_default=True, help="TCP port to listen on.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web app (Werkzeug's threaded server, fine for one machine)."""
    from tracker.entrypoints.web import create_app

    app = create_app(load_settings(ctx))
    click.echo(f"tracker is serving on http://{host}:{port}")
    app.run(host=host, port=port, threaded=True, use_reloader=False)
