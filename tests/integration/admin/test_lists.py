"""Admin list pages on 1,000 domains: SQL statement counts, search, sort, filters."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, insert

from tests.integration.admin.conftest import (
    USER_EMAIL,
    Accounts,
    Browser,
    seed_domains,
)
from tracker.adapters import orm
from tracker.adapters.clock import FixedClock
from tracker.domain.expiry import Urgency
from tracker.entrypoints.container import Container

# A list page runs 4: the session's user, the row count, the rows, and the
# prefetch of the column from another table. The home page runs 6, and 2 more
# here, because no mail server is set, to read the bot token setting and count
# the reminders waiting. A query per row would add at least 50.
MAX_STATEMENTS_PER_PAGE = 6
HOME_PAGE_CHANNEL_STATEMENTS = 2
_ROW_ID = re.compile(r'name="rowid"[^>]*value="(\d+)"')


@contextmanager
def counted_statements(container: Container) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = container.engine()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def row_ids(page: str) -> list[int]:
    return [int(value) for value in _ROW_ID.findall(page)]


@pytest.fixture
def thousand_domains(
    container: Container, accounts_: Accounts, clock: FixedClock
) -> list[int]:
    """1,000 domains of the member, with a check log and a reminder each."""
    ids = seed_domains(container, accounts_.user_id, 1000, today=clock.today())
    now = clock.now()
    logs = [
        {
            "domain_id": domain_id,
            "checked_at": now - timedelta(hours=number),
            "success": number % 3 != 0,
            "renewal": False,
        }
        for number, domain_id in enumerate(ids)
    ]
    reminders = [
        {
            "domain_id": domain_id,
            "notification_type": "email" if number % 2 else "telegram",
            "kind": "threshold",
            "threshold_days": 7,
            "expiration_date": date(2026, 12, 11),
            "status": "failed" if number % 4 == 0 else "sent",
            "scheduled_for": now - timedelta(hours=number),
            "created_at": now - timedelta(days=1),
            "attempts": 1,
        }
        for number, domain_id in enumerate(ids)
    ]
    with container.engine().begin() as connection:
        connection.execute(insert(orm.check_logs), logs)
        connection.execute(insert(orm.notifications), reminders)
    return ids


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/users/",
        "/admin/domains/",
        "/admin/domains/?page_size=100",
        "/admin/domains/?sort=2",
        "/admin/checks/",
        "/admin/notifications/",
        "/admin/domains/export/csv/",
        "/admin/checks/export/csv/",
    ],
)
def test_list_uses_bounded_statements(
    admin: Browser, container: Container, thousand_domains: list[int], url: str
) -> None:
    with counted_statements(container) as statements:
        response = admin.get(url)

    limit = MAX_STATEMENTS_PER_PAGE
    if url == "/admin/":
        limit += HOME_PAGE_CHANNEL_STATEMENTS
    assert response.status_code == 200
    assert len(statements) <= limit, statements


def test_users_list_counts_domains(
    admin: Browser, accounts_: Accounts, thousand_domains: list[int]
) -> None:
    page = admin.get("/admin/users/").get_data(as_text=True)

    member_row = page[page.index(USER_EMAIL) :]
    cells = re.findall(r'<td class="col-domain_count">\s*(\d+)\s*</td>', member_row)
    assert cells[0] == "1000"


def test_users_sort_by_domain_count(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    seed_domains(container, accounts_.user_id, 3, today=clock.today())
    seed_domains(container, accounts_.admin_id, 5, today=clock.today())
    column = 5  # "Domains" in column_list: id, email, admin, active, created, domains

    ascending = row_ids(admin.get(f"/admin/users/?sort={column}").get_data(True))
    descending = row_ids(
        admin.get(f"/admin/users/?sort={column}&desc=1").get_data(True)
    )

    assert ascending == [accounts_.user_id, accounts_.admin_id]
    assert descending == [accounts_.admin_id, accounts_.user_id]


def test_domains_search_by_name(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    ids = seed_domains(container, accounts_.user_id, 30, today=clock.today())

    page = admin.get("/admin/domains/?search=seed2-17.com").get_data(as_text=True)

    assert row_ids(page) == [ids[17]]
    assert USER_EMAIL in page


def test_domains_filter_by_user_email(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    mine = seed_domains(container, accounts_.user_id, 4, today=clock.today())
    seed_domains(container, accounts_.admin_id, 6, today=clock.today())

    url = filter_url(admin, "/admin/domains/", "User email", "MEMBER@")
    page = admin.get(url).get_data(as_text=True)

    assert sorted(row_ids(page)) == mine


def test_domains_filter_failing_lookups(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    ids = seed_domains(container, accounts_.user_id, 30, today=clock.today())
    failing = [ids[n] for n in range(30) if n % 7 == 0]

    yes = admin.get(filter_url(admin, "/admin/domains/", "Failing lookups", "1"))
    no = admin.get(filter_url(admin, "/admin/domains/", "Failing lookups", "0"))

    assert sorted(row_ids(yes.get_data(as_text=True))) == failing
    assert len(row_ids(no.get_data(as_text=True))) == 30 - len(failing)


def test_domains_filter_by_source(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    seed_domains(container, accounts_.user_id, 5, today=clock.today())

    whois = admin.get(filter_url(admin, "/admin/domains/", "Source", "whois"))
    rdap = admin.get(filter_url(admin, "/admin/domains/", "Source", "rdap"))

    assert len(row_ids(whois.get_data(as_text=True))) == 5
    assert row_ids(rdap.get_data(as_text=True)) == []


def test_urgency_filter_matches_policy(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    ids = seed_domains(container, accounts_.user_id, 100, today=clock.today())
    policy = container.policy()
    with container.uow() as uow:
        expected: dict[Urgency, list[int]] = {urgency: [] for urgency in Urgency}
        for domain_id in ids:
            domain = uow.domains.get(domain_id)
            assert domain is not None
            expected[domain.urgency(clock.today(), policy)].append(domain_id)

    for urgency in Urgency:
        url = filter_url(admin, "/admin/domains/", "Urgency", urgency.value)
        page = admin.get(f"{url}&page_size=100").get_data(as_text=True)

        assert sorted(row_ids(page)) == expected[urgency], urgency
        assert expected[urgency], f"the seed has no {urgency} domain"


def test_check_history_filters(
    admin: Browser, container: Container, thousand_domains: list[int], clock: FixedClock
) -> None:
    failed = filter_url(admin, "/admin/checks/", "Success", "0")
    on_day = filter_url(
        admin, "/admin/checks/", "Checked", clock.today().isoformat(), "on"
    )
    by_domain = filter_url(admin, "/admin/checks/", "Domain", "seed2-10.com")

    failed_page = admin.get(failed).get_data(as_text=True)
    day_page = admin.get(f"{on_day}&page_size=100").get_data(as_text=True)
    domain_page = admin.get(by_domain).get_data(as_text=True)

    assert "Checked" in failed_page
    assert count_of(failed_page) == 334  # every third of 1,000, from the first
    assert count_of(day_page) == 13  # 12:00 back to 00:00 UTC, one per hour
    assert count_of(domain_page) == 1


def test_notification_filters(
    admin: Browser, container: Container, thousand_domains: list[int]
) -> None:
    failed = filter_url(admin, "/admin/notifications/", "Status", "failed")
    email = filter_url(admin, "/admin/notifications/", "Channel", "email")

    assert count_of(admin.get(failed).get_data(as_text=True)) == 250
    assert count_of(admin.get(email).get_data(as_text=True)) == 500


def test_domains_export_has_owner_and_urgency(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    seed_domains(container, accounts_.user_id, 3, today=clock.today())

    response = admin.get("/admin/domains/export/csv/")

    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert [row["User"] for row in rows] == [USER_EMAIL] * 3
    assert [row["Urgency"] for row in rows] == ["unknown", "expired", "expired"]


def test_admin_home_shows_figures_for_all_users(
    admin: Browser, container: Container, accounts_: Accounts, clock: FixedClock
) -> None:
    seed_domains(container, accounts_.user_id, 10, today=clock.today())
    seed_domains(container, accounts_.admin_id, 10, today=clock.today())
    failed_at = clock.now() - timedelta(days=2)
    old_failure = clock.now() - timedelta(days=9)
    with container.engine().begin() as connection:
        domain_id = connection.execute(orm.domains.select().limit(1)).first()[0]
        for claimed in (failed_at, old_failure):
            connection.execute(
                insert(orm.notifications),
                {
                    "domain_id": domain_id,
                    "notification_type": "email",
                    "kind": "threshold",
                    "threshold_days": 7 if claimed == failed_at else 14,
                    "expiration_date": date(2026, 12, 11),
                    "status": "failed",
                    "scheduled_for": claimed,
                    "claimed_at": claimed,
                    "created_at": claimed,
                    "attempts": 5,
                    "last_error": "550 mailbox unavailable",
                },
            )

    page = admin.get("/admin/").get_data(as_text=True)

    assert figure(page, "Domains tracked") == 20
    # Seeded expiry dates run from 10 days ago upwards; every fifth is unknown.
    assert figure(page, "Already expired") == 2 * 8
    assert figure(page, "No expiry date known") == 2 * 2
    assert figure(page, "Latest lookup failed") == 2 * 2
    assert figure(page, "Active admins") == 1
    assert ">.com</td>" in page
    assert '<span id="failed-count">1</span>' in page
    assert "550 mailbox unavailable" in page


def figure(page: str, label: str) -> int:
    start = page.index(f'data-figure="{label}"')
    match = re.search(r'<div class="h3 mb-0">(?:<a [^>]*>)?(\d+)', page[start:])
    assert match is not None, label
    return int(match.group(1))


def count_of(page: str) -> int:
    """The total row count Flask-Admin shows above a filtered list."""
    match = re.search(r"List \((\d+)\)", page)
    assert match is not None, "the page shows no row count"
    return int(match.group(1))


def filter_url(
    admin: Browser, list_url: str, name: str, value: str, operation: str = ""
) -> str:
    """Build a filtered list URL from the filters the list page offers.

    Picks the first filter labelled `name` whose operation contains
    `operation` (any operation when empty).
    """
    page = admin.get(list_url).get_data(as_text=True)
    data = re.search(r'<div id="filter-groups-data" class="d-none">(.*?)</div>', page)
    assert data is not None, f"{list_url} offers no filters"
    for entry in json.loads(html.unescape(data.group(1)))[name]:
        if operation in entry["operation"]:
            return f"{list_url}?flt0_{entry['arg']}={value}"
    raise AssertionError(f"{list_url} has no {operation!r} filter named {name!r}")
