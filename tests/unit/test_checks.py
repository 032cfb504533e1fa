import threading
from datetime import date, timedelta

import pytest

from tests.unit.fakes import FakeLookup, FakeUnitOfWork
from tracker.adapters.clock import FixedClock
from tracker.domain.model import DataSource, Domain, LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services import checks
from tracker.services.check_pass import run_check_pass
from tracker.services.checks import check_domain
from tracker.services.ports import LookupFailed
from tracker.services.scheduling import CheckTarget
from tracker.services.settings import CheckIntervals, ServerLimit

INTERVALS = CheckIntervals()
WAIT = 5.0


def registration(
    name: str, expiry: date | None, registrar: str = "Reg"
) -> Registration:
    return Registration(name, expiry, registrar, DataSource.WHOIS, server="whois.test")


def rate_limited(server: str = "whois.test") -> LookupFailed:
    return LookupFailed(
        LookupErrorKind.RATE_LIMITED, f"rate limited by {server}", server=server
    )


def add(uow: FakeUnitOfWork, clock: FixedClock, name: str, **fields: object) -> int:
    domain = Domain(1, DomainName.parse(name), created_at=clock.now())
    for key, value in fields.items():
        setattr(domain, key, value)
    uow.domains.add(domain)
    assert domain.id is not None
    return domain.id


def stored(uow: FakeUnitOfWork, domain_id: int) -> Domain:
    domain = uow.domains.get(domain_id)
    assert domain is not None
    return domain


