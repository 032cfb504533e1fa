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

    home = AdminHome(db, name="Overview", url="/admin")
    admin = Admin(
        app,
        name="tracker admin",
        url="/admin",
        index_view=home,
        theme=Bootstrap4Theme(fluid=True),
    )

    # Endpoints carry an "admin_" prefix so they cannot clash with the web
    # app's blueprints ("domains", "settings").
    domains = DomainAdmin(
        Domain, db, name="Domains", endpoint="admin_domains", url="domains"
    )
    reminders = ReminderAdmin(
        Reminder,
        db,
        name="Notifications",
        endpoint="admin_notifications",
        url="notifications",
    )
    admin.add_view(
        UserAdmin(User, db, name="Users", endpoint="admin_users", url="users")
    )
    admin.add_view(domains)
    admin.add_view(
        CheckLogAdmin(
            CheckLog, db, name="Check history", endpoint="admin_checks", url="checks"
        )
    )
    admin.add_view(reminders)
    admin.add_view(
        SettingsView(name="Settings", endpoint="admin_settings", url="settings")
    )
    admin.add_link(MenuLink(name="Back to tracker", url="/"))

    # The home page links its figures to filtered lists of these views.
    home.domains_view = domains
    home.reminders_view = reminders
    return admin
