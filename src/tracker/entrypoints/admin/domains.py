"""The admin's list of every user's domains, with "check now"."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import DateBetweenFilter, IntEqualFilter
from markupsafe import Markup
from sqlalchemy import select

from tracker.adapters import orm
from tracker.domain.expiry import ExpiryPolicy, Urgency
from tracker.domain.model import DataSource, Domain, LookupErrorKind
from tracker.entrypoints.admin import filters
from tracker.entrypoints.admin.access import admin_id, container
from tracker.entrypoints.admin.views import (
    TrackerModelView,
    parse_ids,
    show_rejection,
)
from tracker.entrypoints.jobs import check_domain_job
from tracker.services import admin

_OWNER_EMAIL = (
    select(orm.users.c.email)
    .where(orm.users.c.id == orm.domains.c.user_id)
    .correlate(orm.domains)
    .scalar_subquery()
)


def _owner(view: DomainAdmin, context: Any, domain: Domain, name: str) -> str:
    def load_one() -> str | None:
        statement = select(orm.users.c.id, orm.users.c.email).where(
            orm.users.c.id == domain.user_id
        )
        return view.lookup(statement).get(domain.user_id)

    return str(view.recall("owner", domain.user_id, load_one) or "")


def _days_left(view: DomainAdmin, context: Any, domain: Domain, name: str) -> Any:
    return domain.days_left(container().clock().today())


def _urgency(view: DomainAdmin, context: Any, domain: Domain, name: str) -> str:
    policy: ExpiryPolicy = container().policy()
    return domain.urgency(container().clock().today(), policy).value


_URGENCY_BADGES = {
    Urgency.OK: "success",
    Urgency.WARNING: "warning",
    Urgency.CRITICAL: "danger",
    Urgency.EXPIRED: "dark",
    Urgency.UNKNOWN: "secondary",
}


def _urgency_badge(view: DomainAdmin, context: Any, domain: Domain, name: str) -> Any:
    urgency = Urgency(_urgency(view, context, domain, name))
    badge = _URGENCY_BADGES[urgency]
    return Markup('<span class="badge badge-{}">{}</span>').format(badge, urgency.value)


class DomainAdmin(TrackerModelView):
    """Every user's domains; lookups are queued, never run in the request."""

    can_delete = True
    can_export = True
    column_list = [
        "id",
        "unicode_name",
        "owner",
        "expiration_date",
        "days_left",
        "urgency",
        "registrar",
        "source",
        "last_checked_at",
        "failing_since",
        "last_error",
    ]
    column_details_list = [
        "id",
        "name",
        "unicode_name",
        "user_id",
        "owner",
        "expiration_date",
        "days_left",
        "urgency",
        "registrar",
        "source",
        "created_at",
        "updated_at",
        "last_checked_at",
        "next_check_at",
        "check_started_at",
        "failing_since",
        "consecutive_failures",
        "last_error_kind",
        "last_error",
        "renewed_at",
        "previous_expiration_date",
        "muted",
    ]
    column_export_list = column_details_list
    column_labels = {
        "id": "Id",
        "name": "Name (ASCII)",
        "unicode_name": "Domain",
        "user_id": "User id",
        "owner": "User",
        "expiration_date": "Expires",
        "days_left": "Days left",
        "last_checked_at": "Last checked",
        "failing_since": "Failing since",
        "last_error": "Last error",
        "last_error_kind": "Error kind",
        "next_check_at": "Next check",
        "check_started_at": "Check started",
    }
    column_searchable_list = ["name", "unicode_name"]
    column_sortable_list = [
        "id",
        "unicode_name",
        ("owner", _OWNER_EMAIL),
        "expiration_date",
        ("days_left", orm.domains.c.expiration_date),
        ("urgency", orm.domains.c.expiration_date),
        "registrar",
        "source",
        "last_checked_at",
        "failing_since",
    ]
    column_default_sort = ("id", False)
    column_formatters = {
        "owner": _owner,
        "days_left": _days_left,
        "urgency": _urgency_badge,
    }
    column_formatters_export = {
        "owner": _owner,
        "days_left": _days_left,
        "urgency": _urgency,
    }
    column_filters = [
        filters.OwnerEmailFilter(orm.domains.c.user_id, "User email"),
        IntEqualFilter(orm.domains.c.user_id, "User id"),
        filters.UrgencyFilter(orm.domains.c.expiration_date, "Urgency"),
        filters.ChoiceFilter(
            orm.domains.c.source,
            "Source",
            [source.value for source in DataSource],
            nullable=True,
        ),
        filters.IsSetFilter(orm.domains.c.failing_since, "Failing lookups"),
        filters.ChoiceFilter(
            orm.domains.c.last_error_kind,
            "Error kind",
            [kind.value for kind in LookupErrorKind],
            nullable=True,
        ),
        DateBetweenFilter(orm.domains.c.expiration_date, "Expires"),
    ]

    def prefetch(self, rows: list[Any]) -> None:
        user_ids = {domain.user_id for domain in rows}
        statement = select(orm.users.c.id, orm.users.c.email).where(
            orm.users.c.id.in_(user_ids)
        )
        self.remember("owner", self.lookup(statement))

    def delete_model(self, model: Any) -> bool:
        try:
            admin.delete_domain(container().uow(), admin_id(), model.id)
        except admin.AdminError as error:
            show_rejection(error)
            return False
        return True

    @action("check_now", "Check now")
    def action_check_now(self, ids: list[str]) -> None:
        result = admin.queue_checks(
            container().uow(),
            container().job_queue(),
            check_domain_job,
            admin_id(),
            parse_ids(ids),
        )
        if result.done:
            flash(f"Queued a check of {result.done} domain(s).", "success")
        if result.skipped:
            flash(f"{len(result.skipped)} domain(s) no longer exist.", "warning")