def test_check_sets_next_check_and_releases_claim(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    domain_id = add(uow, clock, "example.com")
    lookup = FakeLookup({"example.com": registration("example.com", date(2027, 6, 1))})

    check_domain(uow, lookup, clock, domain_id)

    domain = stored(uow, domain_id)
    assert domain.next_check_at == clock.now() + timedelta(days=7)
    assert domain.check_started_at is None


def test_failure_keeps_date_and_backs_off(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    domain_id = add(
        uow,
        clock,
        "example.ru",
        expiration_date=date(2027, 6, 1),
        registrar="RU-CENTER",
        source=DataSource.WHOIS,
    )
    lookup = FakeLookup({"example.ru": rate_limited("whois.tcinet.ru")})

    first = check_domain(uow, lookup, clock, domain_id)
    clock.advance(timedelta(hours=1))
    check_domain(uow, lookup, clock, domain_id)

    domain = stored(uow, domain_id)
    assert first is not None
    assert first.rate_limited
    assert domain.expiration_date == date(2027, 6, 1)
    assert domain.registrar == "RU-CENTER"
    assert domain.last_error == "rate limited by whois.tcinet.ru"
    assert domain.last_error_kind == "rate limited"
    assert domain.failing_since == clock.now() - timedelta(hours=1)
    assert domain.consecutive_failures == 2
    assert domain.next_check_at == clock.now() + timedelta(hours=2)
    assert domain.check_started_at is None
    logs = uow.check_logs.list_for_domain(domain_id)
    assert [log.error_kind for log in logs] == ["rate limited", "rate limited"]
    assert logs[0].server == "whois.tcinet.ru"


def test_success_after_failures_resets_schedule(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    domain_id = add(uow, clock, "example.com", consecutive_failures=4)
    lookup = FakeLookup(
        {"example.com": registration("example.com", date(2026, 12, 20))}
    )

    check_domain(uow, lookup, clock, domain_id)

    domain = stored(uow, domain_id)
    assert domain.consecutive_failures == 0
    assert domain.failing_since is None
    assert domain.next_check_at == clock.now() + timedelta(days=1)


def test_later_date_records_renewal(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    domain_id = add(
        uow,
        clock,
        "example.com",
        expiration_date=date(2026, 12, 20),
        source=DataSource.RDAP,
    )
    lookup = FakeLookup(
        {"example.com": registration("example.com", date(2027, 12, 20))}
    )

    outcome = check_domain(uow, lookup, clock, domain_id)

    domain = stored(uow, domain_id)
    assert outcome is not None
    assert outcome.renewed
    assert outcome.changed
    assert domain.renewed_at == clock.now()
    assert domain.previous_expiration_date == date(2026, 12, 20)
    assert uow.check_logs.list_for_domain(domain_id)[0].renewal is True


def test_manual_date_yields_to_lookup(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    domain_id = add(
        uow,
        clock,
        "example.com",
        expiration_date=date(2027, 3, 1),
        source=DataSource.MANUAL,
    )
    lookup = FakeLookup({"example.com": registration("example.com", date(2027, 3, 2))})

    check_domain(uow, lookup, clock, domain_id)

    domain = stored(uow, domain_id)
    assert domain.source is DataSource.WHOIS
    assert domain.expiration_date == date(2027, 3, 2)


def test_claimed_domain_is_not_looked_up(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    started = clock.now() - timedelta(minutes=1)
    domain_id = add(uow, clock, "example.com", check_started_at=started)
    lookup = FakeLookup({"example.com": registration("example.com", date(2027, 6, 1))})

    outcome = check_domain(uow, lookup, clock, domain_id)

    assert outcome is not None
    assert outcome.skipped
    assert lookup.calls == []
    assert stored(uow, domain_id).check_started_at == started
    assert uow.check_logs.list_for_domain(domain_id) == []


def test_stale_claim_is_taken_over(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    domain_id = add(
        uow, clock, "example.com", check_started_at=clock.now() - timedelta(minutes=30)
    )
    lookup = FakeLookup({"example.com": registration("example.com", date(2027, 6, 1))})

    outcome = check_domain(uow, lookup, clock, domain_id)

    assert outcome is not None
    assert outcome.success
    assert lookup.calls == ["example.com"]


def test_crashing_lookup_releases_claim(clock: FixedClock) -> None:
    class BrokenLookup:
        def lookup(self, name: DomainName) -> Registration:
            raise RuntimeError("parser bug")

    uow = FakeUnitOfWork()
    domain_id = add(uow, clock, "example.com")

    with pytest.raises(RuntimeError):
        check_domain(uow, BrokenLookup(), clock, domain_id)

    assert stored(uow, domain_id).check_started_at is None


def test_deleted_domain_returns_none(clock: FixedClock) -> None:
    assert check_domain(FakeUnitOfWork(), FakeLookup(), clock, 99) is None


def targets_for(
    uow: FakeUnitOfWork, clock: FixedClock, names: list[str]
) -> list[CheckTarget]:
    return [
        CheckTarget(add(uow, clock, name), DomainName.parse(name)) for name in names
    ]


def server_by_tld(name: DomainName) -> str:
    return {"ru": "whois.tcinet.ru", "com": "whois.verisign-grs.com"}[name.tld]


LIMITS = {
    "*": ServerLimit(4, 5.0),
    "whois.tcinet.ru": ServerLimit(1, 0.2),
    "whois.verisign-grs.com": ServerLimit(3, 10.0),
}


class GatedLookup:
    """Blocks every .ru lookup until the test opens the gate; counts concurrency."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.com_done = 0
        self.gate_waits: list[bool] = []

    def lookup(self, name: DomainName) -> Registration:
        server = server_by_tld(name)
        with self.lock:
            self.in_flight[server] = self.in_flight.get(server, 0) + 1
            self.max_in_flight[server] = max(
                self.max_in_flight.get(server, 0), self.in_flight[server]
            )
        try:
            if name.tld == "ru":
                # A False here, not a hang, when .com never finishes.
                self.gate_waits.append(self.gate.wait(WAIT))
            else:
                threading.Event().wait(0.01)
            return registration(name.ascii, date(2027, 6, 1))
        finally:
            with self.lock:
                self.in_flight[server] -= 1
                if name.tld == "com":
                    self.com_done += 1
                    if self.com_done == 12:
                        self.gate.set()


def test_pass_keeps_each_server_within_its_concurrency(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    names = [f"r{i}.ru" for i in range(4)] + [f"c{i}.com" for i in range(12)]
    targets = targets_for(uow, clock, names)
    lookup = GatedLookup()

    summary = run_check_pass(
        lambda: uow,
        lookup,
        clock,
        targets,
        server_of=server_by_tld,
        limits=LIMITS,
        intervals=INTERVALS,
    )

    assert summary.checked == 16
    assert lookup.max_in_flight["whois.tcinet.ru"] == 1
    assert lookup.max_in_flight["whois.verisign-grs.com"] == 3


def test_slow_server_does_not_starve_others(clock: FixedClock) -> None:
    # The .ru lookups block until all .com lookups are done, so the .com ones
    # must run on other threads while .ru holds its lane.
    uow = FakeUnitOfWork()
    targets = targets_for(uow, clock, [f"r{i}.ru" for i in range(3)])
    targets += targets_for(uow, clock, [f"c{i}.com" for i in range(12)])
    lookup = GatedLookup()

    run_check_pass(
        lambda: uow,
        lookup,
        clock,
        targets,
        server_of=server_by_tld,
        limits=LIMITS,
        intervals=INTERVALS,
        max_workers=2,
    )

    assert lookup.gate_waits == [True, True, True]


def test_rate_limit_defers_rest_of_that_server(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    targets = targets_for(uow, clock, ["a.ru", "b.ru", "c.ru", "x.com", "y.com"])
    answers: dict[str, Registration | LookupFailed] = {
        "a.ru": rate_limited("whois.tcinet.ru"),
        "b.ru": registration("b.ru", date(2027, 6, 1)),
        "c.ru": registration("c.ru", date(2027, 6, 1)),
        "x.com": registration("x.com", date(2027, 6, 1)),
        "y.com": registration("y.com", date(2027, 6, 1)),
    }
    lookup = FakeLookup(answers)

    summary = run_check_pass(
        lambda: uow,
        lookup,
        clock,
        targets,
        server_of=server_by_tld,
        limits=LIMITS,
        intervals=INTERVALS,
    )

    assert sorted(lookup.calls) == ["a.ru", "x.com", "y.com"]
    assert summary.rate_limited == 1
    assert summary.deferred == 2
    assert summary.checked == 3
    b_ru = stored(uow, targets[1].domain_id)
    assert b_ru.next_check_at is not None
    assert b_ru.next_check_at <= clock.now()
    assert b_ru.check_started_at is None


def test_pass_after_deadline_defers_everything(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    targets = targets_for(uow, clock, ["a.com", "b.com", "c.ru"])
    lookup = FakeLookup()

    summary = run_check_pass(
        lambda: uow,
        lookup,
        clock,
        targets,
        server_of=server_by_tld,
        limits=LIMITS,
        intervals=INTERVALS,
        deadline_seconds=0,
    )

    assert lookup.calls == []
    assert summary.deferred == 3
    assert summary.checked == 0
    assert all(stored(uow, t.domain_id).check_started_at is None for t in targets)


def test_pass_counts_and_reports_each_outcome(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    targets = targets_for(uow, clock, ["ok.com", "renewed.com", "gone.com", "busy.com"])
    stored(uow, targets[1].domain_id).expiration_date = date(2027, 1, 1)
    stored(uow, targets[3].domain_id).check_started_at = clock.now()
    lookup = FakeLookup(
        {
            "ok.com": registration("ok.com", date(2027, 6, 1)),
            "renewed.com": registration("renewed.com", date(2028, 1, 1)),
        }
    )
    seen: list[tuple[str, checks.CheckOutcome | None]] = []

    summary = run_check_pass(
        lambda: uow,
        lookup,
        clock,
        targets,
        server_of=server_by_tld,
        limits=LIMITS,
        intervals=INTERVALS,
        on_outcome=lambda target, outcome: seen.append((target.name.ascii, outcome)),
    )

    assert summary.checked == 3
    assert summary.changed == 2
    assert summary.renewed == 1
    assert summary.failed == 1
    assert summary.skipped == 1
    assert sorted(name for name, _ in seen) == sorted(t.name.ascii for t in targets)
    assert summary.line().startswith(
        "checked 3, changed 2, failed 1, rate limited 0, skipped 1, seconds "
    )


def test_crash_in_one_check_does_not_stop_pass(clock: FixedClock) -> None:
    class HalfBroken:
        def lookup(self, name: DomainName) -> Registration:
            if name.ascii == "broken.com":
                raise RuntimeError("parser bug")
            return registration(name.ascii, date(2027, 6, 1))

    uow = FakeUnitOfWork()
    targets = targets_for(uow, clock, ["broken.com", "fine.com"])

    summary = run_check_pass(
        lambda: uow,
        HalfBroken(),
        clock,
        targets,
        server_of=lambda name: "one-server",
        limits={"*": ServerLimit(1, 5.0)},
        intervals=INTERVALS,
    )

    assert summary.failed == 1
    assert stored(uow, targets[1].domain_id).expiration_date == date(2027, 6, 1)


def test_empty_pass_runs_no_threads(clock: FixedClock) -> None:
    summary = run_check_pass(
        FakeUnitOfWork,
        FakeLookup(),
        clock,
        [],
        server_of=server_by_tld,
        limits=LIMITS,
        intervals=INTERVALS,
    )

    assert summary.checked == 0
    assert summary.line().startswith("checked 0, changed 0, failed 0, rate limited 0")
