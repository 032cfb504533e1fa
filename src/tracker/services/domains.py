"""Adding, listing, editing and deleting a user's domains."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from tracker.domain.expiry import ExpiryPolicy, Urgency
from tracker.domain.model import CheckLog, Domain
from tracker.domain.names import DomainName, InvalidDomainName
from tracker.services.ports import Clock, ReminderTimes, UnitOfWork
from tracker.services.reminders import plan_reminders


class DomainError(Exception):
    """Raised for a request on a domain that cannot be carried out."""


class DomainNotFound(DomainError):
    """The domain does not exist or belongs to another user."""


class DuplicateDomain(DomainError):
    def __init__(self, name: DomainName) -> None:
        super().__init__(f"you already track {name.unicode}")
        self.name = name


class TooManyNames(DomainError):
    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"{count} names were given; add at most {limit} at once")
        self.count = count
        self.limit = limit


# One request adds at most this many names, so a pasted list cannot queue an
# unbounded number of lookups.
MAX_NAMES_PER_ADD = 200
_LIST_SEPARATORS = re.compile(r"[\r\n,;]+")


def add_domain(uow: UnitOfWork, clock: Clock, user_id: int, text: str) -> int:
    """Store the registrable domain of `text` for the user and return its id.

    Raises InvalidDomainName for input that is not a domain, DuplicateDomain
    when the user already tracks it.
    """
    name = DomainName.parse(text)
    with uow:
        if uow.domains.get_by_name(user_id, name.ascii) is not None:
            raise DuplicateDomain(name)
        domain = Domain(user_id, name, created_at=clock.now())
        uow.domains.add(domain)
        uow.commit()
        assert domain.id is not None
        return domain.id


def delete_domain(uow: UnitOfWork, user_id: int, domain_id: int) -> str:
    """Delete the user's domain and return its display name."""
    with uow:
        domain = uow.domains.get_for_user(user_id, domain_id)
        if domain is None:
            raise DomainNotFound(f"domain {domain_id} not found")
        name = domain.unicode_name
        uow.domains.delete(domain)
        uow.commit()
        return name


def enter_expiry_manually(
    uow: UnitOfWork,
    clock: Clock,
    user_id: int,
    domain_id: int,
    expiration_date: date,
    registrar: str | None,
) -> None:
    """Store an expiry date and registrar typed by the user."""
    with uow:
        domain = uow.domains.get_for_user(user_id, domain_id)
        if domain is None:
            raise DomainNotFound(f"domain {domain_id} not found")
        cleaned = (registrar or "").strip() or None
        domain.enter_manually(expiration_date, cleaned, clock.now())
        uow.commit()
    plan_reminders(uow, clock, domain_id)


@dataclass(frozen=True)
class DomainRow:
    """One dashboard row, computed from the stored domain and today's date."""

    id: int
    name: str
    unicode_name: str
    registrar: str | None
    expiration_date: date | None
    days_left: int | None
    urgency: Urgency
    source: str | None
    last_error: str | None
    domain: Domain
    last_error_kind: str | None = None
    failing_since: datetime | None = None
    # Whole days since the first of the current run of failed lookups.
    failing_days: int | None = None
    renewed_at: datetime | None = None
    last_checked_at: datetime | None = None
    # When the next pending reminder is due, and when the last one went out.
    next_reminder_at: datetime | None = None
    last_reminder_sent_at: datetime | None = None

    @property
    def is_idn(self) -> bool:
        return self.name != self.unicode_name


@dataclass(frozen=True)
class Dashboard:
    """The rows of one user's dashboard and the figures of its summary cards.

    The figures count rows by urgency, so they use the same bands of
    `policy` as the row colours: a domain 7 days from expiry is both red and
    counted as expiring within `critical_days` (7 by default).
    """

    rows: Sequence[DomainRow]
    policy: ExpiryPolicy

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def expiring_within_warning_days(self) -> int:
        """Domains with 0 to `policy.warning_days` days left."""
        soon = {Urgency.WARNING, Urgency.CRITICAL}
        return sum(1 for r in self.rows if r.urgency in soon)

    @property
    def expiring_within_critical_days(self) -> int:
        """Domains with 0 to `policy.critical_days` days left."""
        return sum(1 for r in self.rows if r.urgency is Urgency.CRITICAL)

    @property
    def expired(self) -> int:
        return sum(1 for r in self.rows if r.urgency is Urgency.EXPIRED)


