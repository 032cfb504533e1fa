"""Due-domain selection and check claims on SQLite and PostgreSQL."""

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from tests.unit.fakes import FakeLookup
from tracker.adapters.clock import FixedClock
from tracker.domain.model import DataSource, Domain, Registration, User
from tracker.domain.names import DomainName
from tracker.services.checks import check_domain
from tracker.services.ports import UnitOfWork
from tracker.services.scheduling import due_targets

UowFactory = Callable[[], UnitOfWork]
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def add_user(uow_factory: UowFactory) -> int:
    with uow_factory() as uow:
        user = User("owner@example.com", "hash", created_at=NOW)
        uow.users.add(user)
        uow.commit()
        assert user.id is not None
        return user.id


def add_domain(
    uow_factory: UowFactory, user_id: int, name: str, **fields: object
) -> int:
    with uow_factory() as uow:
        domain = Domain(
            user_id, DomainName.parse(name), created_at=NOW - timedelta(days=9)
        )
        domain.last_checked_at = NOW - timedelta(days=1)
        domain.next_check_at = NOW - timedelta(minutes=5)
        for key, value in fields.items():
            setattr(domain, key, value)
        uow.domains.add(domain)
        uow.commit()
        assert domain.id is not None
        return domain.id


def test_due_domains_most_urgent_first(
    uow_factory: UowFactory, clock: FixedClock
) -> None:
    owner = add_user(uow_factory)
    far = add_domain(uow_factory, owner, "far.com", expiration_date=date(2027, 9, 1))
    unknown = add_domain(uow_factory, owner, "unknown.com")
    soon = add_domain(uow_factory, owner, "soon.com", expiration_date=date(2026, 12, 9))
    expired = add_domain(
        uow_factory, owner, "gone.com", expiration_date=date(2026, 11, 2)
    )
    new = add_domain(uow_factory, owner, "new.com", last_checked_at=None)
    add_domain(uow_factory, owner, "later.com", next_check_at=NOW + timedelta(hours=1))
    add_domain(
        uow_factory,
        owner,
        "backoff.com",
        consecutive_failures=2,
        next_check_at=NOW + timedelta(hours=2),
    )
    add_domain(
        uow_factory, owner, "running.com", check_started_at=NOW - timedelta(minutes=1)
    )
    stale = add_domain(
        uow_factory, owner, "stale.com", check_started_at=NOW - timedelta(hours=1)
    )

    targets = due_targets(uow_factory(), clock, limit=100)

    assert [t.domain_id for t in targets] == [new, expired, soon, far, unknown, stale]
    assert due_targets(uow_factory(), clock, limit=2)[1].domain_id == expired


def test_claim_is_granted_once(uow_factory: UowFactory) -> None:
    owner = add_user(uow_factory)
    domain_id = add_domain(uow_factory, owner, "example.com")
    stale_before = NOW - timedelta(minutes=10)

    with uow_factory() as uow:
        first = uow.domains.claim_for_check(domain_id, NOW, stale_before)
        uow.commit()
    with uow_factory() as uow:
        second = uow.domains.claim_for_check(domain_id, NOW, stale_before)
        uow.commit()
    with uow_factory() as uow:
        after_stale = uow.domains.claim_for_check(
            domain_id, NOW + timedelta(minutes=11), NOW + timedelta(minutes=1)
        )
        uow.commit()

    assert first is True
    assert second is False
    assert after_stale is True


def test_concurrent_claims_grant_one(uow_factory: UowFactory) -> None:
    owner = add_user(uow_factory)
    domain_id = add_domain(uow_factory, owner, "example.com")
    barrier = threading.Barrier(4)
    results: list[bool] = []
    lock = threading.Lock()

    def claim() -> None:
        barrier.wait()
        with uow_factory() as uow:
            granted = uow.domains.claim_for_check(
                domain_id, NOW, NOW - timedelta(minutes=10)
            )
            uow.commit()
        with lock:
            results.append(granted)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, False, False, True]


def test_check_stores_schedule_and_renewal(
    uow_factory: UowFactory, clock: FixedClock
) -> None:
    owner = add_user(uow_factory)
    domain_id = add_domain(
        uow_factory,
        owner,
        "example.com",
        expiration_date=date(2026, 12, 20),
        registrar="Old Registrar",
        source=DataSource.WHOIS,
    )
    renewed = Registration(
        "example.com", date(2027, 12, 20), "New Registrar", DataSource.RDAP
    )

    outcome = check_domain(
        uow_factory(), FakeLookup({"example.com": renewed}), clock, domain_id
    )

    with uow_factory() as uow:
        domain = uow.domains.get(domain_id)
        logs = uow.check_logs.list_for_domain(domain_id)
    assert outcome is not None
    assert outcome.renewed
    assert domain is not None
    assert domain.expiration_date == date(2027, 12, 20)
    assert domain.previous_expiration_date == date(2026, 12, 20)
    assert domain.renewed_at == clock.now()
    assert domain.check_started_at is None
    assert domain.next_check_at == clock.now() + timedelta(days=7)
    assert [log.renewal for log in logs] == [True]
