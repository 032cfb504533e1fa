"""The web app through Flask's test client, with lookups on a loopback WHOIS server.

Each test gets its own SQLite database, a fixed clock (2026-12-04 12:00 UTC)
and a job queue that runs the lookup inside the request, so a page shows
the lookup's result as soon as the request returns.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from tests.support.whois_corpus import load_cases
from tests.support.whois_server import WhoisServer
from tracker.adapters.clock import FixedClock
from tracker.adapters.jobs import InlineJobQueue
from tracker.domain.model import DataSource
from tracker.entrypoints.config import Settings
from tracker.entrypoints.container import Container, build_container
from tracker.entrypoints.web import create_app
from tracker.services import domains

PASSWORD = "correct-horse-42"
# Corpus responses served by the WHOIS server: a .com with a registry expiry of
# 2027-03-14 (100 days after the fixed clock), a .de without any expiry, and
# the .рф name пример.рф.
CORPUS_CASES = (
    "bug-b01-com-registry-and-registrar-dates",
    "bug-b23-de-no-expiry",
    "bug-b25-rf-punycode",
)
COM = "example-tracker.com"
DE = "example-tracker.de"
RF = "пример.рф"
RF_ASCII = "xn--e1afmkfd.xn--p1ai"


@pytest.fixture(scope="module")
def whois_server() -> Iterator[WhoisServer]:
    wanted = {case.id: case for case in load_cases() if case.id in CORPUS_CASES}
    assert sorted(wanted) == sorted(CORPUS_CASES)
    answers = {case.domain: case.answer() for case in wanted.values()}
    with WhoisServer(answers) as server:
        yield server


def build_test_container(
    tmp_path: Path, clock: FixedClock, whois_address: tuple[str, int], **overrides: Any
) -> Container:
    options: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'tracker.db'}",
        "secret_key": "test-secret",
        "redis_url": None,
        "whois_server": whois_address,
        # With a WHOIS server set and no RDAP base, the container looks
        # domains up over WHOIS alone, so no lookup leaves loopback.
        "rdap_base": None,
        "lookup_timeout": 5.0,
        "add_lookup_wait": 2.0,
        "testing": True,
    }
    settings = Settings.from_env(tmp_path / "instance", **{**options, **overrides})
    container = build_container(settings)
    container.clock.override(providers.Object(clock))
    container.job_queue.override(providers.Object(InlineJobQueue(synchronous=True)))
    return container


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


def register(client: FlaskClient, email: str = "owner@example.org") -> None:
    response = client.post(
        "/register",
        data={"email": email, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, **extra: str):
    return client.post("/login", data={"email": email, "password": password, **extra})


def add(client: FlaskClient, names: str) -> str:
    response = client.post("/domains", data={"names": names}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def dashboard(client: FlaskClient) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@dataclass(frozen=True)
class Row:
    """One dashboard row, read back from the HTML."""

    id: int
    html: str

    @property
    def urgency(self) -> str:
        match = re.search(r'class="domain-row urgency-([a-z]+)', self.html)
        assert match is not None
        return match.group(1)

    @property
    def label(self) -> str:
        match = re.search(r'status-badge"[^>]*>\s*<i[^>]*></i>([^<]+)<', self.html)
        assert match is not None, self.html
        return match.group(1).strip()

    @property
    def badge_colour(self) -> str:
        match = re.search(r"text-bg-([a-z]+) status-badge", self.html)
        assert match is not None
        return match.group(1)


def rows(html: str) -> list[Row]:
    found = re.findall(r'(<tr id="domain-(\d+)".*?</tr>)', html, flags=re.DOTALL)
    return [Row(int(domain_id), row_html) for row_html, domain_id in found]


def row_named(html: str, name: str) -> Row:
    matching = [row for row in rows(html) if f">{name}</a>" in row.html]
    assert len(matching) == 1, f"{name} not on the page once"
    return matching[0]


def flashes(html: str) -> list[str]:
    found = re.findall(r'role="alert">\s*(.*?)\s*<button', html, flags=re.DOTALL)
    return [re.sub(r"\s+", " ", text) for text in found]


def card_value(html: str, card: str) -> int:
    match = re.search(
        rf'data-card="{card}">.*?class="summary-value">(\d+)<', html, flags=re.DOTALL
    )
    assert match is not None, card
    return int(match.group(1))


def user_id_of(container: Container, email: str) -> int:
    with container.uow() as uow:
        user = uow.users.get_by_email(email)
        assert user is not None and user.id is not None
        return user.id


def seed_domain(
    container: Container, user_id: int, name: str, expires: date | None
) -> int:
    """Store a domain as if its lookup found nothing and the user typed `expires`."""
    domain_id = domains.add_domain(container.uow(), container.clock(), user_id, name)
    with container.uow() as uow:
        domain = uow.domains.get(domain_id)
        assert domain is not None
        domain.last_checked_at = container.clock().now()
        uow.commit()
    if expires is not None:
        domains.enter_expiry_manually(
            container.uow(), container.clock(), user_id, domain_id, expires, None
        )
    return domain_id


# Sign-up, log-in, log-out


def test_register_signs_in_and_opens_dashboard(client: FlaskClient) -> None:
    register(client)

    html = dashboard(client)

    assert "owner@example.org" in html
    assert "Your domains" in html


def test_register_logs_sign_up_with_id(
    client: FlaskClient, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tracker")

    register(client, "new@example.org")

    user_id = user_id_of(container, "new@example.org")
    assert f"user {user_id} signed up as new@example.org" in caplog.text


@pytest.mark.parametrize(
    ("password", "confirm", "expected"),
    [
        ("short1", "short1", "The password is too short"),
        ("12345678901", "12345678901", "The password has no letter"),
        (PASSWORD, PASSWORD + "x", "The two passwords differ."),
    ],
)
def test_register_rejects_bad_password(
    client: FlaskClient, password: str, confirm: str, expected: str
) -> None:
    response = client.post(
        "/register",
        data={"email": "a@example.org", "password": password, "confirm": confirm},
    )

    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_register_rejects_duplicate_email(client: FlaskClient) -> None:
    register(client, "taken@example.org")
    client.post("/logout")

    response = client.post(
        "/register",
        data={"email": "Taken@Example.org", "password": PASSWORD, "confirm": PASSWORD},
    )

    assert response.status_code == 200
    assert "An account with this email already exists" in response.get_data(
        as_text=True
    )


def test_register_rejects_invalid_email(client: FlaskClient) -> None:
    response = client.post(
        "/register",
        data={"email": "not-an-address", "password": PASSWORD, "confirm": PASSWORD},
    )

    assert response.status_code == 200
    assert "not a valid email address" in response.get_data(as_text=True)


def test_login_and_logout(client: FlaskClient) -> None:
    register(client, "me@example.org")
    client.post("/logout")
    assert client.get("/").status_code == 302

    response = log_in(client, "me@example.org")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "me@example.org" in dashboard(client)


def test_logout_needs_post(client: FlaskClient) -> None:
    register(client)

    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_login_failure_logs_email_not_password(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    register(client, "me@example.org")
    client.post("/logout")
    caplog.set_level(logging.INFO, logger="tracker")

    response = log_in(client, "me@example.org", "wrong-password-9")

    assert response.status_code == 200
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert "log-in failed for me@example.org" in caplog.text
    assert "wrong-password-9" not in caplog.text


def test_inactive_user_cannot_log_in(client: FlaskClient, container: Container) -> None:
    register(client, "gone@example.org")
    client.post("/logout")
    with container.uow() as uow:
        user = uow.users.get_by_email("gone@example.org")
        assert user is not None
        user.is_active = False
        uow.commit()

    response = log_in(client, "gone@example.org")

    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_deactivated_user_loses_session(
    client: FlaskClient, container: Container
) -> None:
    register(client, "gone@example.org")
    with container.uow() as uow:
        user = uow.users.get_by_email("gone@example.org")
        assert user is not None
        user.is_active = False
        uow.commit()

    assert client.get("/").status_code == 302


# Guests and the `next` parameter


@pytest.mark.parametrize(
    "path", ["/", "/domains/1", "/domains/1/manual", "/domains/1/status"]
)
def test_guest_is_sent_to_login_with_next(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/login?next=")
    assert client.get(location).status_code == 200


def test_guest_sees_login_and_register(client: FlaskClient) -> None:
    assert client.get("/login").status_code == 200
    assert client.get("/register").status_code == 200


def test_login_follows_local_next(client: FlaskClient) -> None:
    register(client, "me@example.org")
    client.post("/logout")

    response = log_in(client, "me@example.org", next="/domains/7?tab=history")

    assert response.headers["Location"] == "/domains/7?tab=history"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_login_ignores_foreign_next(client: FlaskClient, target: str) -> None:
    register(client, "me@example.org")
    client.post("/logout")

    response = log_in(client, "me@example.org", next=target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_language_switch_ignores_foreign_next(client: FlaskClient) -> None:
    response = client.post(
        "/language", data={"language": "ru", "next": "//evil.example/"}
    )

    assert response.headers["Location"] == "/"


# Adding domains


def test_add_com_shows_expiry_from_whois(
    client: FlaskClient, whois_server: WhoisServer
) -> None:
    register(client)

    html = add(client, COM)

    row = row_named(html, COM)
    assert "Mar 14, 2027" in row.html
    assert "100 days left" in row.html
    assert "Example Registrar, Inc." in row.html
    assert "WHOIS" in row.html
    assert row.urgency == "ok"
    assert row.label == "OK"
    assert row.badge_colour == "success"
    assert f"{COM} expires on March 14, 2027 (100 days left)." in flashes(html)
    assert any(COM in query for query in whois_server.queries)


def test_add_logs_domain_with_ids(
    client: FlaskClient, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    register(client)
    caplog.set_level(logging.INFO, logger="tracker")

    html = add(client, COM)

    user_id = user_id_of(container, "owner@example.org")
    domain_id = row_named(html, COM).id
    assert f"user {user_id} added domain {domain_id} ({COM})" in caplog.text


def test_add_de_asks_for_hand_entry(client: FlaskClient, container: Container) -> None:
    register(client)

    html = add(client, DE)

    row = row_named(html, DE)
    assert row.urgency == "unknown"
    assert row.label == "Unknown"
    assert any(
        message.startswith(f"{DE}: the registry publishes no expiry date")
        for message in flashes(html)
    )
    form_action = f'action="/domains/{row.id}/manual"'
    assert form_action in html
    assert f'id="manual-{row.id}-expiration_date"' in html


def test_hand_entry_marks_domain_entered_by_hand(
    client: FlaskClient, container: Container
) -> None:
    register(client)
    domain_id = row_named(add(client, DE), DE).id

    response = client.post(
        f"/domains/{domain_id}/manual",
        data={
            f"manual-{domain_id}-expiration_date": "2027-01-20",
            f"manual-{domain_id}-registrar": "DENIC member",
        },
        follow_redirects=True,
    )

    html = response.get_data(as_text=True)
    row = row_named(html, DE)
    assert "Jan 20, 2027" in row.html
    assert "47 days left" in row.html
    assert "entered by hand" in row.html
    assert "DENIC member" in row.html
    assert row.urgency == "ok"
    assert "lookup-problem" not in row.html
    with container.uow() as uow:
        stored = uow.domains.get(domain_id)
        assert stored is not None
        assert stored.source is DataSource.MANUAL
        assert stored.expiration_date == date(2027, 1, 20)


def test_hand_entry_page_shows_form(client: FlaskClient) -> None:
    register(client)
    domain_id = row_named(add(client, DE), DE).id

    response = client.get(f"/domains/{domain_id}/manual")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'type="date"' in html
    assert "The registry publishes no expiry date for this domain." in html


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "tomorrow", ""])
def test_hand_entry_rejects_invalid_date(
    client: FlaskClient, container: Container, value: str
) -> None:
    register(client)
    domain_id = row_named(add(client, DE), DE).id

    response = client.post(
        f"/domains/{domain_id}/manual",
        data={f"manual-{domain_id}-expiration_date": value},
    )

    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True)
    with container.uow() as uow:
        stored = uow.domains.get(domain_id)
        assert stored is not None
        assert stored.expiration_date is None


def test_hand_entry_rejects_year_out_of_range(client: FlaskClient) -> None:
    register(client)
    domain_id = row_named(add(client, DE), DE).id

    response = client.post(
        f"/domains/{domain_id}/manual",
        data={f"manual-{domain_id}-expiration_date": "0202-06-01"},
    )

    assert "Enter a date between 1985-01-01 and 2199-12-31." in response.get_data(
        as_text=True
    )


def test_add_idn_shows_unicode_and_punycode(client: FlaskClient) -> None:
    register(client)

    html = add(client, RF)

    row = row_named(html, RF)
    assert 'font-monospace"' in row.html
    assert RF_ASCII in row.html
    assert "Feb 11, 2026" in row.html
    assert "REGRU-RF" in row.html
    assert row.urgency == "expired"
    assert row.label == "Expired"
    assert row.badge_colour == "dark"


def test_add_invalid_name_names_value_and_reason(client: FlaskClient) -> None:
    register(client)

    html = add(client, "not a domain")

    assert "not a domain is not a valid domain name: it contains spaces" in flashes(
        html
    )
    assert rows(html) == []


def test_add_escapes_markup_in_messages(client: FlaskClient) -> None:
    register(client)

    html = add(client, "<script>alert(1)</script>.com")

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.com is not a valid" in html


def test_add_duplicate_says_already_tracked(client: FlaskClient) -> None:
    register(client)
    add(client, COM)

    html = add(client, f"https://www.{COM.upper()}/path")

    assert f"You already track {COM}." in flashes(html)
    assert len(rows(html)) == 1


def test_add_pasted_list_reports_each_entry(client: FlaskClient) -> None:
    register(client)

    html = add(client, f"{COM}\nbad_name.com, {DE}\n\n{RF} ; .com")

    assert {row.id for row in rows(html)} == {
        row_named(html, name).id for name in (COM, DE, RF)
    }
    messages = flashes(html)
    assert any(
        m.startswith("bad_name.com is not a valid domain name") for m in messages
    )
    assert any(m.startswith(".com is not a valid domain name") for m in messages)
    assert any(m.startswith(f"{DE}: the registry publishes") for m in messages)
    assert "Found the expiry dates of 2 domains." in messages
    assert f'action="/domains/{row_named(html, DE).id}/manual"' in html


def test_add_rejects_too_long_list(client: FlaskClient) -> None:
    register(client)
    names = "\n".join(f"name{i}.com" for i in range(domains.MAX_NAMES_PER_ADD + 1))

    html = add(client, names)

    assert "add at most 200 at once" in " ".join(flashes(html))
    assert rows(html) == []


class QueueThatNeverRuns:
    """A job queue whose jobs never start, like RQ with no worker running."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    def enqueue(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.jobs.append((func, args))


