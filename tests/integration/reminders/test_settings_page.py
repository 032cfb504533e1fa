"""The settings page, the Telegram test button and muting, via Flask's test client."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from dependency_injector import providers
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.reminders.conftest import BotApi, add_domain, free_port
from tests.unit.fakes import FakeJobQueue
from tracker.adapters.clock import FixedClock
from tracker.adapters.notify import SmtpConfig, SmtpNotifier
from tracker.domain.model import ReminderStatus
from tracker.entrypoints.config import Settings
from tracker.entrypoints.container import Container, build_container
from tracker.entrypoints.web import create_app
from tracker.services import reminders
from tracker.services.ports import Message
from tracker.services.settings import KEY_TELEGRAM_TOKEN, set_text

PASSWORD = "correct-horse-42"
TOKEN = "123456:settings-test"


@pytest.fixture
def container(tmp_path: Path, clock: FixedClock, bot_api: BotApi) -> Container:
    settings = Settings.from_env(
        tmp_path / "instance",
        database_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        secret_key="test-secret",
        redis_url=None,
        # No lookup runs in these tests; this keeps any that did on loopback.
        whois_server=("127.0.0.1", free_port()),
        rdap_base=None,
        telegram_api_base=bot_api.base_url,
        testing=True,
    )
    container = build_container(settings)
    container.clock.override(providers.Object(clock))
    container.job_queue.override(providers.Object(FakeJobQueue()))
    return container


@pytest.fixture
def app(container: Container) -> Flask:
    app = create_app(container=container)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sign_up(client: FlaskClient, email: str) -> int:
    response = client.post(
        "/register", data={"email": email, "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    client.get("/")  # shows, and so clears, the welcome message
    container: Container = client.application.extensions["tracker"]
    with container.uow() as uow:
        user = uow.users.get_by_email(email)
        assert user is not None and user.id is not None
        return user.id


def settings_form(**changes: str) -> dict[str, str]:
    form = {
        "thresholds": "",
        "notify_email": "y",
        "telegram_chat_id": "",
        "language": "en",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def flashes(html: str) -> list[str]:
    found = re.findall(r'role="alert">\s*(.*?)\s*<button', html, flags=re.DOTALL)
    return [re.sub(r"\s+", " ", text) for text in found]


def test_page_shows_the_default_thresholds(client: FlaskClient) -> None:
    sign_up(client, "owner@example.org")

    html = page(client, "/settings")

    assert "Leave empty to use the default: 30, 14, 7, 3, 1." in html
    assert 'name="thresholds"' in html
    assert 'name="telegram_chat_id"' in html
    assert "Send test message" in html


def test_saving_settings_replans_reminders(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    owner = sign_up(client, "owner@example.org")
    domain_id = add_domain(container.uow(), clock, owner, "example.com", 20)

    response = client.post(
        "/settings",
        data=settings_form(
            thresholds="10, 45",
            notify_telegram="y",
            telegram_chat_id="123456789",
            language="ru",
        ),
        follow_redirects=True,
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="ru"' in html
    assert flashes(html) == ["Настройки напоминаний сохранены."]
    assert "Проверочное сообщение в Telegram" in html
    preferences = reminders.get_preferences(container.uow(), owner)
    assert preferences.thresholds == (45, 10)
    assert preferences.notify_telegram is True
    assert preferences.telegram_chat_id == "123456789"
    with container.uow() as uow:
        rows = uow.reminders.list_for_domain(domain_id)
        pending = {
            (r.channel.value, r.threshold_days)
            for r in rows
            if r.status == ReminderStatus.PENDING
        }
    assert ("telegram", 10) in pending
    assert ("email", 10) in pending
    assert ("email", 14) not in pending


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"thresholds": "30, soon"}, "Enter whole numbers of days"),
        ({"thresholds": "400"}, "Enter at most 365 days."),
        ({"notify_telegram": "y"}, "Enter your chat id to get reminders by Telegram."),
        ({"telegram_chat_id": "my chat"}, "Enter a chat id such as 123456789"),
    ],
)
def test_invalid_settings_are_rejected(
    client: FlaskClient, container: Container, changes: dict[str, str], error: str
) -> None:
    owner = sign_up(client, "owner@example.org")

    response = client.post("/settings", data=settings_form(**changes))

    assert response.status_code == 400
    assert error in response.get_data(as_text=True)
    assert reminders.get_preferences(container.uow(), owner).thresholds is None


def test_test_message_is_sent_to_the_saved_chat(
    client: FlaskClient, container: Container, bot_api: BotApi
) -> None:
    sign_up(client, "owner@example.org")
    set_text(container.uow(), KEY_TELEGRAM_TOKEN, TOKEN)
    client.post(
        "/settings", data=settings_form(telegram_chat_id="42"), follow_redirects=True
    )

    response = client.post("/settings/telegram-test", follow_redirects=True)

    assert flashes(response.get_data(as_text=True)) == ["Test message sent to chat 42."]
    [(path, payload)] = bot_api.requests
    assert path == f"/bot{TOKEN}/sendMessage"
    assert payload["chat_id"] == "42"


def test_rejected_test_message_shows_the_error(
    client: FlaskClient, container: Container, bot_api: BotApi
) -> None:
    sign_up(client, "owner@example.org")
    set_text(container.uow(), KEY_TELEGRAM_TOKEN, TOKEN)
    client.post(
        "/settings", data=settings_form(telegram_chat_id="42"), follow_redirects=True
    )
    bot_api.replies.append((400, {"ok": False, "description": "chat not found"}))

    response = client.post("/settings/telegram-test", follow_redirects=True)

    [message] = flashes(response.get_data(as_text=True))
    assert message == (
        "Telegram did not accept the test message: "
        "Telegram API returned 400: chat not found"
    )
    assert TOKEN not in response.get_data(as_text=True)


def test_test_message_without_chat_id_asks_for_one(
    client: FlaskClient, bot_api: BotApi
) -> None:
    sign_up(client, "owner@example.org")

    response = client.post("/settings/telegram-test", follow_redirects=True)

    assert flashes(response.get_data(as_text=True)) == [
        "Save a Telegram chat id first."
    ]
    assert bot_api.requests == []


def test_dashboard_mute_toggle_cancels_and_restores(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    owner = sign_up(client, "owner@example.org")
    domain_id = add_domain(container.uow(), clock, owner, "example.com", 40)
    before = page(client, "/")

    muted = client.post(f"/domains/{domain_id}/mute", data={"muted": "1"})
    while_muted = page(client, "/")
    settings_html = page(client, "/settings")
    with container.uow() as uow:
        statuses = {r.status for r in uow.reminders.list_for_domain(domain_id)}
    client.post(f"/domains/{domain_id}/mute", data={"muted": "0", "next": "/settings"})
    after = page(client, "/")

    assert "next reminder Dec 14, 2026" in before
    assert f'action="/domains/{domain_id}/mute"' in before
    assert muted.status_code == 302
    assert "reminders muted" in while_muted
    assert "example.com" in settings_html.split('id="muted-domains"')[1]
    assert statuses == {ReminderStatus.CANCELLED}
    assert "next reminder Dec 14, 2026" in after


def test_dashboard_shows_last_reminder_sent(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    owner = sign_up(client, "owner@example.org")
    add_domain(container.uow(), clock, owner, "example.com", 10)
    reminders.send_due_reminders(
        container.uow(), clock, {"email": _Sink()}, "http://127.0.0.1:5000"
    )

    html = page(client, "/")

    assert "last sent Dec 4, 2026" in html
    expiry = clock.today() + timedelta(days=10)
    assert f"next reminder Dec {expiry.day - 7}, 2026" in html


def test_muting_another_users_domain_is_not_found(
    client: FlaskClient, container: Container, clock: FixedClock
) -> None:
    owner = sign_up(client, "owner@example.org")
    domain_id = add_domain(container.uow(), clock, owner, "example.com", 40)
    client.post("/logout")
    sign_up(client, "other@example.org")

    response = client.post(f"/domains/{domain_id}/mute", data={"muted": "1"})

    assert response.status_code == 404
    with container.uow() as uow:
        domain = uow.domains.get(domain_id)
        assert domain is not None
        assert domain.muted is False


def test_guest_is_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get("/settings")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_forms_need_a_csrf_token(
    app: Flask, container: Container, clock: FixedClock
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    html = client.get("/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token is not None
    client.post(
        "/register",
        data={
            "email": "owner@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token.group(1),
        },
    )
    with container.uow() as uow:
        user = uow.users.get_by_email("owner@example.org")
        assert user is not None and user.id is not None
    domain_id = add_domain(container.uow(), clock, user.id, "example.com", 40)
    settings_html = page(client, "/settings")

    rejected = [
        client.post("/settings", data=settings_form(thresholds="7")),
        client.post("/settings/telegram-test"),
        client.post(f"/domains/{domain_id}/mute", data={"muted": "1"}),
    ]

    for form_id in ("settings-form", "telegram-test-form"):
        form = re.search(
            rf'<form[^>]*id="{form_id}".*?</form>', settings_html, re.DOTALL
        )
        assert form is not None
        assert 'name="csrf_token"' in form.group(0)
    assert [r.status_code for r in rejected] == [400, 400, 400]
    assert reminders.get_preferences(container.uow(), user.id).thresholds is None


EMAIL_NOTICE = (
    "This server cannot send email yet: the administrator has not set up a mail server."
)
TELEGRAM_NOTICE = (
    "This server cannot send Telegram messages yet: the administrator has not "
    "set up a Telegram bot."
)


def test_page_names_channels_that_cannot_send(
    client: FlaskClient, container: Container
) -> None:
    container.smtp_notifier.override(providers.Object(SmtpNotifier(SmtpConfig())))
    sign_up(client, "owner@example.org")

    html = page(client, "/settings")

    assert EMAIL_NOTICE in html
    assert TELEGRAM_NOTICE in html


def test_page_names_no_channel_once_both_are_set_up(
    client: FlaskClient, container: Container
) -> None:
    config = SmtpConfig(host="127.0.0.1", mail_from="reminders@example.org")
    container.smtp_notifier.override(providers.Object(SmtpNotifier(config)))
    set_text(container.uow(), KEY_TELEGRAM_TOKEN, TOKEN)
    sign_up(client, "owner@example.org")

    html = page(client, "/settings")

    assert 'id="email-unconfigured"' not in html
    assert 'id="telegram-unconfigured"' not in html


def test_channel_notices_are_translated(
    client: FlaskClient, container: Container
) -> None:
    container.smtp_notifier.override(providers.Object(SmtpNotifier(SmtpConfig())))
    sign_up(client, "owner@example.org")
    client.post("/settings", data=settings_form(language="ru"))

    html = page(client, "/settings")

    assert (
        "Этот сервер пока не может отправлять письма: администратор не настроил "
        "почтовый сервер."
    ) in html
    assert (
        "Этот сервер пока не может отправлять сообщения в Telegram: администратор "
        "не настроил Telegram-бота."
    ) in html


class _Sink:
    def is_configured(self) -> bool:
        return True

    def send(self, recipient: str, message: Message) -> None:
        return None
