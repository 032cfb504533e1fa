"""The Flask web app: sign-up, log-in and the dashboard of tracked domains."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from tracker.adapters import schema
from tracker.adapters.repositories import MAX_ROW_ID
from tracker.entrypoints.config import Settings
from tracker.entrypoints.runtime import use_container
from tracker.entrypoints.web import auth, dashboard, display, i18n, lockouts
from tracker.entrypoints.web.extensions import babel, bootstrap, csrf, login_manager
from tracker.entrypoints.web.redirects import current_path

if TYPE_CHECKING:
    from tracker.entrypoints.container import Container

logger = logging.getLogger(__name__)

# The maximum list one request may add, 200 names of up to 253 characters,
# is about 50 KB. A body over 1 MiB is a mistake or an attack and gets 413.
MAX_REQUEST_BYTES = 1024 * 1024


class RowIdConverter(IntegerConverter):
    """The `int` converter of URL rules, limited to ids the database can store.

    A larger number fails to match, so the URL is 404 like any unknown id.
    """

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ROW_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def create_app(
    settings: Settings | None = None, *, container: Container | None = None
) -> Flask:
    """Build the app, its container and the database schema.

    With no arguments the settings come from the environment, so
    `flask --app tracker.entrypoints.web run` works. A given container is
    used as it is (tests override its providers); otherwise one is built
    from `settings`.
    """
    from tracker.entrypoints import scheduler
    from tracker.entrypoints.container import build_container

    if container is None:
        settings = settings or Settings.from_env()
        container = build_container(settings)
    else:
        settings = settings or container.settings()
    assert settings is not None

    app = Flask(__name__, instance_path=str(settings.instance_path.resolve()))
    # Before any rule is added: each rule binds its converter when added.
    app.url_map.converters["int"] = RowIdConverter
    _configure(app, settings)
    if settings.trusted_proxies:
        # Behind a reverse proxy, the client address comes from X-Forwarded-For;
        # without this the log-in throttle would count every client as one.
        proxies = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.extensions["tracker"] = container
    use_container(container)

    settings.instance_path.mkdir(parents=True, exist_ok=True)
    schema.upgrade(container.engine())

    _init_extensions(app)
    _register_blueprints(app, container)
    _register_error_pages(app)

    # Without Redis, this process runs the periodic checks and reminders.
    scheduler.start_in_web_process(settings)

    logger.info("web app ready, database %s", _safe_url(container))
    return app


def _configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        BOOTSTRAP_SERVE_LOCAL=True,
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT_LANGUAGE,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        # Forms stay valid for a working day; an expired token gets a clear
        # error page instead of a silent failure.
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )


def _init_extensions(app: Flask) -> None:
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    lockouts.init_throttle(app)
    i18n.init_templates(app)
    display.init_templates(app)
    app.jinja_env.globals.update(has_endpoint=_has_endpoint, current_path=current_path)


def _register_blueprints(app: Flask, container: Container) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(i18n.bp)
    from tracker.entrypoints.web.settings import bp as settings_bp

    app.register_blueprint(settings_bp)

    # The admin panel at /admin (Flask-Admin), for users with the admin flag.
    from tracker.entrypoints.admin import init_admin

    init_admin(app, container)


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        logger.info("rejected a form without a valid CSRF token: %s", error.description)
        return render_template("error.html", error=error, csrf_failed=True), 400

    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    def show_error_page(error: HTTPException) -> tuple[str, int]:
        html = render_template(
            "error.html", error=error, max_request_mb=MAX_REQUEST_BYTES // 2**20
        )
        return html, error.code or 404


def _has_endpoint(name: str) -> bool:
    return name in current_app.view_functions


def _safe_url(container: Container) -> str:
    return container.engine().url.render_as_string(hide_password=True)