def test_add_while_lookup_runs_shows_checking(
    tmp_path: Path, clock: FixedClock, whois_server: WhoisServer
) -> None:
    container = build_test_container(
        tmp_path, clock, whois_server.address, add_lookup_wait=0.0
    )
    queue = QueueThatNeverRuns()
    container.job_queue.override(providers.Object(queue))
    app = create_app(container=container)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    register(client)

    html = add(client, COM)

    row = row_named(html, COM)
    assert "checking…" in row.html
    assert 'data-pending="true"' in row.html
    assert len(queue.jobs) == 1
    status = client.get(f"/domains/{row.id}/status").get_json()
    assert status["pending"] is True

    func, args = queue.jobs[0]
    func(*args)

    status = client.get(f"/domains/{row.id}/status").get_json()
    assert status["pending"] is False
    assert status["expiration_date"] == "2027-03-14"
    assert status["days_left"] == 100
    assert status["urgency"] == "ok"
    assert "checking…" not in status["html"]
    assert "Mar 14, 2027" in status["html"]


def test_check_now_runs_lookup_again(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client)
    domain_id = row_named(add(client, COM), COM).id
    clock.advance(timedelta(hours=5))

    response = client.post(f"/domains/{domain_id}/check")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with container.uow() as uow:
        stored = uow.domains.get(domain_id)
        assert stored is not None
        assert stored.last_checked_at == clock.now()
        assert len(uow.check_logs.list_for_domain(domain_id)) == 2
    assert "checking…" not in row_named(dashboard(client), COM).html


