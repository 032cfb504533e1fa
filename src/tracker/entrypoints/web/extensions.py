"""Flask extensions, created unbound here and bound to an app in `create_app`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

if TYPE_CHECKING:
    from tracker.entrypoints.container import Container

babel = Babel()
bootstrap = Bootstrap5()
csrf = CSRFProtect()
login_manager = LoginManager()


def container() -> Container:
    """Return the container of the app handling the current request."""
    result: Container = current_app.extensions["tracker"]
    return result
