from datetime import date, timedelta

import pytest

from tests.unit.fakes import FakeHasher, FakeLookup, FakeUnitOfWork
from tracker.adapters.clock import FixedClock
from tracker.domain.expiry import ExpiryPolicy, ImplausibleExpiry, Urgency
from tracker.domain.model import DataSource, LookupErrorKind, Registration
from tracker.domain.names import InvalidDomainName
from tracker.services import accounts, checks, domains
from tracker.services.ports import LookupFailed


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def owner(uow: FakeUnitOfWork, clock: FixedClock) -> int:
    return accounts.register_user(
        uow, FakeHasher(), clock, "Owner@Example.com", "s3cret-pass"
    )


def registration(
    name: str, expiry: date | None, registrar: str = "Reg"
) -> Registration:
    return Registration(name, expiry, registrar, DataSource.WHOIS, server="whois.test")


def test_register_normalises_email(uow: FakeUnitOfWork, owner: int) -> None:
    user = uow.users.get(owner)

    assert user is not None
    assert user.email == "owner@example.com"
    assert user.password_hash != "s3cret-pass"


def test_register_rejects_duplicate_email(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.register_user(
            uow, FakeHasher(), clock, "owner@example.com", "other-pass1"
        )


@pytest.mark.parametrize("password", ["short", "12345678901", "aaaaaaaaaa"])
def test_register_rejects_weak_password(
    uow: FakeUnitOfWork, clock: FixedClock, password: str
) -> None:
    with pytest.raises(accounts.AccountError):
        accounts.register_user(uow, FakeHasher(), clock, "a@example.com", password)


def test_authenticate_checks_password(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    hasher = FakeHasher()

    assert (
        accounts.authenticate(uow, hasher, clock, "OWNER@example.com", "s3cret-pass")
        == owner
    )
    assert (
        accounts.authenticate(uow, hasher, clock, "owner@example.com", "wrong") is None
    )


def test_authenticate_rejects_inactive_user(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    user = uow.users.get(owner)
    assert user is not None
    user.is_active = False

    assert (
        accounts.authenticate(uow, FakeHasher(), clock, user.email, "s3cret-pass")
        is None
    )


def test_add_domain_stores_registrable_name(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domain_id = domains.add_domain(uow, clock, owner, "https://shop.Example.co.uk/cart")

    stored = uow.domains.get(domain_id)
    assert stored is not None
    assert stored.name == "example.co.uk"


def test_add_domain_rejects_duplicate(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domains.add_domain(uow, clock, owner, "example.com")

    with pytest.raises(domains.DuplicateDomain, match="example.com"):
        domains.add_domain(uow, clock, owner, "WWW.EXAMPLE.COM")


def test_add_domain_rejects_invalid(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    with pytest.raises(InvalidDomainName):
        domains.add_domain(uow, clock, owner, "not a domain")


def test_other_user_cannot_delete(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domain_id = domains.add_domain(uow, clock, owner, "example.com")
    other = accounts.register_user(
        uow, FakeHasher(), clock, "other@example.com", "0ther-pass"
    )

    with pytest.raises(domains.DomainNotFound):
        domains.delete_domain(uow, other, domain_id)
    assert uow.domains.get(domain_id) is not None


def test_check_success_stores_date_and_log(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domain_id = domains.add_domain(uow, clock, owner, "example.com")
    lookup = FakeLookup({"example.com": registration("example.com", date(2027, 5, 1))})

    outcome = checks.check_domain(uow, lookup, clock, domain_id)

    assert outcome is not None and outcome.success
    stored = uow.domains.get(domain_id)
    assert stored is not None
    assert stored.expiration_date == date(2027, 5, 1)
    assert stored.source is DataSource.WHOIS
    log = uow.check_logs.list_for_domain(domain_id)[0]
    assert log.success
    assert log.expiration_date == date(2027, 5, 1)


def test_failed_check_keeps_good_date(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domain_id = domains.add_domain(uow, clock, owner, "example.com")
    lookup = FakeLookup({"example.com": registration("example.com", date(2027, 5, 1))})
    checks.check_domain(uow, lookup, clock, domain_id)
    lookup.answers["example.com"] = LookupFailed(
        LookupErrorKind.RATE_LIMITED, "rate limited by whois.test", server="whois.test"
    )

    outcome = checks.check_domain(uow, lookup, clock, domain_id)

    assert outcome is not None and not outcome.success
    stored = uow.domains.get(domain_id)
    assert stored is not None
    assert stored.expiration_date == date(2027, 5, 1)
    assert stored.registrar == "Reg"
    assert stored.last_error == "rate limited by whois.test"
    assert stored.failing_since == clock.now()
    log = uow.check_logs.list_for_domain(domain_id)[0]
    assert not log.success
    assert log.error_kind == "rate limited"


def test_later_date_is_renewal(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domain_id = domains.add_domain(uow, clock, owner, "example.com")
    lookup = FakeLookup({"example.com": registration("example.com", date(2027, 5, 1))})
    checks.check_domain(uow, lookup, clock, domain_id)
    lookup.answers["example.com"] = registration("example.com", date(2028, 5, 1))

    outcome = checks.check_domain(uow, lookup, clock, domain_id)

    assert outcome is not None and outcome.renewed
    stored = uow.domains.get(domain_id)
    assert stored is not None
    assert stored.previous_expiration_date == date(2027, 5, 1)
    assert stored.renewed_at == clock.now()
    assert uow.check_logs.list_for_domain(domain_id)[0].renewal


def test_no_expiry_published_keeps_manual_date(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domain_id = domains.add_domain(uow, clock, owner, "example.de")
    domains.enter_expiry_manually(uow, clock, owner, domain_id, date(2027, 1, 1), "Reg")
    lookup = FakeLookup(
        {"example.de": registration("example.de", None, "DENIC member")}
    )

    outcome = checks.check_domain(uow, lookup, clock, domain_id)

    assert outcome is not None
    assert outcome.error_kind is LookupErrorKind.NO_EXPIRY_PUBLISHED
    stored = uow.domains.get(domain_id)
    assert stored is not None
    assert stored.expiration_date == date(2027, 1, 1)
    assert stored.source is DataSource.MANUAL
    assert stored.last_error is None


def test_dashboard_sorts_soonest_first(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    today = clock.today()
    for name, days in [
        ("far.com", 200),
        ("soon.com", 5),
        ("gone.com", -2),
        ("mid.com", 20),
    ]:
        domain_id = domains.add_domain(uow, clock, owner, name)
        domains.enter_expiry_manually(
            uow, clock, owner, domain_id, today + timedelta(days=days), None
        )
    domains.add_domain(uow, clock, owner, "unknown.com")

    board = domains.build_dashboard(uow, clock, ExpiryPolicy(), owner)

    assert [r.name for r in board.rows] == [
        "gone.com",
        "soon.com",
        "mid.com",
        "far.com",
        "unknown.com",
    ]
    assert [r.urgency for r in board.rows] == [
        Urgency.EXPIRED,
        Urgency.CRITICAL,
        Urgency.WARNING,
        Urgency.OK,
        Urgency.UNKNOWN,
    ]
    assert board.total == 5
    assert board.expiring_within_warning_days == 2
    assert board.expiring_within_critical_days == 1


def test_placeholder_expiry_is_not_stored(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domain_id = domains.add_domain(uow, clock, owner, "example.com")
    lookup = FakeLookup({"example.com": registration("example.com", date(2027, 5, 1))})
    checks.check_domain(uow, lookup, clock, domain_id)
    lookup.answers["example.com"] = registration("example.com", date(9999, 12, 31))

    outcome = checks.check_domain(uow, lookup, clock, domain_id)

    assert outcome is not None
    assert outcome.error_kind is LookupErrorKind.UNPARSABLE
    assert "9999-12-31" in str(outcome.error_message)
    stored = uow.domains.get(domain_id)
    assert stored is not None
    assert stored.expiration_date == date(2027, 5, 1)


def test_manual_entry_rejects_implausible_year(
    uow: FakeUnitOfWork, clock: FixedClock, owner: int
) -> None:
    domain_id = domains.add_domain(uow, clock, owner, "example.de")

    with pytest.raises(ImplausibleExpiry, match="1900-01-01"):
        domains.enter_expiry_manually(
            uow, clock, owner, domain_id, date(1900, 1, 1), None
        )

    stored = uow.domains.get(domain_id)
    assert stored is not None
    assert stored.expiration_date is None
