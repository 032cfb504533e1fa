"""Sign-up, log-in and log-out, and the Flask-Login user behind them."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import UserMixin, current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.domain.model import User
from tracker.entrypoints.web import lockouts
from tracker.entrypoints.web.extensions import container, login_manager
from tracker.entrypoints.web.forms import ActionForm, LoginForm, RegisterForm
from tracker.entrypoints.web.i18n import guest_language
from tracker.entrypoints.web.redirects import current_path, local_target
from tracker.services import accounts
from tracker.services.accounts import PasswordProblem

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


class SessionUser(UserMixin):
    """The signed-in account as Flask-Login uses it, copied from a `User` row."""

    def __init__(self, user: User) -> None:
        assert user.id is not None
        self.id = user.id
        self.email = user.email
        self.is_admin = user.is_admin
        self.language = user.language
        self._active = user.is_active

    @property
    def is_active(self) -> bool:
        return self._active


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    if not user_id.isdigit():
        return None
    user = accounts.get_active_user(container().uow(), int(user_id))
    return SessionUser(user) if user is not None else None


@login_manager.unauthorized_handler
def ask_to_log_in() -> Response:
    # Flask-Login's default puts the absolute URL in `next`, which the local
    # path check would then drop; the path alone is enough.
    return redirect(url_for("auth.login", next=current_path()))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int, dict[str, str]]:
    if current_user.is_authenticated:
        return redirect(url_for("domains.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)

    email = (form.email.data or "").strip().lower()
    address = lockouts.client_address()
    now = container().clock().now()
    throttle = lockouts.login_throttle()
    lockout = throttle.lockout(email, address, now)
    if lockout is not None:
        return lockouts.locked_out_page(form, lockout, now)

    user_id = accounts.authenticate(
        container().uow(),
        container().hasher(),
        container().clock(),
        email,
        form.password.data or "",
    )
    user = accounts.get_active_user(container().uow(), user_id) if user_id else None
    if user is not None:
        throttle.record_success(email)
        login_user(SessionUser(user), remember=bool(form.remember.data))
        return redirect(local_target(form.next.data, url_for("domains.index")))

    logger.info("log-in failed for %s from %s", email, address)
    started = throttle.record_failure(email, address, now)
    for lockout in started:
        lockouts.log_lockout(lockout, email, address)
    if started:
        return lockouts.locked_out_page(form, started[0], now)
    flash(_("Wrong email or password."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("domains.index"))
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user_id = accounts.register_user(
                container().uow(),
                container().hasher(),
                container().clock(),
                form.email.data or "",
                form.password.data or "",
                language=guest_language(),
            )
        except accounts.AccountError as error:
            _show_account_error(form, error)
        else:
            user = accounts.get_active_user(container().uow(), user_id)
            assert user is not None
            logger.info("user %s signed up as %s", user_id, user.email)
            login_user(SessionUser(user))
            flash(_("Welcome! Add the first domain to watch below."), "success")
            return redirect(local_target(form.next.data, url_for("domains.index")))
    return render_template(
        "auth/register.html",
        form=form,
        min_password_length=accounts.MIN_PASSWORD_LENGTH,
    )


def _show_account_error(form: RegisterForm, error: accounts.AccountError) -> None:
    if isinstance(error, accounts.DuplicateAccount):
        form.email.errors = [
            _("An account with this email already exists. Log in instead.")
        ]
    elif isinstance(error, accounts.InvalidEmail):
        form.email.errors = [_("This is not a valid email address.")]
    elif isinstance(error, accounts.WeakPassword):
        form.password.errors = [_password_problem_text(error.problem)]
    else:
        flash(str(error), "danger")


def _password_problem_text(problem: PasswordProblem) -> str:
    if problem is PasswordProblem.TOO_SHORT:
        return _(
            "The password is too short: use at least %(num)d characters.",
            num=accounts.MIN_PASSWORD_LENGTH,
        )
    if problem is PasswordProblem.TOO_COMMON:
        return _(
            "This password is one of the most common ones, or one with digits "
            "or symbols added. Choose another."
        )
    if problem is PasswordProblem.CONTAINS_EMAIL:
        return _(
            "The password contains the name part of your email address. Choose another."
        )
    if problem is PasswordProblem.NO_LETTER:
        return _("The password has no letter: add at least one.")
    if problem is PasswordProblem.ONLY_LETTERS:
        return _("The password has only letters: add a digit or a symbol.")
    return _(
        "The password repeats the same few characters: use at least %(num)d "
        "different ones.",
        num=accounts.MIN_DISTINCT_CHARACTERS,
    )


@bp.post("/logout")
def logout() -> Response:
    form = ActionForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        logout_user()
    return redirect(url_for("auth.login"))
