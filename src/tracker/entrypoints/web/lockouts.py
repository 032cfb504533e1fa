"""The web app's log-in throttle: one per app, its 429 page and its log lines."""

from __future__ import annotations

import logging
import math
from datetime import datetime

from flask import Flask, current_app, flash, render_template, request
from flask_babel import ngettext

from tracker.entrypoints.web.forms import LoginForm
from tracker.services.login_throttle import Lockout, LockoutScope, LoginThrottle

logger = logging.getLogger(__name__)

_EXTENSION_KEY = "tracker_login_throttle"


def init_throttle(app: Flask) -> None:
    # NOTE: the failure counts live in this process's memory. That is enough
    # for one server process; with several worker processes each counts on
    # its own, so an attacker gets that many times the tries.
    app.extensions[_EXTENSION_KEY] = LoginThrottle()


def login_throttle() -> LoginThrottle:
    throttle = current_app.extensions[_EXTENSION_KEY]
    assert isinstance(throttle, LoginThrottle)
    return throttle


def client_address() -> str:
    # Behind a reverse proxy this is the proxy's address unless TRUSTED_PROXIES
    # is set, in which case create_app's ProxyFix has put the client's here.
    return request.remote_addr or "unknown"


def locked_out_page(
    form: LoginForm, lockout: Lockout, now: datetime
) -> tuple[str, int, dict[str, str]]:
    """Render the log-in page with the lock-out message, as HTTP 429."""
    minutes = lockout.minutes_left(now)
    if lockout.scope is LockoutScope.EMAIL:
        message = ngettext(
            "Too many failed log-ins for this account; try again in %(num)d minute.",
            "Too many failed log-ins for this account; try again in %(num)d minutes.",
            minutes,
        )
    else:
        message = ngettext(
            "Too many failed log-ins from your network address; try again in "
            "%(num)d minute.",
            "Too many failed log-ins from your network address; try again in "
            "%(num)d minutes.",
            minutes,
        )
    flash(message, "danger")
    seconds = max(1, math.ceil((lockout.until - now).total_seconds()))
    html = render_template("auth/login.html", form=form)
    return html, 429, {"Retry-After": str(seconds)}


def log_lockout(lockout: Lockout, email: str, address: str) -> None:
    what = email if lockout.scope is LockoutScope.EMAIL else f"address {address}"
    logger.warning(
        "locked log-ins for %s until %s after %d failed attempts; "
        "the last was for %s from %s",
        what,
        lockout.until.isoformat(),
        lockout.failures,
        email,
        address,
    )
