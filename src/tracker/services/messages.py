"""Reminder texts in English and Russian: subject, plain-text and HTML bodies."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date

from tracker.domain.model import DataSource, ReminderKind
from tracker.services.ports import Message

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"

_MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    # Genitive case, as in "14 декабря 2026".
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
}

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject_threshold": "{domain} expires in {days}",
        "subject_today": "{domain} expires today",
        "subject_expired": "{domain} has expired",
        "subject_renewed": "{domain} was renewed until {date}",
        "subject_test": "Test message from tracker",
        "lead_threshold": "The domain {domain} expires in {days}, on {date}.",
        "lead_today": "The domain {domain} expires today, {date}.",
        "lead_expired": "The domain {domain} expired on {date}.",
        "lead_renewed": "The domain {domain} was renewed and now expires on {date}.",
        "action_threshold": "Renew it at your registrar before then to keep it.",
        "action_expired": (
            "Unless you meant to let it go, renew it at your registrar now: "
            "after a grace period the registry can release the name."
        ),
        "action_renewed": "No action is needed. Reminders now count down to {date}.",
        "test_body": (
            "This is a test message from tracker. Reminders about your domains "
            "will arrive here."
        ),
        "label_domain": "Domain",
        "label_expires": "Expires on",
        "label_previous": "Previous expiry date",
        "label_days_left": "Days left",
        "label_registrar": "Registrar",
        "label_source": "Expiry date from",
        "unknown": "unknown",
        "source_manual": "entered by hand",
        "dashboard": "Dashboard",
        "footer": (
            "Change reminder days and channels, or mute a domain, on the "
            "settings page: {url}"
        ),
    },
    "ru": {
        "subject_threshold": "{domain}: срок регистрации истекает через {days}",
        "subject_today": "{domain}: срок регистрации истекает сегодня",
        "subject_expired": "{domain}: срок регистрации истёк",
        "subject_renewed": "{domain}: регистрация продлена до {date}",
        "subject_test": "Проверочное сообщение от tracker",
        "lead_threshold": (
            "Срок регистрации домена {domain} истекает через {days}, {date}."
        ),
        "lead_today": "Срок регистрации домена {domain} истекает сегодня, {date}.",
        "lead_expired": "Срок регистрации домена {domain} истёк {date}.",
        "lead_renewed": (
            "Регистрация домена {domain} продлена, новый срок истекает {date}."
        ),
        "action_threshold": "Продлите его у регистратора до этой даты.",
        "action_expired": (
            "Если вы не собирались от него отказываться, продлите его у "
            "регистратора сейчас: после льготного периода реестр может "
            "освободить имя."
        ),
        "action_renewed": (
            "Ничего делать не нужно. Напоминания теперь отсчитываются до {date}."
        ),
        "test_body": (
            "Это проверочное сообщение от tracker. Напоминания о ваших доменах "
            "будут приходить сюда."
        ),
        "label_domain": "Домен",
        "label_expires": "Срок истекает",
        "label_previous": "Прежний срок",
        "label_days_left": "Осталось дней",
        "label_registrar": "Регистратор",
        "label_source": "Источник даты",
        "unknown": "неизвестно",
        "source_manual": "введена вручную",
        "dashboard": "Панель доменов",
        "footer": (
            "Изменить дни напоминаний и каналы или отключить напоминания для "
            "домена можно на странице настроек: {url}"
        ),
    },
}


@dataclass(frozen=True)
class ReminderFacts:
    """The facts a reminder message states about one domain.

    `days_left` is counted from the sending day; `previous_expiration_date`
    is set for a renewal message only.
    """

    kind: ReminderKind
    ascii_name: str
    unicode_name: str
    expiration_date: date
    days_left: int
    registrar: str | None
    source: DataSource | None
    previous_expiration_date: date | None = None


def language_of(code: str | None) -> str:
    """Return `code` when a catalogue exists for it, else English."""
    return code if code in _TEXTS else DEFAULT_LANGUAGE


def format_date(value: date, language: str) -> str:
    """Format a date as "14 December 2026" or "14 декабря 2026"."""
    month = _MONTHS[language_of(language)][value.month - 1]
    return f"{value.day} {month} {value.year}"


def format_days(days: int, language: str) -> str:
    """Return "1 day", "3 days", or the Russian "1 день", "3 дня", "5 дней"."""
    if language_of(language) == "ru":
        return f"{days} {_russian_day_word(days)}"
    return f"{days} day" if days == 1 else f"{days} days"


def _russian_day_word(days: int) -> str:
    last_two = abs(days) % 100
    last = last_two % 10
    if last == 1 and last_two != 11:
        return "день"
    if 2 <= last <= 4 and not 12 <= last_two <= 14:
        return "дня"
    return "дней"


def display_name(facts: ReminderFacts) -> str:
    """Return the Unicode name, followed by its punycode form for an IDN."""
    if facts.unicode_name == facts.ascii_name:
        return facts.ascii_name
    return f"{facts.unicode_name} ({facts.ascii_name})"


def compose_reminder(facts: ReminderFacts, language: str, base_url: str) -> Message:
    """Build the subject and both bodies of a reminder in the user's language."""
    texts = _TEXTS[language_of(language)]
    subject, lead, action = _headline(facts, texts, language)
    rows = _fact_rows(facts, texts, language)
    dashboard_url = f"{base_url.rstrip('/')}/"
    footer = texts["footer"].format(url=settings_url(base_url))
    text = _plain_text(lead, action, rows, texts["dashboard"], dashboard_url, footer)
    body = _html(lead, action, rows, texts["dashboard"], dashboard_url, footer)
    return Message(subject=subject, text=text, html=body)


