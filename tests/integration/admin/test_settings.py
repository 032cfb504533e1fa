"""The admin settings page: values saved through the services, bad ones rejected."""

from __future__ import annotations

import logging

import pytest

from tests.integration.admin.conftest import Accounts, Browser
from tests.unit.fakes import FakeJobQueue
from tracker.entrypoints import jobs
from tracker.entrypoints.container import Container
from tracker.services import settings

TOKEN = "123456789:AAEexampleexampleexampleexample_wxyz"


@pytest.fixture
def settings_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="tracker.entrypoints.admin")
    return caplog


def save(admin: Browser, form: str, **data: str) -> tuple[int, str]:
    response = admin.post(f"/admin/settings/{form}", data, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_thresholds_stored_sorted_without_duplicates(
    admin: Browser,
    container: Container,
    accounts_: Accounts,
    job_queue: FakeJobQueue,
    settings_log: pytest.LogCaptureFixture,
) -> None:
    status, page = save(admin, "thresholds", thresholds="7, 30,7 ,1")

    assert status == 200
    assert [func for func, _, _ in job_queue.jobs] == [jobs.plan_all_reminders_job]
    assert settings.default_thresholds(container.uow()) == (30, 7, 1)
    assert 'value="30, 7, 1"' in page
    assert (
        f"admin {accounts_.admin_id} set default reminder thresholds to 30, 7, 1"
        in settings_log.messages
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "reminder threshold 0 must be a positive whole number"),
        ("-1, 7", "reminder threshold &#39;-1&#39; must be a positive whole number"),
        (
            "7, soon",
            "reminder threshold &#39;soon&#39; must be a positive whole number",
        ),
        ("2.5", "reminder threshold &#39;2.5&#39; must be a positive whole number"),
        (" , ", "at least one reminder threshold is needed"),
    ],
)
def test_thresholds_reject_bad_values(
    admin: Browser, container: Container, text: str, message: str
) -> None:
    status, page = save(admin, "thresholds", thresholds=text)

    assert status == 400
    assert message in page
    assert settings.default_thresholds(container.uow()) == (30, 14, 7, 3, 1)


def test_intervals_saved(admin: Browser, container: Container) -> None:
    status, _ = save(
        admin,
        "intervals",
        near_expiry_hours="12",
        far_hours="72",
        retry_hours="0.5",
        max_retry_hours="6",
        near_expiry_days="45",
    )

    assert status == 200
    assert settings.check_intervals(container.uow()) == settings.CheckIntervals(
        near_expiry_hours=12.0,
        far_hours=72.0,
        retry_hours=0.5,
        max_retry_hours=6.0,
        near_expiry_days=45,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "far_hours",
            "100000",
            "far from expiry (hours) is 100000; enter a value from 1 to 2160",
        ),
        (
            "retry_hours",
            "0",
            "after a failure (hours) is 0; enter a value from 0.05 to 24",
        ),
        (
            "max_retry_hours",
            "0.5",
            "longest retry interval (hours) is 0.5; enter a value from 1 to 168",
        ),
        ("near_expiry_days", "many", "Not a valid integer value."),
    ],
)
def test_intervals_reject_values_out_of_bounds(
    admin: Browser, container: Container, field: str, value: str, message: str
) -> None:
    data = {
        "near_expiry_hours": "24",
        "far_hours": "168",
        "retry_hours": "1",
        "max_retry_hours": "24",
        "near_expiry_days": "30",
        field: value,
    }

    status, page = save(admin, "intervals", **data)

    assert status == 400
    assert message in page
    assert settings.check_intervals(container.uow()) == settings.CheckIntervals()


def test_intervals_reject_retry_cap_below_first_retry(
    admin: Browser, container: Container
) -> None:
    status, page = save(
        admin,
        "intervals",
        near_expiry_hours="24",
        far_hours="168",
        retry_hours="6",
        max_retry_hours="3",
        near_expiry_days="30",
    )

    assert status == 400
    assert "the longest retry interval (hours) must not be below" in page
    assert settings.check_intervals(container.uow()) == settings.CheckIntervals()


def test_server_limit_set_and_reset(admin: Browser, container: Container) -> None:
    status, page = save(
        admin,
        "server-limits",
        host="WHOIS.Example.net",
        max_concurrent="2",
        per_second="0.5",
    )

    assert status == 200
    limits = settings.server_limits(container.uow())
    assert limits["whois.example.net"] == settings.ServerLimit(2, 0.5)
    assert "<code>whois.example.net</code>" in page

    save(admin, "server-limits/remove", host="whois.example.net")

    assert "whois.example.net" not in settings.server_limits(container.uow())


@pytest.mark.parametrize(
    ("max_concurrent", "per_second", "message"),
    [
        ("0", "1", "0 concurrent queries is outside 1 to 64"),
        ("2", "500", "500 queries per second is outside 0.01 to 100"),
    ],
)
def test_server_limit_rejects_bad_values(
    admin: Browser,
    container: Container,
    max_concurrent: str,
    per_second: str,
    message: str,
) -> None:
    status, page = save(
        admin,
        "server-limits",
        host="whois.example.net",
        max_concurrent=max_concurrent,
        per_second=per_second,
    )

    assert status == 400
    assert message in page
    assert "whois.example.net" not in settings.server_limits(container.uow())


def test_mail_sender_saved_and_validated(admin: Browser, container: Container) -> None:
    status, _ = save(admin, "mail-sender", mail_from="Tracker <noreply@example.org>")

    assert status == 200
    assert settings.mail_sender(container.uow()) == "Tracker <noreply@example.org>"

    status, page = save(admin, "mail-sender", mail_from="noreply")

    assert status == 400
    assert "is not an email address" in page
    assert settings.mail_sender(container.uow()) == "Tracker <noreply@example.org>"


def test_telegram_token_masked_everywhere(
    admin: Browser, container: Container, settings_log: pytest.LogCaptureFixture
) -> None:
    status, page = save(admin, "telegram", telegram_token=TOKEN)

    assert status == 200
    assert settings.telegram_token(container.uow()) == TOKEN
    settings_page = admin.get("/admin/settings/").get_data(as_text=True)
    assert TOKEN not in page
    assert TOKEN not in settings_page
    assert "wxyz" in settings_page
    assert all(TOKEN not in message for message in settings_log.messages)


def test_telegram_token_rejects_bad_value(admin: Browser, container: Container) -> None:
    save(admin, "telegram", telegram_token=TOKEN)

    status, page = save(admin, "telegram", telegram_token="not-a-token")

    assert status == 400
    assert "@BotFather" in page
    assert settings.telegram_token(container.uow()) == TOKEN


def test_telegram_token_removed(admin: Browser, container: Container) -> None:
    save(admin, "telegram", telegram_token=TOKEN)

    status, page = save(admin, "telegram", clear_telegram_token="y")

    assert status == 200
    assert settings.telegram_token(container.uow()) is None
    assert '<span class="text-muted">none</span>' in page


def test_tld_source_set_and_reset(admin: Browser, container: Container) -> None:
    status, page = save(admin, "tld-sources", tld=".RU", mode="whois")

    assert status == 200
    assert settings.tld_sources(container.uow) == {"ru": "whois"}
    assert "<td>.ru</td><td>whois</td>" in page

    save(admin, "tld-sources", tld="ru", mode="auto")

    assert settings.tld_sources(container.uow) == {}


def test_tld_source_rejects_bad_tld(admin: Browser, container: Container) -> None:
    status, page = save(admin, "tld-sources", tld="co.uk", mode="rdap")

    assert status == 400
    assert "is not a top-level domain" in page
    assert settings.tld_sources(container.uow) == {}