def test_domain_page_lists_lookups(client: FlaskClient) -> None:
    register(client)
    domain_id = row_named(add(client, DE), DE).id

    response = client.get(f"/domains/{domain_id}")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Lookup history" in html
    assert "publishes no expiry date" in html


# Dashboard


def test_dashboard_orders_soonest_first_with_colours(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client)
    owner = user_id_of(container, "owner@example.org")
    today = clock.today()
    cases = [
        ("far.com", 31, "ok", "OK", "success"),
        ("unknown.com", None, "unknown", "Unknown", "secondary"),
        ("edge-soon.com", 30, "warning", "Soon", "warning"),
        ("soon.com", 8, "warning", "Soon", "warning"),
        ("edge-urgent.com", 7, "critical", "Urgent", "danger"),
        ("today.com", 0, "critical", "Urgent", "danger"),
        ("gone.com", -1, "expired", "Expired", "dark"),
    ]
    for name, days, *_ in cases:
        expires = today + timedelta(days=days) if days is not None else None
        seed_domain(container, owner, name, expires)

    html = dashboard(client)

    names = [re.search(r">([^<>]+)</a>", row.html).group(1) for row in rows(html)]
    assert names == [
        "gone.com",
        "today.com",
        "edge-urgent.com",
        "soon.com",
        "edge-soon.com",
        "far.com",
        "unknown.com",
    ]
    for name, _days, urgency, label, colour in cases:
        row = row_named(html, name)
        assert (row.urgency, row.label, row.badge_colour) == (urgency, label, colour)
    assert "expires today" in row_named(html, "today.com").html
    assert "expired 1 day ago" in row_named(html, "gone.com").html


