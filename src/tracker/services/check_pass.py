"""A check pass: many domains looked up concurrently across servers, stored by one thread."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from tracker.domain.model import LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.checks import CheckOutcome, store_result
from tracker.services.ports import (
    Clock,
    LookupFailed,
    RegistrationLookup,
    UnitOfWorkFactory,
)
from tracker.services.scheduling import (
    CLAIM_STALE_AFTER,
    CheckTarget,
    stale_claims_before,
)
from tracker.services.settings import CheckIntervals, ServerLimit, limit_for

logger = logging.getLogger(__name__)

# A pass renews its claims this often, so a long pass never leaves claims
# that look abandoned while their domains still wait for a lane.
CLAIM_REFRESH_SECONDS = CLAIM_STALE_AFTER.total_seconds() / 4


@dataclass
class PassSummary:
    """Counts of one check pass.

    `failed` counts failures other than rate limits, including registries
    that publish no expiry date and checks that crashed. `skipped` counts
    domains claimed by another check or deleted meanwhile. `deferred` counts
    domains not looked up because their server rate-limited this pass or
    the deadline passed. Skipped and deferred domains stay due for the next
    pass.
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

    def add_crash(self) -> None:
        self.checked += 1
        self.failed += 1

    def line(self) -> str:
        """Return the counts as one line, such as `checked 3, changed 1, ...`."""
        text = (
            f"checked {self.checked}, changed {self.changed}, failed {self.failed}, "
            f"rate limited {self.rate_limited}"
        )
        if self.skipped:
            text += f", skipped {self.skipped}"
        if self.deferred:
            text += f", deferred {self.deferred}"
        return text + f", seconds {self.seconds:.1f}"


OutcomeCallback = Callable[[CheckTarget, CheckOutcome | None], None]


@dataclass(frozen=True)
class _LookupResult:
    """A lane's lookup result for one target; `result` is None after a crash."""

    target: CheckTarget
    result: Registration | LookupFailed | None
    elapsed_ms: int


