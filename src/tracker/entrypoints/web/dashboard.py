"""The dashboard and the actions on one domain: add, look up, enter by hand, delete."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from tracker.domain.names import InvalidDomainName
from tracker.entrypoints.jobs import check_domain_job
from tracker.entrypoints.web import pending
from tracker.entrypoints.web.display import (
    advises_hand_entry,
    days_left_text,
    lookup_advice,
    problem_text,
)
from tracker.entrypoints.web.extensions import container
from tracker.entrypoints.web.flashes import FlashBatch, echo, invalid_name_text
from tracker.entrypoints.web.forms import ActionForm, AddDomainForm, ManualEntryForm
from tracker.entrypoints.web.redirects import is_local_path
from tracker.services import domains
from tracker.services.domains import AddResult, DomainRow

logger = logging.getLogger(__name__)

bp = Blueprint("domains", __name__)

# How often a request that waits for a lookup re-reads the database, in seconds.
_POLL_INTERVAL = 0.1


@bp.before_request
@login_required
def require_login() -> None:
    """Send guests to the log-in page: every page here needs a signed-in user."""


@bp.get("/")
def index() -> str:
    board = domains.build_dashboard(
        container().uow(), container().clock(), container().policy(), _user_id()
    )
    enter_ids = _id_args("enter")
    new_ids = _id_args("new")
    manual_rows = [row for row in board.rows if row.id in enter_ids]
    return render_template(
        "dashboard.html",
        board=board,
        add_form=AddDomainForm(),
        action_form=ActionForm(),
        manual_forms={row.id: _manual_form(row) for row in manual_rows},
        manual_rows=manual_rows,
        pending_ids={row.id for row in board.rows if pending.is_pending(row)},
        new_ids=new_ids,
        today=container().clock().today(),
    )


@bp.post("/domains")
def add() -> Response:
    form = AddDomainForm()
    if not form.validate_on_submit():
        for message in form.names.errors:
            flash(str(message), "danger")
        return redirect(url_for("domains.index"))
    try:
        results = domains.add_domains(
            container().uow(), container().clock(), _user_id(), form.names.data or ""
        )
    except domains.TooManyNames as error:
        flash(
            _(
                "That list has %(count)d names; add at most %(limit)d at once.",
                count=error.count,
                limit=error.limit,
            ),
            "danger",
        )
        return redirect(url_for("domains.index"))

    added = [result.domain_id for result in results if result.domain_id is not None]
    messages = FlashBatch()
    for result in results:
        _report_added(result, messages)
    for domain_id in added:
        _queue_check(domain_id)
    rows = _wait_for_first_lookups(added, container().settings().add_lookup_wait)
    enter_ids = _report_lookups(rows, messages, single=len(results) == 1)
    messages.flash_all()
    return redirect(url_for("domains.index", enter=enter_ids, new=added))


@bp.get("/domains/<int:domain_id>")
def detail(domain_id: int) -> str:
    row = _owned_row(domain_id)
    try:
        checks = domains.list_checks(container().uow(), _user_id(), domain_id)
    except domains.DomainNotFound:
        abort(404)
    return render_template(
        "domain.html",
        row=row,
        checks=checks,
        action_form=ActionForm(),
        pending_ids={row.id} if pending.is_pending(row) else set(),
    )


@bp.get("/domains/<int:domain_id>/status")
def status(domain_id: int) -> Response:
    """Return the row as JSON, with its HTML, for the page that polls it."""
    row = _owned_row(domain_id)
    is_pending = pending.is_pending(row)
    return jsonify(
        id=row.id,
        name=row.unicode_name,
        pending=is_pending,
        checked_at=row.last_checked_at.isoformat() if row.last_checked_at else None,
        expiration_date=row.expiration_date.isoformat()
        if row.expiration_date
        else None,
        days_left=row.days_left,
        urgency=row.urgency.value,
        problem=problem_text(row),
        html=render_template(
            "_row.html",
            row=row,
            pending_ids={row.id} if is_pending else set(),
            action_form=ActionForm(),
        ),
    )


@bp.route("/domains/<int:domain_id>/manual", methods=["GET", "POST"])
def manual(domain_id: int) -> Response | str:
    row = _owned_row(domain_id)
    form = _manual_form(row)
    if form.validate_on_submit():
        assert form.expiration_date.data is not None
        try:
            domains.enter_expiry_manually(
                container().uow(),
                container().clock(),
                _user_id(),
                domain_id,
                form.expiration_date.data,
                form.registrar.data,
            )
        except domains.DomainNotFound:
            abort(404)
        logger.info("user %s entered the expiry of domain %s", _user_id(), domain_id)
        flash(
            _(
                "Saved: %(name)s expires on %(date)s.",
                name=row.unicode_name,
                date=format_date(form.expiration_date.data, "long"),
            ),
            "success",
        )
        return redirect(url_for("domains.index", new=[domain_id]))
    return render_template("manual.html", row=row, form=form)


@bp.post("/domains/<int:domain_id>/check")
def check(domain_id: int) -> Response:
    row = _owned_row(domain_id)
    pending.mark_pending(row.id, row.last_checked_at)
    _queue_check(row.id)
    return redirect(_local_next() or url_for("domains.index"))


@bp.post("/domains/<int:domain_id>/delete")
def delete(domain_id: int) -> Response:
    try:
        name = domains.delete_domain(container().uow(), _user_id(), domain_id)
    except domains.DomainNotFound:
        abort(404)
    pending.forget(domain_id)
    logger.info("user %s deleted domain %s (%s)", _user_id(), domain_id, name)
    flash(_("Stopped tracking %(name)s.", name=name), "success")
    return redirect(url_for("domains.index"))


def _user_id() -> int:
    return int(current_user.id)


def _owned_row(domain_id: int) -> DomainRow:
    """Return the user's domain as a row; 404 for a missing or foreign one."""
    try:
        return domains.get_row(
            container().uow(),
            container().clock(),
            container().policy(),
            _user_id(),
            domain_id,
        )
    except domains.DomainNotFound:
        abort(404)


