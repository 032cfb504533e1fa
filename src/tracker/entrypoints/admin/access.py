"""Access control for the admin: one check shared by every admin view.

Flask-Admin runs `is_accessible` before each exposed view method (list,
details, edit, delete, export, action and AJAX endpoints alike), so putting
the check in these base classes covers every admin URL.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from flask import abort, current_app
from flask_admin import BaseView
from flask_admin.contrib.sqla import ModelView
from flask_login import current_user
from flask_wtf import FlaskForm

if TYPE_CHECKING:
    from tracker.entrypoints.container import Container

logger = logging.getLogger(__name__)


class AdminAccess:
    """Mixin: anonymous visitors go to the log-in page, non-admins get 403."""

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated and current_user.is_admin)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        logger.info("denied user %s access to admin view %s", current_user.id, name)
        abort(403)


def container() -> Container:
    result: Container = current_app.extensions["tracker"]
    return result


def admin_id() -> int:
    """Return the id of the admin handling the current request."""
    return int(current_user.id)


class AdminForm(FlaskForm):
    """Base of every admin form: carries and checks Flask-WTF's CSRF token."""


class AdminView(AdminAccess, BaseView):
    pass


class AdminModelView(AdminAccess, ModelView):
    """A model view with CSRF-checked forms; nothing is created or edited inline."""

    form_base_class = AdminForm
    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    can_set_page_size = True
    page_size = 50
