"""The admin's settings page: one form per group, each saved through the services.

The forms only parse numbers and text. The limits, such as positive whole
thresholds, interval bounds and the token format, are checked by
`tracker.services.settings`, and its InvalidSetting message is shown next
to the field.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import expose
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired

from tracker.entrypoints import jobs
from tracker.entrypoints.admin.access import AdminForm, AdminView, admin_id, container
from tracker.services import settings
from tracker.services.admin import actor_label

logger = logging.getLogger(__name__)


class ThresholdsForm(AdminForm):
    thresholds = StringField(
        "Default reminder thresholds (days before expiry)",
        validators=[InputRequired()],
        description="Positive whole numbers separated by commas, e.g. 30, 14, 7, 3, 1.",
    )


class IntervalsForm(AdminForm):
    near_expiry_hours = FloatField(
        "Near expiry: check every (hours)", validators=[InputRequired()]
    )
    far_hours = FloatField(
        "Otherwise: check every (hours)", validators=[InputRequired()]
    )
    retry_hours = FloatField(
        "After a failed lookup: first retry after (hours)", validators=[InputRequired()]
    )
    max_retry_hours = FloatField(
        "Longest wait between retries (hours)", validators=[InputRequired()]
    )
    near_expiry_days = IntegerField(
        "Near expiry means within (days)", validators=[InputRequired()]
    )


class ServerLimitForm(AdminForm):
    host = StringField(
        "WHOIS server",
        validators=[InputRequired()],
        description='A host name such as whois.denic.de, or "*" for any other server.',
    )
    max_concurrent = IntegerField("Queries at once", validators=[InputRequired()])
    per_second = FloatField("Queries per second", validators=[InputRequired()])


class RemoveServerLimitForm(AdminForm):
    host = HiddenField(validators=[InputRequired()])


class MailSenderForm(AdminForm):
    mail_from = StringField(
        "Mail sender",
        description="Empty: use the MAIL_FROM environment variable.",
    )


class TelegramForm(AdminForm):
    telegram_token = PasswordField(
        "New Telegram bot token",
        description="Leave empty and tick the box below to remove the token.",
    )
    clear_telegram_token = BooleanField("Remove the Telegram bot token")


class TldSourceForm(AdminForm):
    tld = StringField(
        "Top-level domain", validators=[InputRequired()], description="e.g. de or рф"
    )
    mode = SelectField(
        "Lookup source",
        choices=[
            ("auto", "auto: RDAP where available, else WHOIS"),
            ("rdap", "RDAP only"),
            ("whois", "WHOIS only"),
        ],
    )


class SettingsView(AdminView):
    """Settings stored in the database, read by the checks and reminders."""

    @expose("/")
    def index(self) -> Any:
        return self._render()

    @expose("/thresholds", methods=["POST"])
    def thresholds(self) -> Any:
        form = ThresholdsForm()
        if not form.validate_on_submit():
            return self._render(thresholds_form=form)
        try:
            stored = settings.set_default_thresholds(uow(), form.thresholds.data or "")
        except settings.InvalidSetting as error:
            form.thresholds.errors = [str(error)]
            return self._render(thresholds_form=form)
        # Users on the default list need their pending reminders planned anew.
        container().job_queue().enqueue(jobs.plan_all_reminders_job)
        text = ", ".join(str(days) for days in stored)
        return self._saved(f"default reminder thresholds to {text}")

    @expose("/intervals", methods=["POST"])
    def intervals(self) -> Any:
        form = IntervalsForm()
        if not form.validate_on_submit():
            return self._render(intervals_form=form)
        intervals = settings.CheckIntervals(
            near_expiry_hours=float(form.near_expiry_hours.data or 0),
            far_hours=float(form.far_hours.data or 0),
            retry_hours=float(form.retry_hours.data or 0),
            max_retry_hours=float(form.max_retry_hours.data or 0),
            near_expiry_days=int(form.near_expiry_days.data or 0),
        )
        try:
            settings.set_check_intervals(uow(), intervals)
        except settings.InvalidSetting as error:
            form.form_errors.append(str(error))
            return self._render(intervals_form=form)
        return self._saved(
            "re-check intervals to "
            f"{intervals.near_expiry_hours:g} h within {intervals.near_expiry_days} "
            f"days of expiry, {intervals.far_hours:g} h otherwise, retries from "
            f"{intervals.retry_hours:g} h up to {intervals.max_retry_hours:g} h"
        )

    @expose("/server-limits", methods=["POST"])
    def server_limit(self) -> Any:
        form = ServerLimitForm()
        if not form.validate_on_submit():
            return self._render(server_limit_form=form)
        host = form.host.data or ""
        limit = settings.ServerLimit(
            int(form.max_concurrent.data or 0), float(form.per_second.data or 0)
        )
        try:
            settings.set_server_limit(uow(), host, limit)
        except settings.InvalidSetting as error:
            form.form_errors.append(str(error))
            return self._render(server_limit_form=form)
        return self._saved(
            f"the limit of {host.strip().lower()} to {limit.max_concurrent} at once "
            f"and {limit.per_second:g} queries per second"
        )

    @expose("/server-limits/remove", methods=["POST"])
    def remove_server_limit(self) -> Any:
        form = RemoveServerLimitForm()
        host = form.host.data or ""
        if form.validate_on_submit() and settings.remove_server_limit(uow(), host):
            return self._saved(f"the limit of {host} back to its default")
        flash(f"{host} has no limit of its own to remove.", "warning")
        return redirect(url_for(".index"))

    @expose("/mail-sender", methods=["POST"])
    def mail_sender(self) -> Any:
        form = MailSenderForm()
        if not form.validate_on_submit():
            return self._render(mail_form=form)
        try:
            sender = settings.set_mail_sender(uow(), form.mail_from.data or "")
        except settings.InvalidSetting as error:
            form.mail_from.errors = [str(error)]
            return self._render(mail_form=form)
        return self._saved(f"the mail sender to {sender or 'MAIL_FROM'}")

    @expose("/telegram", methods=["POST"])
    def telegram(self) -> Any:
        form = TelegramForm()
        if not form.validate_on_submit():
            return self._render(telegram_form=form)
        if form.clear_telegram_token.data:
            settings.set_telegram_token(uow(), "")
            return self._saved("no Telegram bot token")
        token = (form.telegram_token.data or "").strip()
        if not token:
            form.telegram_token.errors = [
                "Enter a token, or tick the box to remove it."
            ]
            return self._render(telegram_form=form)
        try:
            settings.set_telegram_token(uow(), token)
        except settings.InvalidSetting as error:
            form.telegram_token.errors = [str(error)]
            return self._render(telegram_form=form)
        # The log and the message get the masked form only, never the token.
        return self._saved(f"the Telegram bot token to {settings.mask_secret(token)}")

    @expose("/tld-sources", methods=["POST"])
    def tld_source(self) -> Any:
        form = TldSourceForm()
        if not form.validate_on_submit():
            return self._render(tld_form=form)
        tld = (form.tld.data or "").strip().lower().lstrip(".")
        try:
            settings.set_tld_source(uow(), tld, form.mode.data)
        except settings.InvalidSetting as error:
            form.tld.errors = [str(error)]
            return self._render(tld_form=form)
        return self._saved(f"the lookup source of .{tld} to {form.mode.data}")

    def _saved(self, change: str) -> Response:
        logger.info("%s set %s", actor_label(admin_id()), change)
        flash(f"Saved: {change}.", "success")
        return redirect(url_for(".index"))

    def _render(self, **forms: Any) -> Any:
        """Render the page; a form given here keeps the admin's input and errors."""
        intervals = settings.check_intervals(uow())
        defaults = {
            "thresholds_form": ThresholdsForm(
                formdata=None,
                thresholds=", ".join(
                    str(days) for days in settings.default_thresholds(uow())
                ),
            ),
            "intervals_form": IntervalsForm(formdata=None, obj=intervals),
            "server_limit_form": ServerLimitForm(formdata=None),
            "mail_form": MailSenderForm(
                formdata=None, mail_from=settings.mail_sender(uow()) or ""
            ),
            "telegram_form": TelegramForm(formdata=None),
            "tld_form": TldSourceForm(formdata=None),
        }
        defaults.update(forms)
        status = 400 if forms and request.method == "POST" else 200
        page = self.render(
            "tracker_admin/settings.html",
            limits=sorted(settings.server_limits(uow()).items()),
            overrides=settings.server_limit_overrides(uow()),
            remove_form=RemoveServerLimitForm(formdata=None),
            telegram_token=settings.mask_secret(settings.telegram_token(uow())),
            tld_sources=sorted(settings.tld_sources(container().uow).items()),
            **defaults,
        )
        return page, status


def uow() -> Any:
    return container().uow()