def compose_test_message(language: str, base_url: str) -> Message:
    """Build the message the settings page sends to check a Telegram chat id."""
    texts = _TEXTS[language_of(language)]
    dashboard_url = f"{base_url.rstrip('/')}/"
    text = f"{texts['test_body']}\n\n{texts['dashboard']}: {dashboard_url}\n"
    body = (
        f"<p>{html.escape(texts['test_body'])}</p>\n"
        f'<p><a href="{html.escape(dashboard_url)}">'
        f"{html.escape(texts['dashboard'])}</a></p>\n"
    )
    return Message(subject=texts["subject_test"], text=text, html=body)


def settings_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/settings"


def _headline(
    facts: ReminderFacts, texts: dict[str, str], language: str
) -> tuple[str, str, str]:
    """Return the subject, the lead sentence and the call to action."""
    values = {
        "domain": facts.unicode_name,
        "date": format_date(facts.expiration_date, language),
        "days": format_days(facts.days_left, language),
    }
    if facts.kind == ReminderKind.EXPIRED:
        key, action = "expired", texts["action_expired"]
    elif facts.kind == ReminderKind.RENEWED:
        key, action = "renewed", texts["action_renewed"].format(**values)
    elif facts.days_left <= 0:
        key, action = "today", texts["action_threshold"]
    else:
        key, action = "threshold", texts["action_threshold"]
    subject = texts[f"subject_{key}"].format(**values)
    lead = texts[f"lead_{key}"].format(**values)
    return subject, lead, action


def _fact_rows(
    facts: ReminderFacts, texts: dict[str, str], language: str
) -> list[tuple[str, str]]:
    rows = [
        (texts["label_domain"], display_name(facts)),
        (texts["label_expires"], format_date(facts.expiration_date, language)),
    ]
    if facts.previous_expiration_date is not None:
        previous = format_date(facts.previous_expiration_date, language)
        rows.append((texts["label_previous"], previous))
    if facts.days_left >= 0:
        rows.append((texts["label_days_left"], str(facts.days_left)))
    rows.append((texts["label_registrar"], facts.registrar or texts["unknown"]))
    rows.append((texts["label_source"], _source_label(facts.source, texts)))
    return rows


def _source_label(source: DataSource | None, texts: dict[str, str]) -> str:
    if source is None:
        return texts["unknown"]
    if source == DataSource.MANUAL:
        return texts["source_manual"]
    return source.value.upper()


def _plain_text(
    lead: str,
    action: str,
    rows: list[tuple[str, str]],
    dashboard_label: str,
    dashboard_url: str,
    footer: str,
) -> str:
    lines = [lead, action, ""]
    lines += [f"{label}: {value}" for label, value in rows]
    lines += ["", f"{dashboard_label}: {dashboard_url}", "", footer, ""]
    return "\n".join(lines)


def _html(
    lead: str,
    action: str,
    rows: list[tuple[str, str]],
    dashboard_label: str,
    dashboard_url: str,
    footer: str,
) -> str:
    escape = html.escape
    cells = "\n".join(
        f'<tr><th align="left">{escape(label)}</th><td>{escape(value)}</td></tr>'
        for label, value in rows
    )
    return (
        "<!DOCTYPE html>\n<html><body>\n"
        f"<p><strong>{escape(lead)}</strong></p>\n"
        f"<p>{escape(action)}</p>\n"
        f"<table>\n{cells}\n</table>\n"
        f'<p><a href="{escape(dashboard_url)}">{escape(dashboard_label)}</a></p>\n'
        f"<p><small>{escape(footer)}</small></p>\n"
        "</body></html>\n"
    )
