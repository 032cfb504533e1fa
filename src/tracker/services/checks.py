"""Looking domains up and storing the outcome: one domain, or a whole pass."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from tracker.domain.model import CheckLog, Domain, LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import (
    Clock,
    LookupFailed,
    RegistrationLookup,
    UnitOfWork,
    UnitOfWorkFactory,
)
from tracker.services.reminders import plan_reminders
from tracker.services.scheduling import (
    CheckTarget,
    next_check_at,
    stale_claims_before,
)
from tracker.services.settings import (
    CheckIntervals,
    ServerLimit,
    check_intervals,
    limit_for,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check as the caller needs it.

    `skipped` is True when another check of the domain was running, so this
    one did not look it up.
    """

    domain_id: int
    success: bool
    renewed: bool = False
    changed: bool = False
    error_kind: LookupErrorKind | None = None
    error_message: str | None = None
    skipped: bool = False

    @property
    def needs_manual_entry(self) -> bool:
        return self.error_kind is not None and not self.renewed

    @property
    def rate_limited(self) -> bool:
        return self.error_kind is LookupErrorKind.RATE_LIMITED


def check_domain(
    uow: UnitOfWork,
    lookup: RegistrationLookup,
    clock: Clock,
    domain_id: int,
    *,
    intervals: CheckIntervals | None = None,
) -> CheckOutcome | None:
    """Look a domain up, write a CheckLog row, and update the domain on success.

    1. Claim the domain, so that no other check looks it up at the same
       time; when another check holds it, return a skipped outcome.
    2. Look it up without holding a database transaction.
    3. Store the outcome, release the claim and set `next_check_at`.

    A failed lookup, or one whose registry publishes no expiry, keeps the
    stored date and registrar. Returns None when the domain no longer exists.
    `intervals` defaults to the admin's stored setting.
    """
    if intervals is None:
        intervals = check_intervals(uow)
    name = _claim(uow, clock, domain_id)
    if name is None:
        return None
    if isinstance(name, CheckOutcome):
        return name
    started = time.monotonic()
    try:
        registration = lookup.lookup(name)
    except LookupFailed as error:
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return _record_failure(uow, clock, intervals, domain_id, error, elapsed_ms)
    except BaseException:
        _release_claim(uow, domain_id)
        raise
    elapsed_ms = int((time.monotonic() - started) * 1000)
    return _record_success(uow, clock, intervals, domain_id, registration, elapsed_ms)


def _claim(
    uow: UnitOfWork, clock: Clock, domain_id: int
) -> DomainName | CheckOutcome | None:
    """Return the name to look up, a skipped outcome, or None if the domain is gone."""
    now = clock.now()
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is None:
            return None
        name = domain.domain_name
        if not uow.domains.claim_for_check(domain_id, now, stale_claims_before(now)):
            logger.info("check of %s skipped: another check is running", name)
            return CheckOutcome(domain_id, success=False, skipped=True)
        uow.commit()
    return name


def _release_claim(uow: UnitOfWork, domain_id: int) -> None:
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is not None:
            domain.check_started_at = None
            uow.commit()


