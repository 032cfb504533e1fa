"""Adding, listing, editing and deleting a user's domains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.domain.expiry import ExpiryPolicy, Urgency
from tracker.domain.model import Domain
from tracker.domain.names import DomainName
from tracker.services.ports import Clock, UnitOfWork


class DomainError(Exception):
    """Raised for a request on a domain that cannot be carried out."""


class DomainNotFound(DomainError):
    """The domain does not exist or belongs to another user."""


class DuplicateDomain(DomainError):
    def __init__(self, name: DomainName) -> None:
        super().__init__(f"you already track {name.unicode}")
        self.name = name


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


@dataclass(frozen=True)
class Dashboard:
    rows: Sequence[DomainRow]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def expiring_within_30(self) -> int:
        return sum(1 for r in self.rows if r.days_left is not None and 0 <= r.days_left < 30)

    @property
    def expiring_within_7(self) -> int:
        return sum(1 for r in self.rows if r.days_left is not None and 0 <= r.days_left < 7)


def build_dashboard(
    uow: UnitOfWork, clock: Clock, policy: ExpiryPolicy, user_id: int
) -> Dashboard:
    """Return the user's domains, soonest expiry first, with days left as of today."""
    today = clock.today()
    with uow:
        domains = uow.domains.list_for_user(user_id)
        rows = [_row(domain, today, policy) for domain in domains]
    rows.sort(key=_sort_key)
    return Dashboard(rows)


def _row(domain: Domain, today: date, policy: ExpiryPolicy) -> DomainRow:
    assert domain.id is not None
    left = domain.days_left(today)
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
    )


def _sort_key(row: DomainRow) -> tuple[int, int, str]:
    if row.days_left is None:
        return (1, 0, row.name)
    return (0, row.days_left, row.name)
