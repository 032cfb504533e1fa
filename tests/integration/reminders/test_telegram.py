"""Reminders through TelegramNotifier to a loopback stand-in for the Bot API."""

from __future__ import annotations

import pytest

from tests.integration.reminders.conftest import (
    BotApi,
    UowFactory,
    add_domain,
    add_owner,
    free_port,
)
from tracker.adapters.clock import FixedClock
from tracker.adapters.notify import TelegramNotifier
from tracker.domain.model import ReminderStatus
from tracker.services import reminders
from tracker.services.ports import Message, NotificationFailed

BASE_URL = "https://tracker.example.org"
TOKEN = "123456:test-token"
MESSAGE = Message("subject", "plain text", "<p>html</p>")


def telegram_owner(uow: UowFactory, clock: FixedClock, language: str = "en") -> int:
    owner = add_owner(uow(), clock, "owner@example.org", language=language)
    reminders.update_preferences(
        uow(),
        clock,
        owner,
        thresholds_text="",
        notify_email=False,
        notify_telegram=True,
        telegram_chat_id="987654321",
        language=language,
    )
    return owner


def test_reminder_is_posted_to_send_message(
    sqlite_uow: UowFactory, clock: FixedClock, bot_api: BotApi
) -> None:
    owner = telegram_owner(sqlite_uow, clock, language="ru")
    add_domain(sqlite_uow(), clock, owner, "пример.рф", 10)
    notifier = TelegramNotifier(bot_api.base_url, lambda: TOKEN)

    result = reminders.send_due_reminders(
        sqlite_uow(), clock, {"telegram": notifier}, BASE_URL
    )

    assert result.sent == 1
    [(path, payload)] = bot_api.requests
    assert path == f"/bot{TOKEN}/sendMessage"
    assert payload["chat_id"] == "987654321"
    text = payload["text"]
    assert text.startswith("Срок регистрации домена пример.рф истекает через 10 дней")
    assert "xn--e1afmkfd.xn--p1ai" in text
    assert f"{BASE_URL}/" in text


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (403, True), (401, False), (429, False), (502, False)],
)
def test_http_errors_are_classified(
    bot_api: BotApi, status: int, permanent: bool
) -> None:
    description = f"Error {status}"
    bot_api.replies.append((status, {"ok": False, "description": description}))
    notifier = TelegramNotifier(bot_api.base_url, lambda: TOKEN)

    with pytest.raises(NotificationFailed) as failure:
        notifier.send("42", MESSAGE)

    assert failure.value.permanent is permanent
    assert failure.value.message == f"Telegram API returned {status}: {description}"
    assert TOKEN not in failure.value.message


def test_blocked_bot_is_recorded_as_failed(
    sqlite_uow: UowFactory, clock: FixedClock, bot_api: BotApi
) -> None:
    owner = telegram_owner(sqlite_uow, clock)
    domain_id = add_domain(sqlite_uow(), clock, owner, "example.com", 10)
    blocked = "Forbidden: bot was blocked by the user"
    bot_api.replies.append((403, {"ok": False, "description": blocked}))
    notifier = TelegramNotifier(bot_api.base_url, lambda: TOKEN)

    result = reminders.send_due_reminders(
        sqlite_uow(), clock, {"telegram": notifier}, BASE_URL
    )

    assert result.failed == 1
    with sqlite_uow() as unit:
        [row] = [r for r in unit.reminders.list_for_domain(domain_id) if r.attempts]
    assert row.status == ReminderStatus.FAILED
    assert row.last_error == f"Telegram API returned 403: {blocked}"


def test_unreachable_api_is_transient() -> None:
    notifier = TelegramNotifier(f"http://127.0.0.1:{free_port()}", lambda: TOKEN)

    with pytest.raises(NotificationFailed) as failure:
        notifier.send("42", MESSAGE)

    assert failure.value.permanent is False
    assert "refused" in failure.value.message.lower()


def test_missing_token_is_transient(bot_api: BotApi) -> None:
    notifier = TelegramNotifier(bot_api.base_url, lambda: None)

    with pytest.raises(NotificationFailed) as failure:
        notifier.send("42", MESSAGE)

    assert failure.value.permanent is False
    assert "token" in failure.value.message
    assert bot_api.requests == []


def test_test_message_reaches_the_chat(
    sqlite_uow: UowFactory, clock: FixedClock, bot_api: BotApi
) -> None:
    owner = telegram_owner(sqlite_uow, clock)
    notifier = TelegramNotifier(bot_api.base_url, lambda: TOKEN)

    chat_id = reminders.send_test_message(sqlite_uow(), notifier, BASE_URL, owner)

    assert chat_id == "987654321"
    [(_, payload)] = bot_api.requests
    assert payload["chat_id"] == "987654321"
    assert payload["text"].startswith("This is a test message from tracker.")


@pytest.mark.parametrize(
    ("token", "expected"), [(None, False), ("", False), (TOKEN, True)]
)
def test_configured_needs_a_token(token: str | None, expected: bool) -> None:
    notifier = TelegramNotifier(f"http://127.0.0.1:{free_port()}", lambda: token)

    assert notifier.is_configured() is expected


def test_missing_token_leaves_reminder_pending(
    sqlite_uow: UowFactory, clock: FixedClock, bot_api: BotApi
) -> None:
    owner = telegram_owner(sqlite_uow, clock)
    domain_id = add_domain(sqlite_uow(), clock, owner, "example.com", 10)
    token: list[str] = []
    notifier = TelegramNotifier(bot_api.base_url, lambda: token[0] if token else None)
    notifiers = {"telegram": notifier}

    before = reminders.send_due_reminders(sqlite_uow(), clock, notifiers, BASE_URL)
    with sqlite_uow() as unit:
        attempted = [r for r in unit.reminders.list_for_domain(domain_id) if r.attempts]
    token.append(TOKEN)
    after = reminders.send_due_reminders(sqlite_uow(), clock, notifiers, BASE_URL)

    [(_, payload)] = bot_api.requests
    assert (before.waiting, before.sent, before.retrying) == (1, 0, 0)
    assert attempted == []
    assert payload["chat_id"] == "987654321"
    assert (after.waiting, after.sent) == (0, 1)