def _record_success(
    uow: UnitOfWork,
    clock: Clock,
    intervals: CheckIntervals,
    domain_id: int,
    registration: Registration,
    elapsed_ms: int,
) -> CheckOutcome | None:
    now = clock.now()
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is None:
            return None
        before = (domain.expiration_date, domain.registrar, domain.source)
        renewed = domain.apply_registration(registration, now)
        no_expiry = registration.expiration_date is None
        if no_expiry:
            message = _no_expiry_message(domain)
            domain.last_error = message
            domain.last_error_kind = LookupErrorKind.NO_EXPIRY_PUBLISHED.value
        uow.check_logs.add(
            CheckLog(
                domain_id=domain_id,
                checked_at=now,
                success=not no_expiry,
                expiration_date=registration.expiration_date,
                registrar=registration.registrar,
                source=registration.source.value,
                server=registration.server,
                error_kind=LookupErrorKind.NO_EXPIRY_PUBLISHED.value
                if no_expiry
                else None,
                error_message=domain.last_error if no_expiry else None,
                renewal=renewed,
                duration_ms=elapsed_ms,
            )
        )
        changed = before != (domain.expiration_date, domain.registrar, domain.source)
        _finish(domain, now, intervals)
        uow.commit()
    if changed:
        plan_reminders(uow, clock, domain_id)
    logger.info(
        "checked %s: expires %s via %s in %d ms%s",
        registration.domain,
        registration.expiration_date,
        registration.source.value,
        elapsed_ms,
        " (renewed)" if renewed else "",
    )
    if no_expiry:
        return CheckOutcome(
            domain_id,
            success=False,
            changed=changed,
            error_kind=LookupErrorKind.NO_EXPIRY_PUBLISHED,
            error_message=message,
        )
    return CheckOutcome(domain_id, success=True, renewed=renewed, changed=changed)


def _finish(domain: Domain, now: datetime, intervals: CheckIntervals) -> None:
    domain.check_started_at = None
    domain.next_check_at = next_check_at(domain, now, intervals)


def _no_expiry_message(domain: Domain) -> str:
    return (
        f"the registry of .{domain.domain_name.public_suffix} publishes no expiry date "
        f"for {domain.unicode_name}; enter it by hand"
    )


def _record_failure(
    uow: UnitOfWork,
    clock: Clock,
    intervals: CheckIntervals,
    domain_id: int,
    error: LookupFailed,
    elapsed_ms: int,
) -> CheckOutcome | None:
    now = clock.now()
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is None:
            return None
        domain.record_failure(error.kind, error.message, now)
        uow.check_logs.add(
            CheckLog(
                domain_id=domain_id,
                checked_at=now,
                success=False,
                server=error.server,
                error_kind=error.kind.value,
                error_message=error.message,
                duration_ms=elapsed_ms,
            )
        )
        name = domain.name
        _finish(domain, now, intervals)
        uow.commit()
    logger.warning("check of %s failed: %s (%s)", name, error.message, error.kind.value)
    return CheckOutcome(
        domain_id, success=False, error_kind=error.kind, error_message=error.message
    )


@dataclass
class PassSummary:
    """Counts of one check pass.

    `failed` counts failures other than rate limits, including registries
    that publish no expiry date. `skipped` counts domains that another check
    held or that were deleted meanwhile; `deferred` counts domains not looked
    up because their server rate-limited this pass or the deadline passed.
    Skipped and deferred domains stay due for the next pass.
    """

    checked: int = 0
    changed: int = 0
    renewed: int = 0
    failed: int = 0
    rate_limited: int = 0
    skipped: int = 0
    deferred: int = 0
    seconds: float = 0.0

    def add(self, outcome: CheckOutcome | None) -> None:
        if outcome is None or outcome.skipped:
            self.skipped += 1
            return
        self.checked += 1
        self.changed += outcome.changed
        self.renewed += outcome.renewed
        if outcome.rate_limited:
            self.rate_limited += 1
        elif not outcome.success:
            self.failed += 1

    def line(self) -> str:
        """Return the summary as one line, such as `checked 3, changed 1, ...`."""
        text = (
            f"checked {self.checked}, changed {self.changed}, failed {self.failed}, "
            f"rate limited {self.rate_limited}"
        )
        if self.skipped:
            text += f", skipped {self.skipped}"
        if self.deferred:
            text += f", deferred {self.deferred}"
        return text + f", seconds {self.seconds:.1f}"


OutcomeCallback = Callable[[CheckTarget, "CheckOutcome | None"], None]


