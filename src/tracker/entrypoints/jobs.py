"""Job functions: importable by name, so RQ workers and threads run the same code."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from tracker.adapters.whois.servers import server_for as whois_server_for
from tracker.domain.names import DomainName
from tracker.entrypoints.runtime import current_container
from tracker.services.check_pass import OutcomeCallback, PassSummary, run_check_pass
from tracker.services.checks import CheckOutcome, check_domain
from tracker.services.ports import RegistrationLookup
from tracker.services.reminders import (
    SweepResult,
    plan_all_reminders,
    send_due_reminders,
)
from tracker.services.scheduling import CheckTarget, due_targets
from tracker.services.settings import check_intervals, server_limits

if TYPE_CHECKING:
    from tracker.entrypoints.container import Container

logger = logging.getLogger(__name__)

# One pass takes at most this many due domains, most urgent first, and
# starts no check after PASS_DEADLINE_SECONDS, so it ends before the next
# pass of the schedule begins. What is left stays due for that pass.
PASS_LIMIT = 5000
PASS_DEADLINE_SECONDS = 240.0


def check_domain_job(domain_id: int) -> CheckOutcome | None:
    """Look one domain up and store the outcome."""
    container = current_container()
    return check_domain(
        container.uow(), container.lookup(), container.clock(), domain_id
    )


def check_due_domains_job() -> PassSummary:
    """Run one check pass over the domains that are due now."""
    container = current_container()
    targets = due_targets(container.uow(), container.clock(), PASS_LIMIT)
    return run_checks(container, targets, deadline_seconds=PASS_DEADLINE_SECONDS)


def run_checks(
    container: Container,
    targets: Sequence[CheckTarget],
    *,
    deadline_seconds: float | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> PassSummary:
    """Check `targets` concurrently with the container's lookup and settings."""
    lookup = container.lookup()
    return run_check_pass(
        container.uow,
        lookup,
        container.clock(),
        targets,
        server_of=server_locator(lookup),
        limits=server_limits(container.uow()),
        intervals=check_intervals(container.uow()),
        deadline_seconds=deadline_seconds,
        on_outcome=on_outcome,
    )


def server_locator(lookup: RegistrationLookup) -> Callable[[DomainName], str]:
    """Return a function naming the server a lookup of a domain will ask.

    Uses the lookup's own `server_for(name)` when it has one. Otherwise it
    names the registry's WHOIS server, which also groups the TLDs of one
    registry (.ru, .su and .рф) whichever protocol serves the lookup. A TLD
    missing from that table is its own group (".museum") with the "*" limit.
    """
    locate = getattr(lookup, "server_for", None)

    def server_of(name: DomainName) -> str:
        server = locate(name) if locate is not None else None
        return server or whois_server_for(name.tld) or f".{name.tld}"

    return server_of


def send_due_reminders_job() -> SweepResult:
    """Send the reminders that are due now, each at most once."""
    container = current_container()
    return send_due_reminders(
        container.uow(),
        container.clock(),
        container.notifiers(),
        container.settings().base_url,
    )


def plan_all_reminders_job() -> int:
    """Plan the reminders of every domain again; return the number of domains.

    Enqueue it after a change that the sweep does not notice by itself, such
    as new default thresholds or a re-activated account.
    """
    container = current_container()
    return plan_all_reminders(container.uow(), container.clock())