@dataclass
class _Lanes:
    """The claimed targets of a pass in one queue per lookup server."""

    queues: dict[str, deque[CheckTarget]]
    ends_at: float | None
    lanes_left: int
    results: queue.Queue[_LookupResult | None] = field(default_factory=queue.Queue)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_target(self, server: str) -> CheckTarget | None:
        with self.lock:
            if self.ends_at is not None and time.monotonic() >= self.ends_at:
                return None
            server_queue = self.queues[server]
            return server_queue.popleft() if server_queue else None

    def stop_server(self, server: str) -> None:
        with self.lock:
            self.queues[server].clear()

    def lane_done(self) -> None:
        """Count a finished lane; the last one queues the end marker (None)."""
        with self.lock:
            self.lanes_left -= 1
            if self.lanes_left == 0:
                self.results.put(None)


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

    1. Claim every target in one transaction. A target claimed by another
       check is skipped.
    2. Group the claimed targets by `server_of(name)`, the server their
       lookup asks, and give each server as many lanes as its
       `max_concurrent`, at most one per target. A lane is a thread that
       looks its server's targets up one after another.
    3. Run the lanes on at most `max_workers` threads: the first lane of
       every server before any second lane, busiest server first, so a
       slow or strict server never holds all threads.
    4. Store each result in this thread as it arrives. One writer keeps
       SQLite free of competing write transactions.
    5. Release the claims of targets no lane reached: a lane stops when its
       server rate-limits a lookup, and no lane starts a lookup after
       `deadline_seconds`. Those targets stay due.

    The server budget inside the lookup adapters still paces each query;
    the lanes only keep threads from queueing behind one server.
    `on_outcome` runs in this thread once per target stored or skipped,
    with None for a lookup that crashed.
    """
    started = time.monotonic()
    summary = PassSummary()
    claimed = _claim_all(uow_factory, clock, targets)
    for target in targets:
        if target.domain_id not in claimed:
            _report(summary, on_outcome, target, None)

    groups: dict[str, deque[CheckTarget]] = defaultdict(deque)
    for target in targets:
        if target.domain_id in claimed:
            groups[server_of(target.name)].append(target)
    lane_servers = _lane_order(groups, limits)
    ends_at = None if deadline_seconds is None else started + deadline_seconds
    lanes = _Lanes(dict(groups), ends_at, lanes_left=len(lane_servers))

    if lane_servers:
        workers = min(max_workers, len(lane_servers))
        with ThreadPoolExecutor(workers, thread_name_prefix="check") as pool:
            futures = [
                pool.submit(_run_lane, lanes, lookup, server) for server in lane_servers
            ]
            _store_results(
                uow_factory, clock, intervals, lanes, claimed, summary, on_outcome
            )
            _raise_lane_errors(futures)

    summary.deferred = len(claimed)
    _release_claims(uow_factory, claimed)
    summary.seconds = time.monotonic() - started
    logger.info("check pass: %s", summary.line())
    return summary


def _run_lane(lanes: _Lanes, lookup: RegistrationLookup, server: str) -> None:
    try:
        while (target := lanes.next_target(server)) is not None:
            found = _look_up(lookup, target)
            lanes.results.put(found)
            error = found.result
            if (
                isinstance(error, LookupFailed)
                and error.kind is LookupErrorKind.RATE_LIMITED
            ):
                lanes.stop_server(server)
    finally:
        lanes.lane_done()


def _look_up(lookup: RegistrationLookup, target: CheckTarget) -> _LookupResult:
    started = time.monotonic()
    result: Registration | LookupFailed | None
    try:
        result = lookup.lookup(target.name)
    except LookupFailed as error:
        result = error
    except Exception:
        # A bug in one adapter must not end the pass for the other domains;
        # the traceback goes to the log and the claim is released.
        logger.exception("lookup of %s crashed", target.name)
        result = None
    return _LookupResult(target, result, int((time.monotonic() - started) * 1000))


def _store_results(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    intervals: CheckIntervals,
    lanes: _Lanes,
    claimed: set[int],
    summary: PassSummary,
    on_outcome: OutcomeCallback | None,
) -> None:
    """Store results until the last lane finishes, renewing the open claims.

    Removes each stored target from `claimed`, which ends up holding the
    targets no lane reached.
    """
    refreshed_at = time.monotonic()
    while True:
        if time.monotonic() - refreshed_at >= CLAIM_REFRESH_SECONDS:
            _refresh_claims(uow_factory, clock, claimed)
            refreshed_at = time.monotonic()
        try:
            found = lanes.results.get(timeout=CLAIM_REFRESH_SECONDS)
        except queue.Empty:
            continue
        if found is None:
            return
        claimed.discard(found.target.domain_id)
        stored, outcome = _store_one(uow_factory, clock, intervals, found)
        if stored:
            _report(summary, on_outcome, found.target, outcome)
            continue
        summary.add_crash()
        if on_outcome is not None:
            on_outcome(found.target, None)


def _store_one(
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    intervals: CheckIntervals,
    found: _LookupResult,
) -> tuple[bool, CheckOutcome | None]:
    """Store one result; return False and no outcome when the lookup or storing crashed."""
    domain_id = found.target.domain_id
    try:
        if found.result is None:
            _release_claims(uow_factory, {domain_id})
            return False, None
        outcome = store_result(
            uow_factory(), clock, intervals, domain_id, found.result, found.elapsed_ms
        )
    except Exception:
        # The claim goes stale and a later pass retries the domain.
        logger.exception("storing the check of %s failed", found.target.name)
        return False, None
    return True, outcome


def _report(
    summary: PassSummary,
    on_outcome: OutcomeCallback | None,
    target: CheckTarget,
    outcome: CheckOutcome | None,
) -> None:
    summary.add(outcome)
    if on_outcome is not None:
        on_outcome(target, outcome)


def _raise_lane_errors(futures: Iterable[Future[None]]) -> None:
    for future in futures:
        future.result()


def _claim_all(
    uow_factory: UnitOfWorkFactory, clock: Clock, targets: Sequence[CheckTarget]
) -> set[int]:
    """Claim the targets in one transaction; return the ids this pass now holds."""
    now = clock.now()
    stale_before = stale_claims_before(now)
    with uow_factory() as uow:
        claimed = {
            target.domain_id
            for target in targets
            if uow.domains.claim_for_check(target.domain_id, now, stale_before)
        }
        uow.commit()
    return claimed


def _refresh_claims(
    uow_factory: UnitOfWorkFactory, clock: Clock, ids: set[int]
) -> None:
    now = clock.now()
    with uow_factory() as uow:
        for domain_id in ids:
            domain = uow.domains.get(domain_id)
            if domain is not None:
                domain.check_started_at = now
        uow.commit()


def _release_claims(uow_factory: UnitOfWorkFactory, ids: set[int]) -> None:
    if not ids:
        return
    with uow_factory() as uow:
        for domain_id in ids:
            domain = uow.domains.get(domain_id)
            if domain is not None:
                domain.check_started_at = None
        uow.commit()


def _lane_order(
    groups: Mapping[str, Sequence[CheckTarget]], limits: Mapping[str, ServerLimit]
) -> list[str]:
    """Return one server entry per lane, the first lanes of all servers first."""
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