def test_dashboard_cards_count_domains(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client)
    owner = user_id_of(container, "owner@example.org")
    today = clock.today()
    for name, days in [
        ("a.com", 2),
        ("b.com", 6),
        ("c.com", 7),
        ("d.com", 29),
        ("e.com", 30),
        ("f.com", 400),
        ("g.com", -5),
    ]:
        seed_domain(container, owner, name, today + timedelta(days=days))
    seed_domain(container, owner, "h.com", None)

    html = dashboard(client)

    # 7 and 30 days left are red and yellow rows, so the cards count them.
    assert card_value(html, "total") == 8
    assert card_value(html, "warning") == 5
    assert card_value(html, "critical") == 3
    assert card_value(html, "expired") == 1


def test_days_left_follow_the_clock(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client)
    owner = user_id_of(container, "owner@example.org")
    seed_domain(container, owner, "a.com", clock.today() + timedelta(days=10))
    assert "10 days left" in row_named(dashboard(client), "a.com").html

    clock.advance(timedelta(days=3))

    row = row_named(dashboard(client), "a.com")
    assert "7 days left" in row.html
    assert row.urgency == "critical"


def test_dashboard_shows_failing_lookup_and_renewal(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client)
    owner = user_id_of(container, "owner@example.org")
    domain_id = seed_domain(container, owner, "slow.ru", date(2027, 6, 1))
    with container.uow() as uow:
        domain = uow.domains.get(domain_id)
        assert domain is not None
        domain.failing_since = clock.now() - timedelta(days=3, hours=2)
        domain.last_checked_at = clock.now()
        domain.last_error = "rate limited by whois.tcinet.ru"
        domain.last_error_kind = "rate limited"
        domain.renewed_at = clock.now() - timedelta(days=40)
        uow.commit()

    row = row_named(dashboard(client), "slow.ru")

    assert "lookup failing for 3 days: rate limited by whois.tcinet.ru" in row.html
    assert "renewed on Oct 25, 2026" in row.html


