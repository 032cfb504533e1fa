"""Notifiers: email over SMTP and Telegram messages over the Bot API."""

from __future__ import annotations

from collections.abc import Callable

from tracker.adapters.notify.smtp import SmtpConfig, SmtpNotifier
from tracker.adapters.notify.telegram import TelegramNotifier
from tracker.services.ports import UnitOfWorkFactory
from tracker.services.settings import get_text

__all__ = ["SmtpConfig", "SmtpNotifier", "TelegramNotifier", "stored_setting"]


def stored_setting(
    uow_factory: UnitOfWorkFactory, key: str
) -> Callable[[], str | None]:
    """Return a function that reads one admin setting on every call.

    The notifiers read the mail sender and the bot token at send time, so an
    admin's change takes effect without a restart.
    """

    def read() -> str | None:
        return get_text(uow_factory(), key) or None

    return read
