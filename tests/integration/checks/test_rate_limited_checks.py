"""Every recorded rate-limit answer makes a check fail as rate limited and back off."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.whois_corpus import Case, load_cases
from tests.support.whois_server import WhoisServer
from tests.unit.fakes import FakeUnitOfWork
from tracker.adapters.budget import LocalServerBudget
from tracker.adapters.clock import FixedClock
from tracker.adapters.whois import WhoisRegistrationLookup
from tracker.domain.model import DataSource, Domain, LookupErrorKind
from tracker.domain.names import DomainName
from tracker.services.checks import check_domain
from tracker.services.ports import LookupFailed
from tracker.services.settings import ServerLimit

RATE_LIMITED_CASES = [case for case in load_cases() if case.kind == "rate_limited"]
KEPT_EXPIRY = date(2027, 5, 1)


def test_corpus_has_rate_limit_cases() -> None:
    assert len(RATE_LIMITED_CASES) >= 17


@pytest.mark.parametrize("case", RATE_LIMITED_CASES, ids=lambda case: case.id)
def test_rate_limit_answer_backs_off(case: Case, clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    domain = Domain(1, DomainName.parse(case.domain), created_at=clock.now())
    domain.expiration_date = KEPT_EXPIRY
    domain.registrar = "Kept Registrar"
    domain.source = DataSource.WHOIS
    uow.domains.add(domain)
    assert domain.id is not None
    budget = LocalServerBudget(lambda: {"*": ServerLimit(4, 100.0)})

    with WhoisServer({case.domain: case.answer()}) as server:
        lookup = WhoisRegistrationLookup(server=server.address, budget=budget)
        outcome = check_domain(uow, lookup, clock, domain.id)
        label = "{}:{}".format(*server.address)

    assert outcome is not None
    assert outcome.error_kind is LookupErrorKind.RATE_LIMITED
    assert domain.expiration_date == KEPT_EXPIRY
    assert domain.registrar == "Kept Registrar"
    assert domain.last_error_kind == "rate limited"
    assert domain.next_check_at == clock.now() + timedelta(hours=1)
    [log] = uow.check_logs.list_for_domain(domain.id)
    assert log.error_kind == "rate limited"
    assert log.expiration_date is None
    with (
        pytest.raises(LookupFailed, match="rate is used up"),
        budget.slot(label, wait_seconds=0.5),
    ):
        pass
