"""`tracker remind`: send the due reminders now, or plan them again."""

from __future__ import annotations

import click

from tracker.entrypoints.cli.base import main, migrated_container
from tracker.services.reminders import plan_all_reminders, send_due_reminders


@main.command()
@click.option(
    "--due", "mode", flag_value="due", help="Send the reminders that are due now."
)
@click.option(
    "--replan",
    "mode",
    flag_value="replan",
    help="Plan the reminders of every domain again, e.g. after the default "
    "thresholds changed.",
)
@click.pass_context
def remind(ctx: click.Context, mode: str | None) -> None:
    """Run one reminder sweep (--due) or re-plan all reminders (--replan).

    The worker schedule runs the sweep every 15 minutes; use --due from cron
    when no worker runs. Prints a summary line. Each reminder is claimed
    before it is sent, so this and a worker never send the same one.
    """
    if mode is None:
        raise click.UsageError("give --due or --replan")
    container = migrated_container(ctx)
    if mode == "replan":
        count = plan_all_reminders(container.uow(), container.clock())
        click.echo(f"planned reminders for {count} domains")
        return
    result = send_due_reminders(
        container.uow(),
        container.clock(),
        container.notifiers(),
        container.settings().base_url,
    )
    click.echo(result.summary())
