"""Reading the expiry date from the fields of a WHOIS record.

Only labelled fields count, never prose: a disclaimer that mentions a date
gives none. The registry's own expiry field wins over the registrar's
("Registrar Registration Expiration Date").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from whois.parser import WhoisEntry  # type: ignore[import-untyped]

from tracker.adapters.whois.dates import (
    DateOrder,
    InvalidDateValue,
    is_placeholder,
    parse_date_value,
    to_utc_date,
)
from tracker.adapters.whois.fields import Field
from tracker.adapters.whois.registries import (
    ExpiryPolicy,
    RegistryRules,
    declared_date_order,
)

_EXPIRY_WORDS = re.compile(
    r"expir|exp date|paid-till|valid until|validity|vencimiento|^有効"
)
_NOT_REGISTRY_EXPIRY = re.compile(r"registrar|option|free|notice|renew")
_RENEWAL_LABEL = re.compile(r"^renewal(?: date)?$")
_REGISTRAR_EXPIRY = re.compile(r"registrar.*expir")
# Labels that mention an expiry-like idea. One of them with digits that no
# rule could read means the response has a date this module cannot read.
_EXPIRY_LIKE = re.compile(r"expir|paid|valid|until|renew|vencim|scaden|ablauf|有効")
# JPRS gives .co.jp, .ac.jp and .ne.jp names no expiry field. Their date is
# in "[State] Connected (2026/03/31)".
_JPRS_STATE = re.compile(r"\((\d{4}/\d{2}/\d{2})\)")
_JPRS_STATE_LABELS = {"state", "状態"}
_AMBIGUOUS_NUMERIC_DATE = re.compile(r"\b\d{1,2}[/-]\d{1,2}[/-]\d{4}\b")
_RECORD_LABELS = re.compile(
    r"^(?:domain(?: name)?|nserver|name ?servers?|status|domain status|registrant"
    r"|holder|registrar|created|creation date|registered(?: on)?|changed"
    r"|owner|org|organisation|organization|nombre de dominio|titular"
    r"|registrado por|estatus|fecha de)\b"
)


class UnreadableExpiry(ValueError):
    """Raised when a response contains an expiry date that cannot be read safely."""


def expiry_from_fields(
    fields: Sequence[Field], rules: RegistryRules, order: DateOrder | None
) -> date | None:
    """Return the registry's expiry date, else the registrar's, else None.

    `order` is the day/month order of all-numeric dates, when known. Raises
    `UnreadableExpiry` when expiry fields hold digits but none can be read.
    """
    registry_fields = [field for field in fields if is_expiry_field(field, rules)]
    registrar_fields = [
        field for field in fields if _REGISTRAR_EXPIRY.search(field.label)
    ]
    for group in (registry_fields, registrar_fields):
        found = _first_date(group, order)
        if found is not None:
            return found
    return None


def is_expiry_field(field: Field, rules: RegistryRules) -> bool:
    """Return True when `field` contains the registry's expiry date."""
    label = field.label
    if rules.renewal_is_expiry and _RENEWAL_LABEL.match(label):
        return True
    if label in _JPRS_STATE_LABELS:
        return _JPRS_STATE.search(field.value) is not None
    return bool(_EXPIRY_WORDS.search(label)) and not _NOT_REGISTRY_EXPIRY.search(label)


def expiry_from_library(
    entry: WhoisEntry | None, order: DateOrder | None, record: str
) -> date | None:
    """Return python-whois's expiry date for a layout without known labels.

    The first value wins: python-whois lists dates in text order, and the
    registry's record comes before a registrar's. No date is taken from an
    response with all-numeric dates of unknown day/month order, because
    python-whois guesses that order.
    """
    if entry is None:
        return None
    value = entry.get("expiration_date")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, datetime):
        if order is None and _AMBIGUOUS_NUMERIC_DATE.search(record):
            return None
        return to_utc_date(value)
    if isinstance(value, str) and not is_placeholder(value):
        try:
            return parse_date_value(value, order)
        except InvalidDateValue:
            return None
    return None


def missing_expiry_problem(
    fields: Sequence[Field], record: str, rules: RegistryRules, names: Sequence[str]
) -> str | None:
    """Return why a response without a readable expiry date is suspect, or None.

    None means the response is a registration record that publishes no expiry
    date. `names` are the queried domain in ASCII and Unicode. A registry
    known to always publish the date must have one. For other registries, an
    expiry-like field with digits means the date is there in an unknown layout.
    """
    if rules.expiry is ExpiryPolicy.ALWAYS:
        return "it has no expiry date, which its registry always publishes"
    unread = [
        field
        for field in fields
        if _EXPIRY_LIKE.search(field.label)
        and not is_placeholder(field.value)
        and not field.label.startswith(("status", "domain status"))
    ]
    if unread and rules.expiry is ExpiryPolicy.UNKNOWN:
        return f"its field {unread[0].label!r} was not read as an expiry date"
    if not _looks_like_record(fields, record, names):
        return "it holds neither a registration record nor a known error message"
    return None


def _first_date(fields: Sequence[Field], order: DateOrder | None) -> date | None:
    errors = []
    for field in fields:
        value = field.value
        if field.label in _JPRS_STATE_LABELS:
            value = _JPRS_STATE.search(value)[1]  # type: ignore[index]
        if is_placeholder(value):
            continue
        field_order = declared_date_order(field.label) or order
        try:
            return parse_date_value(value, field_order)
        except InvalidDateValue as error:
            errors.append(str(error))
    if errors:
        raise UnreadableExpiry(errors[0])
    return None


def _looks_like_record(
    fields: Sequence[Field], record: str, names: Sequence[str]
) -> bool:
    lowered = record.lower()
    names_domain = any(name in lowered for name in names)
    record_fields = sum(1 for field in fields if _RECORD_LABELS.match(field.label))
    return record_fields >= 2 or (names_domain and record_fields >= 1)
