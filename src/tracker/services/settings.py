"""Admin-editable settings kept in the database, with validated defaults."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr

from tracker.domain.expiry import DEFAULT_THRESHOLDS, parse_thresholds
from tracker.services.ports import UnitOfWork, UnitOfWorkFactory


class InvalidSetting(ValueError):
    """Raised for a setting value that cannot be stored; the message names it."""


@dataclass(frozen=True)
class ServerLimit:
    """Politeness limit for one lookup server."""

    max_concurrent: int
    per_second: float


# Registries that ban clients querying too often get a much smaller budget.
DEFAULT_SERVER_LIMITS: dict[str, ServerLimit] = {
    "*": ServerLimit(max_concurrent=4, per_second=5.0),
    "whois.tcinet.ru": ServerLimit(max_concurrent=1, per_second=0.2),
    "whois.ripn.net": ServerLimit(max_concurrent=1, per_second=0.2),
    "whois.denic.de": ServerLimit(max_concurrent=1, per_second=1.0),
}


@dataclass(frozen=True)
class CheckIntervals:
    """How often domains are re-checked, in hours."""

    near_expiry_hours: float = 24.0
    far_hours: float = 24.0 * 7
    retry_hours: float = 1.0
    max_retry_hours: float = 24.0
    near_expiry_days: int = 30


KEY_THRESHOLDS = "reminder_thresholds"
KEY_INTERVALS = "check_intervals"
KEY_SERVER_LIMITS = "server_limits"
KEY_MAIL_FROM = "mail_from"
KEY_TELEGRAM_TOKEN = "telegram_bot_token"
KEY_TLD_SOURCES = "tld_sources"

_INTERVAL_LABELS = {
    "near_expiry_hours": "the re-check interval near expiry (hours)",
    "far_hours": "the re-check interval far from expiry (hours)",
    "retry_hours": "the first retry after a failure (hours)",
    "max_retry_hours": "the longest retry interval (hours)",
    "near_expiry_days": "the days before expiry that count as near",
}
# A host name, IPv4 address or bracketed IPv6 address, with an optional port.
_SERVER_HOST = re.compile(
    r"^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$"
)

_INTERVAL_BOUNDS: dict[str, tuple[float, float]] = {
    "near_expiry_hours": (1.0, 24.0 * 7),
    "far_hours": (1.0, 24.0 * 90),
    "retry_hours": (0.05, 24.0),
    "max_retry_hours": (1.0, 24.0 * 7),
    "near_expiry_days": (1, 365),
}


def default_thresholds(uow: UnitOfWork) -> tuple[int, ...]:
    with uow:
        stored = uow.settings.get(KEY_THRESHOLDS)
    return parse_thresholds(stored) if stored else DEFAULT_THRESHOLDS


def set_default_thresholds(uow: UnitOfWork, text: str) -> tuple[int, ...]:
    """Validate and store the default thresholds; return them sorted, largest first."""
    try:
        thresholds = parse_thresholds(text)
    except ValueError as error:
        raise InvalidSetting(str(error)) from None
    with uow:
        uow.settings.set(KEY_THRESHOLDS, ", ".join(str(t) for t in thresholds))
        uow.commit()
    return thresholds


def check_intervals(uow: UnitOfWork) -> CheckIntervals:
    with uow:
        stored = uow.settings.get(KEY_INTERVALS)
    if not stored:
        return CheckIntervals()
    return CheckIntervals(**json.loads(stored))


def set_check_intervals(uow: UnitOfWork, intervals: CheckIntervals) -> None:
    """Store re-check intervals; raise InvalidSetting for one out of bounds."""
    for name, (low, high) in _INTERVAL_BOUNDS.items():
        value = getattr(intervals, name)
        if not low <= value <= high:
            raise InvalidSetting(
                f"{_INTERVAL_LABELS[name]} is {value:g}; enter a value from "
                f"{low:g} to {high:g}"
            )
    if intervals.max_retry_hours < intervals.retry_hours:
        raise InvalidSetting(
            f"{_INTERVAL_LABELS['max_retry_hours']} must not be below "
            f"{_INTERVAL_LABELS['retry_hours']}"
        )
    with uow:
        uow.settings.set(KEY_INTERVALS, json.dumps(intervals.__dict__))
        uow.commit()


def server_limits(uow: UnitOfWork) -> dict[str, ServerLimit]:
    """Return the defaults merged with the admin's overrides, keyed by host ("*" = any)."""
    limits = dict(DEFAULT_SERVER_LIMITS)
    with uow:
        stored = uow.settings.get(KEY_SERVER_LIMITS)
    for host, value in json.loads(stored or "{}").items():
        limits[host] = ServerLimit(
            int(value["max_concurrent"]), float(value["per_second"])
        )
    return limits


def server_limit_overrides(uow: UnitOfWork) -> set[str]:
    """Return the hosts whose limit the admin set, replacing any default."""
    with uow:
        stored = uow.settings.get(KEY_SERVER_LIMITS)
    return set(json.loads(stored or "{}"))


def limit_for(limits: Mapping[str, ServerLimit], server: str) -> ServerLimit:
    """Return the limit of `server`, or the "*" limit when it has none of its own."""
    return limits.get(server.lower()) or limits.get("*") or DEFAULT_SERVER_LIMITS["*"]