def test_dashboard_is_translated_to_russian(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    register(client)
    owner = user_id_of(container, "owner@example.org")
    seed_domain(container, owner, "a.com", clock.today() + timedelta(days=3))

    response = client.post(
        "/language", data={"language": "ru", "next": "/"}, follow_redirects=True
    )

    html = response.get_data(as_text=True)
    assert "Ваши домены" in html
    assert "осталось 3 дня" in html
    assert row_named(html, "a.com").label == "Срочно"
    with container.uow() as uow:
        user = uow.users.get(owner)
        assert user is not None
        assert user.language == "ru"


def test_guest_language_choice_is_kept_for_new_account(
    client: FlaskClient, container: Container
) -> None:
    client.post("/language", data={"language": "ru", "next": "/register"})

    assert "Регистрация" in client.get("/register").get_data(as_text=True)
    register(client, "ru@example.org")
    with container.uow() as uow:
        user = uow.users.get_by_email("ru@example.org")
        assert user is not None
        assert user.language == "ru"


def test_static_assets_are_served_locally(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)

    assets = re.findall(r'(?:href|src)="(/[^"]+\.(?:css|js))"', html)
    assert "/bootstrap/static/css/bootstrap.min.css" in assets
    assert "/static/js/main.js" in assets
    assert "cdn" not in html.lower()
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


# Deleting


def test_delete_removes_domain_and_logs(
    client: FlaskClient, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    register(client)
    domain_id = row_named(add(client, COM), COM).id
    caplog.set_level(logging.INFO, logger="tracker")

    response = client.post(f"/domains/{domain_id}/delete", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert f"Stopped tracking {COM}." in flashes(html)
    assert rows(html) == []
    user_id = user_id_of(container, "owner@example.org")
    assert f"user {user_id} deleted domain {domain_id} ({COM})" in caplog.text
    with container.uow() as uow:
        assert uow.domains.get(domain_id) is None


def test_delete_needs_post(client: FlaskClient) -> None:
    register(client)
    domain_id = row_named(add(client, COM), COM).id

    assert client.get(f"/domains/{domain_id}/delete").status_code == 405
    assert len(rows(dashboard(client))) == 1


# Another user's domain


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/domains/{id}"),
        ("GET", "/domains/{id}/status"),
        ("GET", "/domains/{id}/manual"),
        ("POST", "/domains/{id}/manual"),
        ("POST", "/domains/{id}/check"),
        ("POST", "/domains/{id}/delete"),
    ],
)
def test_other_users_domain_is_not_found(
    app: Flask, container: Container, method: str, path: str
) -> None:
    owner = app.test_client()
    register(owner, "owner@example.org")
    domain_id = row_named(add(owner, COM), COM).id
    other = app.test_client()
    register(other, "other@example.org")

    response = other.open(
        path.format(id=domain_id),
        method=method,
        data={f"manual-{domain_id}-expiration_date": "2030-01-01"},
    )

    assert response.status_code == 404
    with container.uow() as uow:
        stored = uow.domains.get(domain_id)
        assert stored is not None
        assert stored.expiration_date == date(2027, 3, 14)
        assert len(uow.check_logs.list_for_domain(domain_id)) == 1
    assert row_named(dashboard(owner), COM).id == domain_id
    assert rows(dashboard(other)) == []


def test_missing_domain_is_not_found(client: FlaskClient) -> None:
    register(client)

    assert client.get("/domains/999").status_code == 404


# CSRF


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_post_without_csrf_token_is_rejected(
    app: Flask, client: FlaskClient, container: Container
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token(client.get("/register").get_data(as_text=True))
    client.post(
        "/register",
        data={
            "email": "owner@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token,
        },
    )

    without = client.post("/domains", data={"names": COM})
    forged = client.post("/domains", data={"names": COM, "csrf_token": "forged"})

    assert without.status_code == 400
    assert forged.status_code == 400
    assert "The form has expired" in without.get_data(as_text=True)
    with container.uow() as uow:
        assert uow.domains.list_all() == []

    token = csrf_token(dashboard(client))
    accepted = client.post("/domains", data={"names": COM, "csrf_token": token})

    assert accepted.status_code == 302
    with container.uow() as uow:
        assert len(uow.domains.list_all()) == 1


def test_logout_without_csrf_token_is_rejected(app: Flask, client: FlaskClient) -> None:
    register(client)
    app.config["WTF_CSRF_ENABLED"] = True

    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


# Navbar


def test_admin_link_only_for_admins(client: FlaskClient, container: Container) -> None:
    register(client, "admin@example.org")
    assert 'href="/admin/"' not in dashboard(client)
    with container.uow() as uow:
        user = uow.users.get_by_email("admin@example.org")
        assert user is not None
        user.is_admin = True
        uow.commit()

    html = dashboard(client)

    assert re.search(r'href="/admin/">.*?Admin\s*</a>', html, flags=re.DOTALL)