def _manual_form(row: DomainRow) -> ManualEntryForm:
    form = ManualEntryForm(prefix=f"manual-{row.id}")
    if request.method == "GET":
        form.expiration_date.data = row.expiration_date
        form.registrar.data = row.registrar
    return form


def _id_args(name: str) -> set[int]:
    return {int(value) for value in request.args.getlist(name) if value.isdigit()}


def _local_next() -> str | None:
    target = request.form.get("next")
    return target if is_local_path(target) else None


def _queue_check(domain_id: int) -> None:
    container().job_queue().enqueue(check_domain_job, domain_id)


def _report_added(result: AddResult, messages: FlashBatch) -> None:
    error = result.error
    if isinstance(error, InvalidDomainName):
        messages.add(
            _(
                "%(value)s is not a valid domain name: %(reason)s",
                value=echo(result.text),
                reason=invalid_name_text(error),
            ),
            "danger",
        )
    elif isinstance(error, domains.DuplicateDomain):
        messages.add(
            _("You already track %(name)s.", name=error.name.unicode),
            "warning",
        )
    else:
        logger.info(
            "user %s added domain %s (%s)", _user_id(), result.domain_id, result.text
        )


def _wait_for_first_lookups(
    domain_ids: Collection[int], timeout: float
) -> list[DomainRow]:
    """Wait up to `timeout` seconds for the first lookup of each new domain.

    Returns the rows of `domain_ids` as they are when every lookup ended or
    the time ran out; a row still unchecked has `last_checked_at` None.
    """
    deadline = time.monotonic() + timeout
    while True:
        board = domains.build_dashboard(
            container().uow(), container().clock(), container().policy(), _user_id()
        )
        rows = [row for row in board.rows if row.id in domain_ids]
        waiting = [row for row in rows if row.last_checked_at is None]
        if not waiting or time.monotonic() >= deadline:
            return rows
        time.sleep(_POLL_INTERVAL)


def _report_lookups(
    rows: list[DomainRow], messages: FlashBatch, *, single: bool
) -> list[int]:
    """Report what the first lookups found; return ids that need hand entry.

    A domain that is not registered, or whose lookup failed for a reason
    that passes (rate limit, timeout, network), gets advice but no hand-entry
    form: the form stays one click away on its row.
    """
    enter_ids: list[int] = []
    found = 0
    for row in rows:
        if row.last_checked_at is None:
            continue
        if row.expiration_date is None:
            messages.add(lookup_advice(row), "warning")
            if advises_hand_entry(row):
                enter_ids.append(row.id)
            continue
        found += 1
        if single:
            messages.add(
                _(
                    "%(name)s expires on %(date)s (%(left)s).",
                    name=row.unicode_name,
                    date=format_date(row.expiration_date, "long"),
                    left=days_left_text(row),
                ),
                "success",
            )
    checking = sum(1 for row in rows if row.last_checked_at is None)
    if not single and found:
        messages.add(
            ngettext(
                "Found the expiry date of %(num)d domain.",
                "Found the expiry dates of %(num)d domains.",
                found,
            ),
            "success",
        )
    if checking:
        messages.add(
            ngettext(
                "Still looking up %(num)d domain; its row updates by itself.",
                "Still looking up %(num)d domains; their rows update by themselves.",
                checking,
            ),
            "info",
        )
    return enter_ids
