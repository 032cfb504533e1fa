"""Colours, labels and sentences of a dashboard row, translated."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Flask
from flask_babel import LazyString, format_date, format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.domain.expiry import Urgency
from tracker.domain.model import DataSource, LookupErrorKind
from tracker.services.domains import DomainRow

# Characters that change the display order of the text after them: Arabic
# letter mark, LTR and RTL marks, embeddings, overrides and isolates.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class UrgencyStyle:
    colour: str  # a Bootstrap theme colour: success, warning, danger, dark...
    label: LazyString
    icon: str  # a Bootstrap Icons name


URGENCY_STYLES: dict[Urgency, UrgencyStyle] = {
    Urgency.OK: UrgencyStyle("success", _l("OK"), "check-circle-fill"),
    Urgency.WARNING: UrgencyStyle("warning", _l("Soon"), "hourglass-split"),
    Urgency.CRITICAL: UrgencyStyle("danger", _l("Urgent"), "exclamation-triangle-fill"),
    Urgency.EXPIRED: UrgencyStyle("dark", _l("Expired"), "x-octagon-fill"),
    Urgency.UNKNOWN: UrgencyStyle("secondary", _l("Unknown"), "question-circle"),
}

SOURCE_LABELS: dict[str, LazyString] = {
    DataSource.RDAP.value: _l("RDAP"),
    DataSource.WHOIS.value: _l("WHOIS"),
    DataSource.MANUAL.value: _l("entered by hand"),
}

ERROR_KIND_LABELS: dict[str, LazyString] = {
    LookupErrorKind.NOT_FOUND.value: _l("not found in the registry"),
    LookupErrorKind.RATE_LIMITED.value: _l("rate limited"),
    LookupErrorKind.NO_EXPIRY_PUBLISHED.value: _l("no expiry date published"),
    LookupErrorKind.TIMEOUT.value: _l("timed out"),
    LookupErrorKind.NETWORK.value: _l("network error"),
    LookupErrorKind.NO_SERVER.value: _l("no lookup server for this domain"),
    LookupErrorKind.UNPARSABLE.value: _l("unreadable registry response"),
    LookupErrorKind.RESPONSE_TOO_LARGE.value: _l("registry response too large"),
}


# Failures that end by themselves: the advice is to wait for the next try.
RETRY_REASONS: dict[str, LazyString] = {
    LookupErrorKind.RATE_LIMITED.value: _l(
        "the registry limits how often it may be asked"
    ),
    LookupErrorKind.TIMEOUT.value: _l("the registry did not respond in time"),
    LookupErrorKind.NETWORK.value: _l("the registry could not be reached"),
}

# Failures that a later lookup will not fix: the advice is to type the date.
HAND_ENTRY_REASONS: dict[str, LazyString] = {
    LookupErrorKind.NO_EXPIRY_PUBLISHED.value: _l(
        "the registry publishes no expiry date for this domain"
    ),
    LookupErrorKind.UNPARSABLE.value: _l("the registry's response could not be read"),
    LookupErrorKind.NO_SERVER.value: _l(
        "tracker knows no lookup server for this domain's top-level domain"
    ),
    LookupErrorKind.RESPONSE_TOO_LARGE.value: _l(
        "the registry's response was too large"
    ),
}


def urgency_style(row: DomainRow) -> UrgencyStyle:
    return URGENCY_STYLES[row.urgency]


def source_label(row: DomainRow) -> str:
    if row.source is None:
        return ""
    return str(SOURCE_LABELS.get(row.source, row.source))


def days_left_text(row: DomainRow) -> str:
    days = row.days_left
    if days is None:
        return ""
    if days == 0:
        return _("expires today")
    if days < 0:
        return ngettext("expired %(num)d day ago", "expired %(num)d days ago", -days)
    return ngettext("%(num)d day left", "%(num)d days left", days)


def needs_manual_entry(row: DomainRow) -> bool:
    """True when no lookup gave a date and the user has to type it."""
    return row.expiration_date is None and row.last_checked_at is not None


def problem_text(row: DomainRow) -> str | None:
    """Return what went wrong with the lookups of `row`, or None.

    A run of failed lookups reads "lookup failing for 3 days: <error>". A
    registry that publishes no expiry is a problem only while the date is
    still missing.
    """
    if row.failing_days is not None:
        # NOTE: `last_error` is the lookup adapter's English message, so only
        # the sentence around it is translated.
        detail = without_final_period(
            registry_text(row.last_error) or error_kind_label(row.last_error_kind)
        )
        if row.failing_days < 1:
            return _("lookup failed: %(error)s", error=detail)
        return ngettext(
            "lookup failing for %(num)d day: %(error)s",
            "lookup failing for %(num)d days: %(error)s",
            row.failing_days,
            error=detail,
        )
    no_expiry = row.last_error_kind == LookupErrorKind.NO_EXPIRY_PUBLISHED.value
    if no_expiry and row.expiration_date is None:
        return _("the registry publishes no expiry date for this domain")
    return None


def lookup_advice(row: DomainRow) -> str:
    """Return what a lookup that found no date means and what to do, in sentences."""
    kind = row.last_error_kind
    name = row.unicode_name
    if kind == LookupErrorKind.NOT_FOUND.value:
        return _(
            "%(name)s is not registered: the registry has no record of it. "
            "Check the spelling; tracker checks again daily.",
            name=name,
        )
    if kind in RETRY_REASONS:
        return _(
            "%(name)s: %(reason)s; tracker retries automatically.",
            name=name,
            reason=RETRY_REASONS[kind],
        )
    reason = HAND_ENTRY_REASONS.get(kind or "") or _("the lookup found no expiry date")
    return _(
        "%(name)s: %(reason)s. Enter the expiry date by hand.",
        name=name,
        reason=reason,
    )


def advises_hand_entry(row: DomainRow) -> bool:
    """True when the date is missing and no later lookup is likely to find it."""
    if row.expiration_date is not None:
        return False
    kind = row.last_error_kind
    return kind != LookupErrorKind.NOT_FOUND.value and kind not in RETRY_REASONS


def registry_text(text: str | None) -> str:
    """Return text from a registry without bidi control characters; None as "".

    A registrar name of "Co ", U+202E (right-to-left override) and "evil"
    would otherwise display as "Co live", and reverse the text after it.
    """
    return _BIDI_CONTROLS.sub("", text or "")


def without_final_period(text: str) -> str:
    """Drop the periods ending `text`, so a sentence around it can add its own."""
    return text.rstrip().rstrip(".")


def error_kind_label(kind: str | None) -> str:
    if kind is None:
        return _("unknown error")
    return str(ERROR_KIND_LABELS.get(kind, kind))


def as_sentence(text: str) -> str:
    """Capitalise the first letter of a message fragment and end it with a period."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def init_templates(app: Flask) -> None:
    app.jinja_env.filters["sentence"] = as_sentence
    app.jinja_env.filters["registry_text"] = registry_text
    app.jinja_env.globals.update(
        urgency_style=urgency_style,
        source_label=source_label,
        days_left_text=days_left_text,
        problem_text=problem_text,
        needs_manual_entry=needs_manual_entry,
        format_date=format_date,
        format_datetime=format_datetime,
    )
