"""`tracker check`, `tracker worker` and `tracker schedule`: keeping expiry dates current."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from tracker.domain.names import DomainName, InvalidDomainName
from tracker.entrypoints import jobs
from tracker.entrypoints.cli.base import load_settings, main, migrated_container
from tracker.services.check_pass import PassSummary
from tracker.services.checks import CheckOutcome
from tracker.services.scheduling import CheckTarget, all_targets, due_targets


@main.command()
@click.option("--due", "mode", flag_value="due", help="Check the domains due now.")
@click.option("--all", "mode", flag_value="all", help="Check every tracked domain.")
@click.option(
    "--deadline",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    help="Start no check after this many seconds; the rest stays due.",
)
@click.argument("domains", nargs=-1)
@click.pass_context
def check(
    ctx: click.Context,
    mode: str | None,
    deadline: float | None,
    domains: tuple[str, ...],
) -> None:
    """Look domains up now and store the results.

    Give --due, --all, or the DOMAINS to check for every user who tracks
    them. --due checks the domains whose next check time has come, most
    urgent first; run it from cron when no Redis worker runs. Prints a
    summary line. With DOMAINS it also prints one line per domain, and exits
    with status 1 when any of their lookups failed.
    """
    if mode and domains:
        raise click.UsageError("give --due, --all or DOMAINS, not several of them")
    if not mode and not domains:
        raise click.UsageError("give --due, --all or at least one DOMAIN")
    container = migrated_container(ctx)
    _quiet_per_domain_logs()
    if mode == "due":
        targets = due_targets(container.uow(), container.clock(), jobs.PASS_LIMIT)
    elif mode == "all":
        targets = all_targets(container.uow())
    else:
        targets = _named_targets(container, domains)

    outcomes: dict[int, CheckOutcome | None] = {}
    summary = _run_with_progress(container, targets, deadline, outcomes)
    if domains:
        failed = _echo_outcomes(container, targets, outcomes)
        click.echo(summary.line())
        ctx.exit(1 if failed else 0)
    click.echo(summary.line())


def _run_with_progress(
    container: Any,
    targets: list[CheckTarget],
    deadline: float | None,
    outcomes: dict[int, CheckOutcome | None],
) -> PassSummary:
    with click.progressbar(
        length=len(targets), label="checking", file=sys.stderr
    ) as bar:

        def on_outcome(target: CheckTarget, outcome: CheckOutcome | None) -> None:
            outcomes[target.domain_id] = outcome
            bar.update(1)

        return jobs.run_checks(
            container, targets, deadline_seconds=deadline, on_outcome=on_outcome
        )


def _named_targets(container: Any, texts: tuple[str, ...]) -> list[CheckTarget]:
    """Return the tracked domains named in `texts`; exit 1 naming any bad one."""
    targets: list[CheckTarget] = []
    errors: list[str] = []
    with container.uow() as uow:
        for text in texts:
            try:
                name = DomainName.parse(text)
            except InvalidDomainName as error:
                errors.append(str(error))
                continue
            found = uow.domains.list_by_name(name.ascii)
            if not found:
                errors.append(
                    f"{name.unicode} is not tracked by any user; "
                    f"add it with: tracker domains add EMAIL {name.unicode}"
                )
            targets.extend(CheckTarget(d.id, name) for d in found)
    for message in errors:
        click.echo(f"error: {message}", err=True)
    if errors:
        raise click.exceptions.Exit(1)
    return targets


def _echo_outcomes(
    container: Any,
    targets: list[CheckTarget],
    outcomes: dict[int, CheckOutcome | None],
) -> bool:
    """Print one line per checked domain; return True when any lookup failed."""
    failed = False
    with container.uow() as uow:
        for target in targets:
            outcome = outcomes.get(target.domain_id)
            domain = uow.domains.get(target.domain_id)
            if domain is None:
                continue
            label = domain.unicode_name
            if target.domain_id not in outcomes:
                click.echo(f"{label}: not checked in this run; it stays due")
            elif outcome is None:
                failed = True
                click.echo(f"{label}: the check crashed; the log above has the error")
            elif outcome.skipped:
                click.echo(f"{label}: not checked, another check of it is running")
            elif outcome.success:
                registrar = domain.registrar or "unknown registrar"
                renewed = " (renewed)" if outcome.renewed else ""
                click.echo(
                    f"{label}: expires {domain.expiration_date}, {registrar}{renewed}"
                )
            else:
                failed = True
                click.echo(f"{label}: {outcome.error_message}")
    return failed


def _quiet_per_domain_logs() -> None:
    """Keep one INFO line per domain out of the progress bar, unless -v is on."""
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("tracker.services.checks").setLevel(logging.WARNING)


@main.command()
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.pass_context
def worker(ctx: click.Context, burst: bool) -> None:
    """Run an RQ worker for background checks and reminders (needs REDIS_URL).

    Start as many as you like. Exactly one `tracker schedule` must run
    beside them to enqueue the periodic jobs.
    """
    from tracker.entrypoints.worker import RedisNotConfigured, run_worker

    try:
        succeeded = run_worker(load_settings(ctx), burst=burst)
    except RedisNotConfigured as error:
        raise click.ClickException(str(error)) from None
    ctx.exit(0 if succeeded else 1)


@main.command()
@click.pass_context
def schedule(ctx: click.Context) -> None:
    """Enqueue the periodic jobs on RQ at their intervals (needs REDIS_URL).

    Runs rq's cron scheduler: a check pass every 5 minutes and the other
    periodic jobs. It holds a lock in Redis, so a second `tracker schedule`
    waits as a standby instead of enqueueing every job twice.
    """
    from tracker.entrypoints.worker import RedisNotConfigured, build_schedule

    try:
        cron = build_schedule(load_settings(ctx))
    except RedisNotConfigured as error:
        raise click.ClickException(str(error)) from None
    cron.run()
