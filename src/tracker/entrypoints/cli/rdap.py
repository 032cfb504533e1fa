"""`tracker rdap`: manage the stored copy of the RDAP bootstrap file."""

from __future__ import annotations

import click

from tracker.adapters.rdap import (
    DEFAULT_BOOTSTRAP_URL,
    STORED_BOOTSTRAP_FILENAME,
    BootstrapRefreshFailed,
    refresh_bootstrap,
)
from tracker.entrypoints.cli.base import load_settings, main


@main.group()
def rdap() -> None:
    """Manage where RDAP lookups are sent."""


@rdap.command("refresh-bootstrap")
@click.option(
    "--url",
    default=DEFAULT_BOOTSTRAP_URL,
    show_default=True,
    help="Where to download the IANA RDAP bootstrap file (dns.json) from.",
)
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait.")
@click.pass_context
def refresh(ctx: click.Context, url: str, timeout: float) -> None:
    """Download the RDAP bootstrap file and store it in the instance folder.

    Lookups read only the stored copy (or the one shipped with tracker), so
    they work offline. Restart the web app and workers to use a new copy.
    """
    settings = load_settings(ctx)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    destination = settings.instance_path / STORED_BOOTSTRAP_FILENAME
    try:
        bootstrap = refresh_bootstrap(destination, url=url, timeout=timeout)
    except BootstrapRefreshFailed as error:
        raise click.ClickException(f"{error}; the previous copy is kept") from None
    published = f", published {bootstrap.publication}" if bootstrap.publication else ""
    click.echo(f"stored {destination}: {len(bootstrap)} TLDs with RDAP{published}")