@dataclass
class _Lanes:
    """The targets of a pass in one queue per lookup server."""

    queues: dict[str, deque[CheckTarget]]
    summary: PassSummary
    on_outcome: OutcomeCallback | None
    ends_at: float | None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_target(self, server: str) -> CheckTarget | None:
        with self.lock:
            queue = self.queues[server]
            if self.ends_at is not None and time.monotonic() >= self.ends_at:
                self.summary.deferred += len(queue)
                queue.clear()
            return queue.popleft() if queue else None

    def record(self, target: CheckTarget, outcome: CheckOutcome | None) -> None:
        with self.lock:
            self.summary.add(outcome)
            if self.on_outcome is not None:
                self.on_outcome(target, outcome)

    def record_crash(self, target: CheckTarget) -> None:
        with self.lock:
            self.summary.checked += 1
            self.summary.failed += 1
            if self.on_outcome is not None:
                self.on_outcome(target, None)

    def defer_rest(self, server: str) -> None:
        with self.lock:
            self.summary.deferred += len(self.queues[server])
            self.queues[server].clear()


def run_check_pass(
    uow_factory: UnitOfWorkFactory,
    lookup: RegistrationLookup,
    clock: Clock,
    targets: Sequence[CheckTarget],
    *,
    server_of: Callable[[DomainName], str],
    limits: Mapping[str, ServerLimit],
    intervals: CheckIntervals,
    max_workers: int = 32,
    deadline_seconds: float | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> PassSummary:
    """Check `targets` concurrently across servers and return the counts.

    1. Group the targets by `server_of(name)`, the server their lookup asks.
    2. Give each server as many lanes as its `max_concurrent`, at most one
       per target. A lane checks its server's targets one after another.
    3. Run the lanes on at most `max_workers` threads: the first lane of
       every server before any second lane, busiest server first, so a slow
       or strict server never holds all threads.

    The server budget inside the lookup adapters still paces each query;
    the lanes only keep threads from queueing behind one server. A lane
    stops when its server rate-limits a check, leaving the rest of that
    server's targets due for the next pass, and no lane starts a check
    after `deadline_seconds`. `on_outcome` runs under a lock, once per
    target looked up or skipped, with None for a check that crashed.
    """
    started = time.monotonic()
    groups: dict[str, deque[CheckTarget]] = defaultdict(deque)
    for target in targets:
        groups[server_of(target.name)].append(target)
    summary = PassSummary()
    ends_at = None if deadline_seconds is None else started + deadline_seconds
    lanes = _Lanes(dict(groups), summary, on_outcome, ends_at)

    def run_lane(server: str) -> None:
        while (target := lanes.next_target(server)) is not None:
            try:
                outcome = check_domain(
                    uow_factory(), lookup, clock, target.domain_id, intervals=intervals
                )
            except Exception:
                # One broken domain or a database error must not end the pass
                # for the others; the traceback goes to the log.
                logger.exception("check of %s crashed", target.name)
                lanes.record_crash(target)
                continue
            lanes.record(target, outcome)
            if outcome is not None and outcome.rate_limited:
                lanes.defer_rest(server)

    lane_servers = _lane_order(groups, limits)
    if lane_servers:
        workers = min(max_workers, len(lane_servers))
        with ThreadPoolExecutor(workers, thread_name_prefix="check") as pool:
            for future in [pool.submit(run_lane, s) for s in lane_servers]:
                future.result()
    summary.seconds = time.monotonic() - started
    logger.info("check pass: %s", summary.line())
    return summary


def _lane_order(
    groups: Mapping[str, Sequence[CheckTarget]], limits: Mapping[str, ServerLimit]
) -> list[str]:
    """Return one server entry per lane, first lanes of all servers first."""
    busiest_first = sorted(groups, key=lambda server: -len(groups[server]))
    lane_counts = {
        server: max(
            1, min(limit_for(limits, server).max_concurrent, len(groups[server]))
        )
        for server in busiest_first
    }
    order: list[str] = []
    for round_index in range(max(lane_counts.values(), default=0)):
        order.extend(s for s in busiest_first if lane_counts[s] > round_index)
    return order
