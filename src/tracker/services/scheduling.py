"""When each domain is looked up next, and which domains are due now."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple

from tracker.domain.model import Domain
from tracker.domain.names import DomainName
from tracker.services.ports import Clock, UnitOfWork
from tracker.services.settings import CheckIntervals

# A claim older than this belongs to a check whose process died: a lookup
# with its RDAP fallback to WHOIS and the wait for a server's budget takes
# well under a minute.
CLAIM_STALE_AFTER = timedelta(minutes=10)


class CheckTarget(NamedTuple):
    """A domain to look up, with the name that decides its lookup server."""

    domain_id: int
    name: DomainName


def stale_claims_before(now: datetime) -> datetime:
    """Return the moment before which a check claim counts as abandoned."""
    return now - CLAIM_STALE_AFTER


def retry_delay(consecutive_failures: int, intervals: CheckIntervals) -> timedelta:
    """Return the wait after the n-th failure in a row: doubling, capped.

    With the defaults that is 1 h, 2 h, 4 h, 8 h, 16 h, then 24 h.
    """
    exponent = min(max(consecutive_failures - 1, 0), 16)
    hours = min(intervals.retry_hours * 2**exponent, intervals.max_retry_hours)
    return timedelta(hours=hours)


def next_check_at(domain: Domain, now: datetime, intervals: CheckIntervals) -> datetime:
    """Return when to look `domain` up again after an attempt at `now`.

    1. After a failure: `retry_delay` of the failures in a row.
    2. With no expiry date known: every `near_expiry_hours` (daily).
    3. Within `near_expiry_days` of expiry, or after it: `near_expiry_hours`.
    4. Otherwise every `far_hours` (weekly), but no later than the start of
       the near-expiry window, so a renewal is never missed inside it.
    """
    if domain.consecutive_failures > 0:
        return now + retry_delay(domain.consecutive_failures, intervals)
    near = now + timedelta(hours=intervals.near_expiry_hours)
    expiry = domain.expiration_date
    if expiry is None:
        return near
    window_opens = datetime.combine(
        expiry - timedelta(days=intervals.near_expiry_days), time(), tzinfo=UTC
    )
    if now >= window_opens:
        return near
    return min(now + timedelta(hours=intervals.far_hours), window_opens)


def due_targets(uow: UnitOfWork, clock: Clock, limit: int) -> list[CheckTarget]:
    """Return up to `limit` unclaimed domains due now, most urgent first.

    Never-checked domains come first, then expired and soonest-expiring
    ones; domains backing off after failures are not due until their
    retry time.
    """
    now = clock.now()
    with uow:
        domains = uow.domains.list_due(now, stale_claims_before(now), limit)
        return [_target(domain) for domain in domains]


def all_targets(uow: UnitOfWork) -> list[CheckTarget]:
    with uow:
        return [_target(domain) for domain in uow.domains.list_all()]


def _target(domain: Domain) -> CheckTarget:
    assert domain.id is not None
    return CheckTarget(domain.id, domain.domain_name)
