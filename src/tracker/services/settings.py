"""Admin-editable settings kept in the database, with validated defaults."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tracker.domain.expiry import DEFAULT_THRESHOLDS, parse_thresholds
from tracker.services.ports import UnitOfWork


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
            raise InvalidSetting(f"{name} = {value} is outside {low} to {high}")
    if intervals.max_retry_hours < intervals.retry_hours:
        raise InvalidSetting("max_retry_hours must not be below retry_hours")
    with uow:
        uow.settings.set(KEY_INTERVALS, json.dumps(intervals.__dict__))
        uow.commit()


def server_limits(uow: UnitOfWork) -> dict[str, ServerLimit]:
    """Return the defaults merged with the admin's overrides, keyed by host ("*" = any)."""
    limits = dict(DEFAULT_SERVER_LIMITS)
    with uow:
        stored = uow.settings.get(KEY_SERVER_LIMITS)
    for host, value in json.loads(stored or "{}").items():
        limits[host] = ServerLimit(int(value["max_concurrent"]), float(value["per_second"]))
    return limits


def set_server_limit(uow: UnitOfWork, host: str, limit: ServerLimit) -> None:
    """Store an override for one server; raise InvalidSetting for bad values."""
    host = host.strip().lower()
    if not host:
        raise InvalidSetting("the server host name is empty")
    if not 1 <= limit.max_concurrent <= 64:
        raise InvalidSetting(f"max_concurrent = {limit.max_concurrent} is outside 1 to 64")
    if not 0.01 <= limit.per_second <= 100:
        raise InvalidSetting(f"per_second = {limit.per_second} is outside 0.01 to 100")
    with uow:
        stored = json.loads(uow.settings.get(KEY_SERVER_LIMITS) or "{}")
        stored[host] = {"max_concurrent": limit.max_concurrent, "per_second": limit.per_second}
        uow.settings.set(KEY_SERVER_LIMITS, json.dumps(stored, sort_keys=True))
        uow.commit()


def get_text(uow: UnitOfWork, key: str) -> str | None:
    with uow:
        return uow.settings.get(key)


def set_text(uow: UnitOfWork, key: str, value: str) -> None:
    with uow:
        uow.settings.set(key, value.strip())
        uow.commit()
