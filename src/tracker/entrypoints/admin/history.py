"""Read-only admin lists: the check history and the notifications (reminders)."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import BooleanEqualFilter, IntEqualFilter
from sqlalchemy import select

from tracker.adapters import orm
from tracker.domain.model import Channel, LookupErrorKind, ReminderKind, ReminderStatus
from tracker.entrypoints.admin import filters
from tracker.entrypoints.admin.access import admin_id, container
from tracker.entrypoints.admin.views import TrackerModelView, parse_ids
from tracker.services import admin


def _domain_name(view: TrackerModelView, context: Any, row: Any, name: str) -> str:
    def load_one() -> str | None:
        return view.lookup(_names_statement({row.domain_id})).get(row.domain_id)

    return str(view.recall("domain", row.domain_id, load_one) or "")


def _names_statement(domain_ids: set[int]) -> Any:
    columns = orm.domains.c
    return select(columns.id, columns.unicode_name).where(columns.id.in_(domain_ids))


class DomainColumnView(TrackerModelView):
    """A list whose rows point at a domain, shown by name."""

    def prefetch(self, rows: list[Any]) -> None:
        domain_ids = {row.domain_id for row in rows}
        self.remember("domain", self.lookup(_names_statement(domain_ids)))


class CheckLogAdmin(DomainColumnView):
    """Every lookup attempt, newest first."""

    can_export = True
    column_list = [
        "checked_at",
        "domain",
        "success",
        "expiration_date",
        "registrar",
        "source",
        "server",
        "error_kind",
        "error_message",
        "renewal",
        "duration_ms",
    ]
    column_details_list = ["id", "domain_id", *column_list]
    column_export_list = column_details_list
    column_labels = {
        "checked_at": "Checked",
        "domain_id": "Domain id",
        "expiration_date": "Expires",
        "error_kind": "Error kind",
        "error_message": "Error",
        "duration_ms": "Duration (ms)",
    }
    column_sortable_list = [
        "checked_at",
        "success",
        "expiration_date",
        "source",
        "server",
        "error_kind",
        "duration_ms",
    ]
    column_default_sort = [("checked_at", True), ("id", True)]
    column_formatters = {"domain": _domain_name}
    column_filters = [
        filters.DomainNameFilter(orm.check_logs.c.domain_id, "Domain"),
        IntEqualFilter(orm.check_logs.c.domain_id, "Domain id"),
        BooleanEqualFilter(orm.check_logs.c.success, "Success"),
        filters.UtcDayFilter(orm.check_logs.c.checked_at, "Checked", "on"),
        filters.UtcDayFilter(orm.check_logs.c.checked_at, "Checked", "from"),
        filters.UtcDayFilter(orm.check_logs.c.checked_at, "Checked", "until"),
        filters.ChoiceFilter(
            orm.check_logs.c.error_kind,
            "Error kind",
            [kind.value for kind in LookupErrorKind],
            nullable=True,
        ),
    ]


class ReminderAdmin(DomainColumnView):
    """Planned, sent and failed reminders; failed ones can be queued again."""

    can_export = True
    column_list = [
        "id",
        "domain",
        "channel",
        "kind",
        "threshold_days",
        "expiration_date",
        "status",
        "scheduled_for",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    column_details_list = [*column_list, "domain_id", "created_at", "claimed_at"]
    column_export_list = column_details_list
    column_labels = {
        "id": "Id",
        "domain_id": "Domain id",
        "threshold_days": "Days before",
        "expiration_date": "Expiry",
        "scheduled_for": "Scheduled",
        "sent_at": "Sent",
        "next_attempt_at": "Next attempt",
        "last_error": "Last error",
    }
    column_sortable_list = [
        "id",
        "channel",
        "kind",
        "threshold_days",
        "expiration_date",
        "status",
        "scheduled_for",
        "sent_at",
        "attempts",
        "next_attempt_at",
    ]
    column_default_sort = [("scheduled_for", True), ("id", True)]
    column_formatters = {"domain": _domain_name}
    column_filters = [
        filters.ChoiceFilter(
            orm.notifications.c.status,
            "Status",
            [status.value for status in ReminderStatus],
        ),
        filters.ChoiceFilter(
            orm.notifications.c.notification_type,
            "Channel",
            [channel.value for channel in Channel],
        ),
        filters.ChoiceFilter(
            orm.notifications.c.kind, "Kind", [kind.value for kind in ReminderKind]
        ),
        filters.DomainNameFilter(orm.notifications.c.domain_id, "Domain"),
        IntEqualFilter(orm.notifications.c.domain_id, "Domain id"),
        filters.UtcDayFilter(orm.notifications.c.scheduled_for, "Scheduled", "from"),
        filters.UtcDayFilter(orm.notifications.c.scheduled_for, "Scheduled", "until"),
    ]

    @action(
        "retry",
        "Retry failed",
        "Send the selected failed reminders again at the next sweep?",
    )
    def action_retry(self, ids: list[str]) -> None:
        result = admin.retry_reminders(
            container().uow(),
            container().clock(),
            admin_id(),
            parse_ids(ids),
        )
        if result.done:
            flash(f"{result.done} reminder(s) will be sent again.", "success")
        if result.skipped:
            flash(
                f"{len(result.skipped)} reminder(s) skipped: only failed ones "
                "can be retried.",
                "warning",
            )