def set_server_limit(uow: UnitOfWork, host: str, limit: ServerLimit) -> None:
    """Store an override for one server; raise InvalidSetting for bad values."""
    host = host.strip().lower()
    if not host:
        raise InvalidSetting("the server host name is empty")
    if host != "*" and not _SERVER_HOST.match(host):
        raise InvalidSetting(
            f"{host!r} is not a server host name; enter one such as whois.tcinet.ru"
        )
    if not 1 <= limit.max_concurrent <= 64:
        raise InvalidSetting(
            f"{limit.max_concurrent} concurrent queries is outside 1 to 64"
        )
    if not 0.01 <= limit.per_second <= 100:
        raise InvalidSetting(
            f"{limit.per_second:g} queries per second is outside 0.01 to 100"
        )
    with uow:
        stored = json.loads(uow.settings.get(KEY_SERVER_LIMITS) or "{}")
        stored[host] = {
            "max_concurrent": limit.max_concurrent,
            "per_second": limit.per_second,
        }
        uow.settings.set(KEY_SERVER_LIMITS, json.dumps(stored, sort_keys=True))
        uow.commit()


def get_text(uow: UnitOfWork, key: str) -> str | None:
    with uow:
        return uow.settings.get(key)


def set_text(uow: UnitOfWork, key: str, value: str) -> None:
    with uow:
        uow.settings.set(key, value.strip())
        uow.commit()


def remove_server_limit(uow: UnitOfWork, host: str) -> bool:
    """Drop the admin's override for one server; return False when it had none.

    A host in DEFAULT_SERVER_LIMITS goes back to its default limit.
    """
    host = host.strip().lower()
    with uow:
        stored = json.loads(uow.settings.get(KEY_SERVER_LIMITS) or "{}")
        if stored.pop(host, None) is None:
            return False
        uow.settings.set(KEY_SERVER_LIMITS, json.dumps(stored, sort_keys=True))
        uow.commit()
    return True


def mail_sender(uow: UnitOfWork) -> str | None:
    """Return the From address set by the admin, or None to use MAIL_FROM."""
    return get_text(uow, KEY_MAIL_FROM) or None


def set_mail_sender(uow: UnitOfWork, text: str) -> str | None:
    """Validate and store the From address; an empty text clears it.

    Accepts "noreply@example.org" or "Tracker <noreply@example.org>".
    Returns the stored value, None when cleared.
    """
    value = text.strip()
    if value:
        _check_mail_sender(value)
    set_text(uow, KEY_MAIL_FROM, value)
    return value or None


def _check_mail_sender(value: str) -> None:
    if "\r" in value or "\n" in value:
        raise InvalidSetting("the mail sender must fit on one line")
    _name, address = parseaddr(value)
    local, _, host = address.partition("@")
    if not local or "." not in host or any(c.isspace() for c in address):
        raise InvalidSetting(
            f"the mail sender {value!r} is not an email address; "
            "use noreply@example.org or Tracker <noreply@example.org>"
        )


# A bot token from @BotFather: the bot's numeric id, a colon, and a secret
# of letters, digits, "_" and "-" (35 characters in tokens issued so far).
_TELEGRAM_TOKEN = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$")


def telegram_token(uow: UnitOfWork) -> str | None:
    return get_text(uow, KEY_TELEGRAM_TOKEN) or None


def set_telegram_token(uow: UnitOfWork, token: str) -> None:
    """Validate and store the Telegram bot token; an empty token clears it."""
    value = token.strip()
    if value and not _TELEGRAM_TOKEN.match(value):
        raise InvalidSetting(
            "the Telegram bot token is not of the form 123456789:ABC..., "
            "as issued by @BotFather"
        )
    set_text(uow, KEY_TELEGRAM_TOKEN, value)


def mask_secret(value: str | None) -> str:
    """Return the secret with all but its last 4 characters hidden."""
    if not value:
        return ""
    if len(value) <= 8:
        return "\u2022" * len(value)
    return "\u2022" * 8 + value[-4:]


LOOKUP_SOURCES = ("auto", "rdap", "whois")


def tld_sources(uow_factory: UnitOfWorkFactory) -> dict[str, str]:
    """Return the per-TLD lookup source ("rdap" or "whois") the admin forced."""
    with uow_factory() as uow:
        stored = uow.settings.get(KEY_TLD_SOURCES)
    return dict(json.loads(stored or "{}"))


def set_tld_source(uow: UnitOfWork, tld: str, source: str) -> None:
    """Force RDAP or WHOIS for one TLD, or "auto" to remove the override."""
    key = tld.strip().lower().lstrip(".")
    if not key or " " in key or "." in key:
        raise InvalidSetting(f"{tld!r} is not a top-level domain; enter one such as ru")
    if source not in LOOKUP_SOURCES:
        raise InvalidSetting(
            f"lookup source {source!r} must be one of auto, rdap, whois"
        )
    with uow:
        stored = json.loads(uow.settings.get(KEY_TLD_SOURCES) or "{}")
        if source == "auto":
            stored.pop(key, None)
        else:
            stored[key] = source
        uow.settings.set(KEY_TLD_SOURCES, json.dumps(stored, sort_keys=True))
        uow.commit()
