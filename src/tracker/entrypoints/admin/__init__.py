"""The admin panel at /admin, built on Flask-Admin, for users with the admin flag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask
from flask_admin import Admin
from flask_admin.menu import MenuLink
from flask_admin.theme import Bootstrap4Theme

from tracker.domain.model import CheckLog, Domain, Reminder, User
from tracker.entrypoints.admin.database import init_database
from tracker.entrypoints.admin.domains import DomainAdmin
from tracker.entrypoints.admin.history import CheckLogAdmin, ReminderAdmin
from tracker.entrypoints.admin.home import AdminHome
from tracker.entrypoints.admin.settings import SettingsView
from tracker.entrypoints.admin.users import UserAdmin

if TYPE_CHECKING:
    from tracker.entrypoints.container import Container

# Registers this package's templates folder; the blueprint has no routes.
_templates = Blueprint("tracker_admin", __name__, template_folder="templates")


def init_admin(app: Flask, container: Container) -> Admin:
    """Mount the admin views on `app`; every one needs an admin's session."""
    db = init_database(app, container.engine())
    app.register_blueprint(_templates)
    admin = Admin(
        app,
        name="tracker admin",
        url="/admin",
        index_view=AdminHome(db, name="Overview", url="/admin"),
        theme=Bootstrap4Theme(fluid=True),
    )
    admin.add_view(UserAdmin(User, db, name="Users", endpoint="admin_users"))
    admin.add_view(DomainAdmin(Domain, db, name="Domains", endpoint="admin_domains"))
    admin.add_view(
        CheckLogAdmin(CheckLog, db, name="Check history", endpoint="admin_checks")
    )
    admin.add_view(
        ReminderAdmin(
            Reminder, db, name="Notifications", endpoint="admin_notifications"
        )
    )
    admin.add_view(SettingsView(name="Settings", endpoint="admin_settings"))
    admin.add_link(MenuLink(name="Back to tracker", url="/"))
    return admin
