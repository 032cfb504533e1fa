"""The admin's list of accounts, with activate, deactivate, promote and demote."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_admin.actions import action
from sqlalchemy import func, select

from tracker.adapters import orm
from tracker.domain.model import User
from tracker.entrypoints.admin.access import admin_id, container
from tracker.entrypoints.admin.views import TrackerModelView, show_rejection
from tracker.services import admin
from tracker.services.ports import UnitOfWork

UserChange = Callable[[UnitOfWork, admin.Actor, int], bool]

# Correlated count, for sorting the list by number of domains.
_DOMAIN_COUNT = (
    select(func.count(orm.domains.c.id))
    .where(orm.domains.c.user_id == orm.users.c.id)
    .correlate(orm.users)
    .scalar_subquery()
)


def _domain_count(view: UserAdmin, context: Any, user: User, name: str) -> int:
    def load_one() -> int:
        counts = view.lookup(_counts_statement([user.id]))
        return int(counts.get(user.id, 0))

    return int(view.recall("domain_count", user.id, load_one))


def _counts_statement(user_ids: list[int | None]) -> Any:
    return (
        select(orm.domains.c.user_id, func.count())
        .where(orm.domains.c.user_id.in_(user_ids))
        .group_by(orm.domains.c.user_id)
    )


class UserAdmin(TrackerModelView):
    """Accounts; the password hash is never listed, shown or exported."""

    can_delete = True
    can_export = True
    column_list = [
        "id",
        "email",
        "is_admin",
        "is_active",
        "created_at",
        "domain_count",
        "last_login_at",
    ]
    column_details_list = [
        *column_list,
        "language",
        "notify_email",
        "notify_telegram",
        "reminder_thresholds",
    ]
    column_export_list = column_list
    column_labels = {
        "id": "Id",
        "is_admin": "Admin",
        "is_active": "Active",
        "created_at": "Created",
        "domain_count": "Domains",
        "last_login_at": "Last login",
    }
    column_searchable_list = ["email"]
    column_sortable_list = [
        "id",
        "email",
        "is_admin",
        "is_active",
        "created_at",
        "last_login_at",
        ("domain_count", _DOMAIN_COUNT),
    ]
    column_filters = ["is_admin", "is_active"]
    column_default_sort = ("id", False)
    column_formatters = {"domain_count": _domain_count}

    def prefetch(self, rows: list[Any]) -> None:
        ids = [user.id for user in rows]
        counts = dict.fromkeys(ids, 0)
        counts.update(self.lookup(_counts_statement(ids)))
        self.remember("domain_count", counts)

    def delete_model(self, model: Any) -> bool:
        try:
            admin.delete_user(container().uow(), admin_id(), model.id)
        except admin.AdminError as error:
            show_rejection(error)
            return False
        return True

    @action("activate", "Activate")
    def action_activate(self, ids: list[str]) -> None:
        self._run(ids, admin.activate_user, "activated")

    @action(
        "deactivate",
        "Deactivate",
        "Deactivated users cannot log in and get no reminders. Deactivate them?",
    )
    def action_deactivate(self, ids: list[str]) -> None:
        self._run(ids, admin.deactivate_user, "deactivated")

    @action("promote", "Make admin", "Give the selected users admin rights?")
    def action_promote(self, ids: list[str]) -> None:
        self._run(ids, admin.promote_user, "made admins")

    @action("demote", "Remove admin rights", "Remove admin rights from them?")
    def action_demote(self, ids: list[str]) -> None:
        self._run(ids, admin.demote_user, "no longer admins")

    def _run(self, ids: list[str], change: UserChange, done: str) -> None:
        actor = admin_id()
        self.run_batch(
            ids,
            lambda user_id: change(container().uow(), actor, user_id),
            f"user(s) {done}",
        )
