"""List filters the admin needs beyond Flask-Admin's column filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.model import filters
from sqlalchemy import ColumnElement, and_, func, or_, select

from tracker.adapters import orm
from tracker.domain.expiry import ExpiryPolicy, Urgency
from tracker.entrypoints.admin.access import container


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match with % and _ taken literally."""
    lowered = func.lower(column)
    result: ColumnElement[bool] = lowered.contains(
        text.strip().lower(), autoescape=True
    )
    return result


class OwnerEmailFilter(BaseSQLAFilter):
    """Rows whose `user_id` column belongs to an email containing the text."""

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        owners = select(orm.users.c.id).where(_contains(orm.users.c.email, value))
        return query.filter(self.get_column(alias).in_(owners))

    def operation(self) -> str:
        return "contains"


class DomainNameFilter(BaseSQLAFilter):
    """Rows whose `domain_id` column is a domain named like the text."""

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        names = orm.domains.c
        matching = select(names.id).where(
            or_(_contains(names.name, value), _contains(names.unicode_name, value))
        )
        return query.filter(self.get_column(alias).in_(matching))

    def operation(self) -> str:
        return "contains"


class UrgencyFilter(BaseSQLAFilter):
    """Domains in one urgency band of the expiry policy, as of today (UTC)."""

    def __init__(self, column: Any, name: str) -> None:
        options = [(urgency.value, urgency.value) for urgency in Urgency]
        super().__init__(column, name, options=options)

    def validate(self, value: str) -> bool:
        return value in {urgency.value for urgency in Urgency}

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        policy: ExpiryPolicy = container().policy()
        today: date = container().clock().today()
        condition = urgency_condition(
            self.get_column(alias), Urgency(value), policy, today
        )
        return query.filter(condition)

    def operation(self) -> str:
        return "is"


def urgency_condition(
    expiry: Any, urgency: Urgency, policy: ExpiryPolicy, today: date
) -> ColumnElement[bool]:
    """Build the SQL condition for `policy.urgency(days_left) == urgency`."""
    critical_end = today + timedelta(days=policy.critical_days)
    warning_end = today + timedelta(days=policy.warning_days)
    conditions: dict[Urgency, ColumnElement[bool]] = {
        Urgency.UNKNOWN: expiry.is_(None),
        Urgency.EXPIRED: expiry < today,
        Urgency.CRITICAL: and_(expiry >= today, expiry <= critical_end),
        Urgency.WARNING: and_(expiry > critical_end, expiry <= warning_end),
        Urgency.OK: expiry > warning_end,
    }
    return conditions[urgency]


class ChoiceFilter(BaseSQLAFilter):
    """Equality on a column with fixed choices.

    With `nullable=True` the extra choice "none" matches NULL.
    """

    NONE = "none"

    def __init__(
        self, column: Any, name: str, choices: list[str], *, nullable: bool = False
    ) -> None:
        values = [*choices, self.NONE] if nullable else choices
        super().__init__(column, name, options=[(value, value) for value in values])
        self.values = set(values)

    def validate(self, value: str) -> bool:
        return value in self.values

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        column = self.get_column(alias)
        if value == self.NONE and self.NONE in self.values:
            return query.filter(column.is_(None))
        return query.filter(column == value)

    def operation(self) -> str:
        return "is"


class IsSetFilter(BaseSQLAFilter, filters.BaseBooleanFilter):
    """Yes: the column has a value; no: it is NULL."""

    def apply(self, query: Any, value: str, alias: Any = None) -> Any:
        column = self.get_column(alias)
        return query.filter(column.isnot(None) if value == "1" else column.is_(None))

    def operation(self) -> str:
        return "is"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


class UtcDayFilter(BaseSQLAFilter, filters.BaseDateFilter):
    """Compare a UTC timestamp column with a whole UTC day.

    `mode` is "on" (that day), "from" (that day or later) or "until" (that
    day or earlier).
    """

    def __init__(self, column: Any, name: str, mode: str) -> None:
        super().__init__(column, name, data_type="datepicker")
        self.mode = mode

    def apply(self, query: Any, value: date, alias: Any = None) -> Any:
        column = self.get_column(alias)
        start = _day_start(value)
        end = start + timedelta(days=1)
        if self.mode == "from":
            return query.filter(column >= start)
        if self.mode == "until":
            return query.filter(column < end)
        return query.filter(column >= start, column < end)

    def operation(self) -> str:
        return {"from": "on or after", "until": "on or before"}.get(self.mode, "on")
