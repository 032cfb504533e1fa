"""Messages of the web app: lookup advice, invalid names, passwords, cards.

Lookups go to a loopback WHOIS server that stores a rate-limited .org and a
.de without expiry, and sends "No match" for every other domain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.test_web_flows import (
    add,
    build_test_container,
    card_value,
    dashboard,
    flashes,
    register,
    row_named,
    rows,
    seed_domain,
    user_id_of,
)
from tests.support.whois_corpus import load_cases
from tests.support.whois_server import WhoisServer
from tracker.adapters.clock import FixedClock
from tracker.domain.expiry import ExpiryPolicy, Urgency
from tracker.domain.model import Domain
from tracker.domain.names import DomainName
from tracker.entrypoints.container import Container
from tracker.entrypoints.web import create_app
from tracker.entrypoints.web.display import advises_hand_entry, lookup_advice
from tracker.services.domains import DomainRow

RATE_LIMITED = "example-tracker.org"
NO_EXPIRY = "example-tracker.de"
UNREGISTERED = "gone-tracker.com"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def whois_server() -> Iterator[WhoisServer]:
    wanted = {"bug-b07-org-rate-limit", "bug-b23-de-no-expiry"}
    answers = {case.domain: case.answer() for case in load_cases() if case.id in wanted}
    assert sorted(answers) == sorted([NO_EXPIRY, RATE_LIMITED])
    with WhoisServer(answers) as server:
        yield server


@pytest.fixture
def container(
    tmp_path: Path, clock: FixedClock, whois_server: WhoisServer
) -> Container:
    return build_test_container(tmp_path, clock, whois_server.address)


@pytest.fixture
def app(container: Container) -> Flask:
    app = create_app(container=container)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sign_up(client: FlaskClient) -> None:
    """Register and read the welcome message, so later pages flash only their own."""
    register(client)
    dashboard(client)


def to_russian(client: FlaskClient) -> None:
    client.post("/language", data={"language": "ru", "next": "/"})


def problem_notes(html: str) -> list[str]:
    found = re.findall(r'lookup-problem">.*?</i>(.*?)</div>', html, flags=re.DOTALL)
    return [unescape(re.sub(r"<[^>]+>|\s+", " ", text)).strip() for text in found]


# Advice after the first lookup


def test_unregistered_name_gets_spelling_advice(client: FlaskClient) -> None:
    sign_up(client)

    html = add(client, UNREGISTERED)

    row = row_named(html, UNREGISTERED)
    assert flashes(html) == [
        (
            f"{UNREGISTERED} is not registered: the registry has no record of it. "
            "Check the spelling; tracker checks again daily."
        )
    ]
    assert f'id="manual-{row.id}"' not in html
    assert "Enter the expiry date by hand" not in html


def test_lookup_problem_has_no_doubled_period(client: FlaskClient) -> None:
    sign_up(client)
    domain_id = row_named(add(client, UNREGISTERED), UNREGISTERED).id

    notes = problem_notes(dashboard(client))
    page = client.get(f"/domains/{domain_id}/manual").get_data(as_text=True)
    manual = unescape(page)

    assert len(notes) == 1
    assert notes[0].startswith("lookup failed: ")
    assert 'No match for "GONE-TRACKER.COM"' in notes[0]
    assert not notes[0].endswith(".")
    assert 'No match for "GONE-TRACKER.COM".' in manual
    assert '"GONE-TRACKER.COM"..' not in manual


def test_rate_limited_name_gets_retry_advice(client: FlaskClient) -> None:
    sign_up(client)

    html = add(client, RATE_LIMITED)

    row = row_named(html, RATE_LIMITED)
    assert flashes(html) == [
        (
            f"{RATE_LIMITED}: the registry limits how often it may be asked; "
            "tracker retries automatically."
        )
    ]
    assert f'id="manual-{row.id}"' not in html
    assert f'href="/domains/{row.id}/manual"' in row.html


def test_registry_without_expiry_asks_for_hand_entry(client: FlaskClient) -> None:
    sign_up(client)

    html = add(client, NO_EXPIRY)

    row = row_named(html, NO_EXPIRY)
    assert flashes(html) == [
        (
            f"{NO_EXPIRY}: the registry publishes no expiry date for this domain. "
            "Enter the expiry date by hand."
        )
    ]
    assert f'id="manual-{row.id}"' in html


def test_advice_is_translated_to_russian(client: FlaskClient) -> None:
    sign_up(client)
    to_russian(client)

    html = add(client, f"{UNREGISTERED}\n{RATE_LIMITED}")

    messages = flashes(html)
    assert (
        f"{UNREGISTERED} не зарегистрирован: в реестре нет записи о нём. "
        "Проверьте написание; tracker проверяет его ежедневно."
    ) in messages
    assert (
        f"{RATE_LIMITED}: реестр ограничивает частоту запросов; "
        "tracker повторит проверку сам."
    ) in messages


def make_row(kind: str | None) -> DomainRow:
    domain = Domain(1, DomainName.parse("example.com"), created_at=NOW)
    return DomainRow(
        id=1,
        name="example.com",
        unicode_name="example.com",
        registrar=None,
        expiration_date=None,
        days_left=None,
        urgency=Urgency.UNKNOWN,
        source=None,
        last_error="whois.example said something.",
        domain=domain,
        last_error_kind=kind,
        failing_days=0,
        last_checked_at=NOW,
    )


@pytest.mark.parametrize(
    ("kind", "hand_entry", "ending"),
    [
        ("not found", False, "tracker checks again daily."),
        ("rate limited", False, "tracker retries automatically."),
        ("timed out", False, "tracker retries automatically."),
        ("network error", False, "tracker retries automatically."),
        ("no expiry published", True, "Enter the expiry date by hand."),
        ("unparsable response", True, "Enter the expiry date by hand."),
        ("no lookup server", True, "Enter the expiry date by hand."),
        ("response too large", True, "Enter the expiry date by hand."),
        (None, True, "Enter the expiry date by hand."),
    ],
)
def test_advice_per_error_kind(
    app: Flask, kind: str | None, hand_entry: bool, ending: str
) -> None:
    row = make_row(kind)

    with app.test_request_context():
        advice = lookup_advice(row)

    assert advice.endswith(ending)
    assert ".." not in advice
    assert advises_hand_entry(row) is hand_entry


# Invalid names


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("localhost", "в нём нет точки; добавьте домен верхнего уровня"),
        ("bad_name.com", "символ «_» (U+005F) в «bad_name» недопустим"),
        ("-bad.com", "метка «-bad» начинается или заканчивается дефисом"),
        ("a..com", "в нём две точки подряд или точка в начале"),
        ("пример.ру", "«.ру» — неизвестный домен верхнего уровня"),
        ("co.uk", "«co.uk» — публичный суффикс"),
    ],
    ids=["no-dot", "character", "hyphen", "empty-label", "unknown-tld", "suffix"],
)
def test_invalid_name_reason_in_russian(
    client: FlaskClient, typed: str, expected: str
) -> None:
    sign_up(client)
    to_russian(client)

    messages = flashes(add(client, typed))

    assert len(messages) == 1
    assert messages[0].startswith(f"{typed} — недопустимое доменное имя: ")
    assert expected in messages[0]
    assert "xn--" not in messages[0]


def test_invalid_name_reason_in_english(client: FlaskClient) -> None:
    sign_up(client)

    messages = flashes(add(client, "bad_name.com\nпример.ру"))

    assert messages == [
        (
            "bad_name.com is not a valid domain name: the character “_” (U+005F) "
            "in “bad_name” is not allowed in domain names"
        ),
        "пример.ру is not a valid domain name: “.ру” is not a known top-level domain",
    ]


def test_hidden_character_is_shown_as_code(client: FlaskClient) -> None:
    sign_up(client)

    html = add(client, "ex\u202eample.com")

    assert "\u202e" not in html
    assert flashes(html) == [
        (
            "exU+202Eample.com is not a valid domain name: the character U+202E "
            "in “exU+202Eample” is not allowed in domain names"
        )
    ]


# Passwords


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("password", "one of the most common ones"),
        ("admin123", "one of the most common ones"),
        ("owner-1234", "contains the name part of your email address"),
        ("nodigitshere", "has only letters: add a digit or a symbol"),
        ("short1", "too short: use at least 8 characters"),
    ],
)
def test_register_names_password_problem(
    client: FlaskClient, password: str, expected: str
) -> None:
    response = client.post(
        "/register",
        data={"email": "owner@example.org", "password": password, "confirm": password},
    )

    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_password_problem_in_russian(client: FlaskClient) -> None:
    to_russian(client)

    response = client.post(
        "/register",
        data={"email": "a@example.org", "password": "admin123", "confirm": "admin123"},
    )

    assert "Это один из самых распространённых паролей" in response.get_data(
        as_text=True
    )


def test_register_help_states_the_rules(client: FlaskClient) -> None:
    html = client.get("/register").get_data(as_text=True)

    assert "with letters and at least one digit or symbol" in html
    assert "Common passwords" in html


# Summary cards


def test_cards_match_row_colours(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client)
    owner = user_id_of(container, "owner@example.org")
    for name, days in [
        ("today.com", 0),
        ("seven.com", 7),
        ("eight.com", 8),
        ("thirty.com", 30),
        ("later.com", 31),
        ("gone.com", -1),
    ]:
        seed_domain(container, owner, name, clock.today() + timedelta(days=days))

    html = dashboard(client)

    colours = {row.badge_colour for row in rows(html)}
    assert colours == {"danger", "warning", "success", "dark"}
    red = sum(1 for row in rows(html) if row.badge_colour == "danger")
    red_or_yellow = red + sum(1 for row in rows(html) if row.badge_colour == "warning")
    assert card_value(html, "critical") == red == 2
    assert card_value(html, "warning") == red_or_yellow == 4
    assert card_value(html, "expired") == 1
    assert "Expiring within 30 days" in html
    assert "Expiring within 7 days" in html


def test_cards_follow_policy_bands(
    tmp_path: Path, clock: FixedClock, whois_server: WhoisServer
) -> None:
    container = build_test_container(tmp_path, clock, whois_server.address)
    container.policy.override(
        providers.Object(ExpiryPolicy(warning_days=14, critical_days=3))
    )
    app = create_app(container=container)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    register(client)
    owner = user_id_of(container, "owner@example.org")
    for name, days in [("three.com", 3), ("four.com", 4), ("fourteen.com", 14)]:
        seed_domain(container, owner, name, clock.today() + timedelta(days=days))

    html = dashboard(client)

    assert card_value(html, "critical") == 1
    assert card_value(html, "warning") == 3
    assert "Expiring within 14 days" in html
    assert "Expiring within 3 days" in html


def test_cards_are_translated_to_russian(client: FlaskClient) -> None:
    register(client)
    to_russian(client)

    html = dashboard(client)

    assert "Истекают в ближайшие 30 дней" in html
    assert "Истекают в ближайшие 7 дней" in html


def admin_figure(page: str, label: str) -> int:
    start = page.index(f'data-figure="{label}"')
    match = re.search(r'<div class="h3 mb-0">(?:<a [^>]*>)?(\d+)', page[start:])
    assert match is not None, label
    return int(match.group(1))


def test_admin_overview_counts_like_the_cards(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client)
    owner = user_id_of(container, "owner@example.org")
    with container.uow() as uow:
        user = uow.users.get(owner)
        assert user is not None
        user.is_admin = True
        uow.commit()
    for name, days in [("seven.com", 7), ("eight.com", 8), ("thirty.com", 30)]:
        seed_domain(container, owner, name, clock.today() + timedelta(days=days))

    page = client.get("/admin/").get_data(as_text=True)

    assert admin_figure(page, "Expiring within 30 days") == 3
    assert admin_figure(page, "Expiring within 7 days") == 1
    assert card_value(dashboard(client), "warning") == 3
    assert card_value(dashboard(client), "critical") == 1
