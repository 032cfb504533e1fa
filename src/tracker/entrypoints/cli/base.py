"""The root command group, and helpers shared by the subcommands."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

import click

from tracker.entrypoints.config import ConfigError, Settings

logger = logging.getLogger(__name__)


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
    try:
        return Settings.from_env(instance_path=instance, **overrides)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def build(ctx: click.Context, **overrides: Any) -> Any:
    """Return a container for this command, built once per process."""
    from tracker.entrypoints.container import build_container

    settings = load_settings(ctx, **overrides)
    return build_container(settings)


def migrated_container(ctx: click.Context) -> Any:
    """Return the command's container; exit naming the fix when the database is not ready."""
    from sqlalchemy.exc import OperationalError

    from tracker.adapters import schema

    container = build(ctx)
    engine = container.engine()
    url = engine.url.render_as_string(hide_password=True)
    try:
        revision = schema.current_revision(engine)
    except OperationalError as error:
        raise click.ClickException(
            f"cannot open the database {url}: {error.orig}; "
            "check DATABASE_URL, or run: tracker db upgrade"
        ) from None
    if revision is None:
        raise click.ClickException(
            f"the database {url} has no tables yet; run: tracker db upgrade "
            "(or set TRACKER_INSTANCE or DATABASE_URL to the service's database)"
        )
    return container


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
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=5000,
    show_default=True,
    help="TCP port to listen on.",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the web app (Werkzeug's threaded server, fine for one machine)."""
    from tracker.entrypoints.web import create_app

    _check_port_free(host, port)
    settings = load_settings(ctx)
    app = create_app(settings)
    if settings.whois_server:
        logger.warning("every WHOIS query goes to %s:%s", *settings.whois_server)
    if settings.rdap_base:
        logger.warning("every RDAP query goes to %s", settings.rdap_base)
    logger.info("serving on http://%s:%s, database %s", host, port, _safe_url(settings))
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        logger.info("stopped serving on http://%s:%s", host, port)


def _check_port_free(host: str, port: int) -> None:
    """Exit with a message before start-up when another process has the port."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {error.strerror}; "
            "stop the process using it or choose another --port"
        ) from None


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)
