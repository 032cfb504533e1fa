"""The reminder settings page, the Telegram test message and muting one domain."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from tracker.domain.expiry import parse_thresholds
from tracker.entrypoints.web.extensions import container
from tracker.entrypoints.web.forms import ActionForm
from tracker.entrypoints.web.i18n import LANGUAGES
from tracker.entrypoints.web.redirects import local_target
from tracker.services import domains, reminders
from tracker.services.ports import NotificationFailed

logger = logging.getLogger(__name__)

bp = Blueprint("settings", __name__)


class ReminderSettingsForm(FlaskForm):
    thresholds = StringField(
        _l("Days before expiry"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    notify_email = BooleanField(_l("Email"))
    notify_telegram = BooleanField(_l("Telegram"))
    telegram_chat_id = StringField(
        _l("Telegram chat id"),
        validators=[Optional(), Length(max=64)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    language = SelectField(
        _l("Language"), choices=list(LANGUAGES.items()), default="en"
    )
    submit = SubmitField(_l("Save"))

    def validate_thresholds(self, field: StringField) -> None:
        text = field.data or ""
        if not text.strip():
            return
        try:
            values = parse_thresholds(text)
        except ValueError:
            raise ValidationError(
                _("Enter whole numbers of days separated by commas, such as 30, 14, 7.")
            ) from None
        if values[0] > reminders.MAX_THRESHOLD_DAYS:
            raise ValidationError(
                _("Enter at most %(max)d days.", max=reminders.MAX_THRESHOLD_DAYS)
            )

    def validate_telegram_chat_id(self, field: StringField) -> None:
        try:
            reminders.normalise_chat_id(field.data or "")
        except reminders.ReminderSettingsError:
            raise ValidationError(
                _(
                    "Enter a chat id such as 123456789, or a channel name such "
                    "as @mychannel."
                )
            ) from None

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        # Optional() ends the chat id's own checks when it is empty, so the
        # pairing with the Telegram box is checked here.
        chat_id = (self.telegram_chat_id.data or "").strip()
        if self.notify_telegram.data and not chat_id:
            message = _("Enter your chat id to get reminders by Telegram.")
            self.telegram_chat_id.errors = [*self.telegram_chat_id.errors, message]
            return False
        return valid


@bp.before_request
@login_required
def require_login() -> None:
    """Send guests to the log-in page: every page here needs a signed-in user."""


@bp.get("/settings")
def index() -> str:
    preferences = reminders.get_preferences(container().uow(), _user_id())
    form = ReminderSettingsForm(
        thresholds=_join(preferences.thresholds or ()),
        notify_email=preferences.notify_email,
        notify_telegram=preferences.notify_telegram,
        telegram_chat_id=preferences.telegram_chat_id or "",
        language=preferences.language,
    )
    return _render(form, preferences)


@bp.post("/settings")
def save() -> Response | tuple[str, int]:
    form = ReminderSettingsForm()
    preferences = reminders.get_preferences(container().uow(), _user_id())
    if not form.validate_on_submit():
        return _render(form, preferences), 400
    try:
        reminders.update_preferences(
            container().uow(),
            container().clock(),
            _user_id(),
            thresholds_text=form.thresholds.data or "",
            notify_email=form.notify_email.data,
            notify_telegram=form.notify_telegram.data,
            telegram_chat_id=form.telegram_chat_id.data or "",
            language=form.language.data or "en",
        )
    except reminders.ReminderSettingsError as error:
        flash(str(error), "danger")
        return _render(form, preferences), 400
    current_user.language = form.language.data
    logger.info("user %s saved reminder settings", _user_id())
    flash(_("Reminder settings saved."), "success")
    return redirect(url_for("settings.index"))


@bp.post("/settings/telegram-test")
def telegram_test() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        chat_id = reminders.send_test_message(
            container().uow(),
            container().telegram_notifier(),
            container().settings().base_url,
            _user_id(),
        )
    except reminders.ReminderSettingsError:
        flash(_("Save a Telegram chat id first."), "warning")
    except NotificationFailed as error:
        logger.warning("test message of user %s failed: %s", _user_id(), error)
        flash(
            _("Telegram did not accept the test message: %(error)s", error=error),
            "danger",
        )
    else:
        flash(_("Test message sent to chat %(chat)s.", chat=chat_id), "success")
    return redirect(url_for("settings.index"))


@bp.post("/domains/<int:domain_id>/mute")
def mute(domain_id: int) -> Response:
    """Mute (form field muted=1) or unmute (muted=0) one of the user's domains."""
    if not ActionForm().validate_on_submit():
        abort(400)
    muted = request.form.get("muted") == "1"
    try:
        reminders.set_muted(
            container().uow(), container().clock(), _user_id(), domain_id, muted
        )
    except LookupError:
        abort(404)
    logger.info("user %s set muted=%s on domain %s", _user_id(), muted, domain_id)
    if muted:
        flash(_("Reminders for this domain are muted."), "info")
    else:
        flash(_("Reminders for this domain are on again."), "success")
    target = local_target(request.form.get("next"), url_for("domains.index"))
    return redirect(target)


def _render(
    form: ReminderSettingsForm, preferences: reminders.ReminderPreferences
) -> str:
    board = domains.build_dashboard(
        container().uow(), container().clock(), container().policy(), _user_id()
    )
    default = _join(preferences.default_thresholds)
    form.thresholds.render_kw = {**form.thresholds.render_kw, "placeholder": default}
    return render_template(
        "settings.html",
        form=form,
        preferences=preferences,
        default_thresholds=default,
        muted_rows=[row for row in board.rows if row.domain.muted],
        action_form=ActionForm(),
        unconfigured=reminders.unconfigured_channels(container().notifiers()),
    )


def _join(thresholds: tuple[int, ...]) -> str:
    return ", ".join(str(days) for days in thresholds)


def _user_id() -> int:
    return int(current_user.id)