def build_dashboard(
    uow: UnitOfWork, clock: Clock, policy: ExpiryPolicy, user_id: int
) -> Dashboard:
    """Return the user's domains, soonest expiry first, with days left as of today."""
    now = clock.now()
    with uow:
        domains = uow.domains.list_for_user(user_id)
        times = uow.reminders.times_for_user(user_id)
        rows = [_with_reminder_times(_row(d, now, policy), times, now) for d in domains]
    rows.sort(key=_sort_key)
    return Dashboard(rows, policy)


def get_row(
    uow: UnitOfWork, clock: Clock, policy: ExpiryPolicy, user_id: int, domain_id: int
) -> DomainRow:
    """Return one of the user's domains as a dashboard row.

    Raises DomainNotFound when it does not exist or belongs to another user.
    """
    with uow:
        domain = uow.domains.get_for_user(user_id, domain_id)
        times = uow.reminders.times_for_user(user_id)
    if domain is None:
        raise DomainNotFound(f"domain {domain_id} not found")
    now = clock.now()
    return _with_reminder_times(_row(domain, now, policy), times, now)


def list_checks(
    uow: UnitOfWork, user_id: int, domain_id: int, limit: int = 20
) -> Sequence[CheckLog]:
    """Return the newest lookup attempts of one of the user's domains.

    Raises DomainNotFound when it does not exist or belongs to another user.
    """
    with uow:
        if uow.domains.get_for_user(user_id, domain_id) is None:
            raise DomainNotFound(f"domain {domain_id} not found")
        return list(uow.check_logs.list_for_domain(domain_id, limit))


def split_domain_list(text: str) -> list[str]:
    """Split pasted input at line breaks, commas and semicolons.

    Entries are stripped; empty ones are dropped and repeated ones kept once,
    in input order.
    """
    entries = (part.strip() for part in _LIST_SEPARATORS.split(text))
    return list(dict.fromkeys(entry for entry in entries if entry))


@dataclass(frozen=True)
class AddResult:
    """The outcome of adding one entry of a pasted list."""

    text: str
    domain_id: int | None = None
    error: InvalidDomainName | DuplicateDomain | None = None


def add_domains(
    uow: UnitOfWork, clock: Clock, user_id: int, text: str
) -> list[AddResult]:
    """Add every name in `text` (see `split_domain_list`), one result per entry.

    An invalid or already tracked entry gets its error in the result and does
    not stop the others. Raises TooManyNames above MAX_NAMES_PER_ADD entries.
    """
    entries = split_domain_list(text)
    if len(entries) > MAX_NAMES_PER_ADD:
        raise TooManyNames(len(entries), MAX_NAMES_PER_ADD)
    results: list[AddResult] = []
    for entry in entries:
        try:
            domain_id = add_domain(uow, clock, user_id, entry)
        except (InvalidDomainName, DuplicateDomain) as error:
            results.append(AddResult(entry, error=error))
        else:
            results.append(AddResult(entry, domain_id=domain_id))
    return results


def _row(domain: Domain, now: datetime, policy: ExpiryPolicy) -> DomainRow:
    assert domain.id is not None
    left = domain.days_left(now.date())
    failing_since = domain.failing_since
    return DomainRow(
        id=domain.id,
        name=domain.name,
        unicode_name=domain.unicode_name,
        registrar=domain.registrar,
        expiration_date=domain.expiration_date,
        days_left=left,
        urgency=policy.urgency(left),
        source=domain.source.value if domain.source else None,
        last_error=domain.last_error,
        domain=domain,
        last_error_kind=domain.last_error_kind,
        failing_since=failing_since,
        failing_days=(now - failing_since).days if failing_since else None,
        renewed_at=domain.renewed_at,
        last_checked_at=domain.last_checked_at,
    )


def _with_reminder_times(
    row: DomainRow, times: Mapping[int, ReminderTimes], now: datetime
) -> DomainRow:
    found = times.get(row.id)
    if found is None:
        return row
    # A reminder already due goes out with the next sweep, so show it as now.
    next_at = max(found.next_at, now) if found.next_at else None
    return replace(
        row, next_reminder_at=next_at, last_reminder_sent_at=found.last_sent_at
    )


def _sort_key(row: DomainRow) -> tuple[int, int, str]:
    if row.days_left is None:
        return (1, 0, row.name)
    return (0, row.days_left, row.name)
