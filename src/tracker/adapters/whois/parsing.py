"""Reading a registration out of the text of one WHOIS answer.

python-whois 0.9.6 (`whois.parser.WhoisEntry.load`) knows the layouts of many
registries, but it returns dates in mixed forms, guesses day/month order,
picks the last "Registrar:" line it sees and reports rate-limit answers as an
all-empty record. This module reads the expiry date and the registrar itself
from labelled fields, using per-registry rules, and falls back to
python-whois only for answers whose layout it does not recognise.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from datetime import date, datetime

import idna
from whois.exceptions import PywhoisError  # type: ignore[import-untyped]
from whois.parser import WhoisEntry  # type: ignore[import-untyped]

from tracker.adapters.whois.answers import not_found_notice, rate_limit_notice
from tracker.adapters.whois.dates import (
    DateOrder,
    InvalidDateValue,
    is_placeholder,
    parse_date_value,
    to_utc_date,
)
from tracker.adapters.whois.fields import Field, read_fields, select_record
from tracker.adapters.whois.registries import (
    RegistryRules,
    declared_date_order,
    rules_for,
)
from tracker.adapters.whois.text import normalise_text
from tracker.domain.model import DataSource, LookupErrorKind, Registration
from tracker.services.ports import LookupFailed

logger = logging.getLogger(__name__)

_EXPIRY_WORDS = re.compile(
    r"expir|exp date|paid-till|valid until|validity|vencimiento|^有効"
)
_NOT_REGISTRY_EXPIRY = re.compile(r"registrar|option|free|notice|renew")
_RENEWAL_LABEL = re.compile(r"^renewal(?: date)?$")
_REGISTRAR_EXPIRY = re.compile(r"registrar.*expir")
# Labels that mention an expiry-like idea; one of them holding digits that
# no rule could read means the answer has a date this module cannot read.
_EXPIRY_LIKE = re.compile(r"expir|paid|valid|until|renew|vencim|scaden|ablauf|有効")
_JPRS_STATE = re.compile(r"\((\d{4}/\d{2}/\d{2})\)")
_JPRS_STATE_LABELS = {"state", "状態"}

_REGISTRAR_LABELS = (
    "sponsoring registrar",
    "registrar name",
    "registrar-name",
    "registrar",
)
_REGISTRAR_NAME_KEYS = ("organization", "organisation", "org", "name")
# Bare header lines of a block that describes the registrar; .im calls its
# registrar the "Domain Managers".
_REGISTRAR_BLOCK_HEADERS = ("registrar", "registrar information", "domain managers")
_REGISTRAR_HANDLE = re.compile(r"\s*\(R\d+-[A-Z0-9]+\)$|\s+R\d+-[A-Z0-9]+$")
_IANA_NUMBER = re.compile(r"\s*\(\d+\)$")
_NOMINET_TAG = re.compile(r"\s*\[Tag = [^\]]*\]$")
_NOMINET_TRADING_NAME = re.compile(r"^.+? t/a (?P<trading>.+)$")
_NO_REGISTRAR = re.compile(
    r"^(?:no registrar|not applicable|n/?a|-+|none)\b", re.IGNORECASE
)

_MAX_LIBRARY_TEXT = 20_000

_STATUS_LABELS = {
    "status",
    "domain status",
    "state",
    "registration status",
    "estatus del dominio",
}
_RECORD_LABELS = re.compile(
    r"^(?:domain(?: name)?|nserver|name ?servers?|status|domain status|registrant"
    r"|holder|registrar|created|creation date|registered(?: on)?|changed"
    r"|owner|org|organisation|organization|nombre de dominio|titular"
    r"|registrado por|estatus|fecha de)\b"
)


def parse_whois_text(
    domain_ascii: str, text: str, server: str | None = None
) -> Registration:
    """Read the registration of `domain_ascii` from one WHOIS answer.

    `server` names the host that answered; it is copied to the result and
    to errors. Returns a `Registration` whose `expiration_date` is None when
    the answer is for a registered name but carries no expiry date. Raises
    `LookupFailed` with kind RATE_LIMITED, NOT_FOUND, or UNPARSABLE when the
    answer has a record with an expiry that cannot be read, or no record.
    """
    domain = domain_ascii.lower().rstrip(".")
    unicode_domain = _unicode_name(domain)
    text = normalise_text(text)

    _raise_for_answers_without_record(text, domain, server)
    rules = rules_for(domain)
    record = select_record(text, domain, unicode_domain)
    fields = read_fields(record)
    order = declared_date_order(text) or rules.date_order

    library = _LibraryEntry(domain, unicode_domain, record)
    expiry = _expiry_from_fields(fields, rules, order, domain, server)
    if expiry is None and not any(_is_expiry_field(field, rules) for field in fields):
        expiry = _expiry_from_library(library.entry, order, record)
    registrar = _registrar_from_fields(fields, record, rules)
    if registrar is None:
        registrar = _registrar_from_library(library.entry)
    if expiry is None:
        _check_no_expiry_published(
            fields, record, rules, domain, unicode_domain, server
        )

    return Registration(
        domain=domain,
        expiration_date=expiry,
        registrar=registrar,
        source=DataSource.WHOIS,
        server=server,
        statuses=_statuses(fields),
        raw_size=len(text.encode("utf-8")),
    )


def _unicode_name(domain: str) -> str:
    try:
        return str(idna.decode(domain))
    except idna.IDNAError:
        return domain


def _raise_for_answers_without_record(
    text: str, domain: str, server: str | None
) -> None:
    where = server or "the WHOIS server"
    notice = rate_limit_notice(text)
    if notice is not None:
        raise LookupFailed(
            LookupErrorKind.RATE_LIMITED,
            f"{where} refused the query for {domain} for now: {notice[:200]}",
            server=server,
        )
    notice = not_found_notice(text)
    if notice is not None:
        raise LookupFailed(
            LookupErrorKind.NOT_FOUND,
            f"{where} has no registration for {domain}: {notice[:200]}",
            server=server,
        )


def _unparsable(message: str, server: str | None) -> LookupFailed:
    return LookupFailed(LookupErrorKind.UNPARSABLE, message, server=server)


# --- Expiry date ---------------------------------------------------------


def _is_expiry_field(field: Field, rules: RegistryRules) -> bool:
    label = field.label
    if rules.renewal_is_expiry and _RENEWAL_LABEL.match(label):
        return True
    if label in _JPRS_STATE_LABELS:
        return _JPRS_STATE.search(field.value) is not None
    return bool(_EXPIRY_WORDS.search(label)) and not _NOT_REGISTRY_EXPIRY.search(label)


def _expiry_from_fields(
    fields: Sequence[Field],
    rules: RegistryRules,
    order: DateOrder | None,
    domain: str,
    server: str | None,
) -> date | None:
    """Return the registry's expiry date, else the registrar's, else None.

    Raises UNPARSABLE when expiry fields hold digits but none can be read.
    """
    registry_fields = [field for field in fields if _is_expiry_field(field, rules)]
    registrar_fields = [
        field for field in fields if _REGISTRAR_EXPIRY.search(field.label)
    ]
    for group in (registry_fields, registrar_fields):
        found = _first_date(group, order, domain, server)
        if found is not None:
            return found
    return None


def _first_date(
    fields: Sequence[Field], order: DateOrder | None, domain: str, server: str | None
) -> date | None:
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
        raise _unparsable(
            f"cannot read the expiry date of {domain}: {errors[0]}", server
        )
    return None


def _expiry_from_library(
    entry: WhoisEntry | None, order: DateOrder | None, record: str
) -> date | None:
    """Return python-whois's expiry date for layouts this module does not know.

    The first value wins: python-whois lists dates in text order, and the
    registry's record comes before a registrar's. A value from an answer with
    all-numeric dates of unknown day/month order is not trusted, because
    python-whois guesses that order.
    """
    if entry is None:
        return None
    value = entry.get("expiration_date")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, datetime):
        if order is None and re.search(r"\b\d{1,2}[/-]\d{1,2}[/-]\d{4}\b", record):
            return None
        return to_utc_date(value)
    if isinstance(value, str) and not is_placeholder(value):
        try:
            return parse_date_value(value, order)
        except InvalidDateValue:
            return None
    return None


def _check_no_expiry_published(
    fields: Sequence[Field],
    record: str,
    rules: RegistryRules,
    domain: str,
    unicode_domain: str,
    server: str | None,
) -> None:
    """Raise UNPARSABLE unless the answer is a record that has no expiry date."""
    unread = [
        field
        for field in fields
        if _EXPIRY_LIKE.search(field.label)
        and not is_placeholder(field.value)
        and not field.label.startswith(("status", "domain status"))
    ]
    if unread and rules.publishes_expiry:
        raise _unparsable(
            f"the answer for {domain} has a field {unread[0].label!r} that was not"
            " read as its expiry date",
            server,
        )
    if not _looks_like_record(fields, record, domain, unicode_domain):
        raise _unparsable(
            f"the answer for {domain} holds neither a registration record nor a"
            " known error message",
            server,
        )


def _looks_like_record(
    fields: Sequence[Field], record: str, domain: str, unicode_domain: str
) -> bool:
    lowered = record.lower()
    names_domain = domain in lowered or unicode_domain in lowered
    record_fields = sum(1 for field in fields if _RECORD_LABELS.match(field.label))
    return record_fields >= 2 or (names_domain and record_fields >= 1)


# --- Registrar -----------------------------------------------------------


def _registrar_from_fields(
    fields: Sequence[Field], record: str, rules: RegistryRules
) -> str | None:
    """Return the sponsoring registrar's name, or None when none is given.

    Labels are tried in order of how specifically they name the registrar.
    A "Registrar:" header without a value starts a block whose "Name" (or
    "Organization") or first line holds the name. A registrar given as a
    handle at the head of its own block (.sk, .ua) is replaced by the name
    that follows it.
    """
    lines = record.split("\n")
    for label in (*rules.registrar_labels, *_REGISTRAR_LABELS):
        for field in fields:
            if field.label == label:
                value = _registrar_value(field, lines, fields)
                if value:
                    return _clean_registrar(value, rules, label)
    name = _registrar_block_name(lines, fields)
    return _clean_registrar(name, rules, "registrar") if name else None


def _registrar_value(
    field: Field, lines: Sequence[str], fields: Sequence[Field]
) -> str | None:
    value = field.value
    if value.startswith("!"):
        # A YAML type tag ("registrar: !Registrar"): the name is in the block.
        value = ""
    if _NO_REGISTRAR.match(value):
        return None
    if not value:
        return _name_in_block(field, lines, fields) or _first_block_line(field, lines)
    if " " in value:
        return value
    # A handle: look for a block that starts with it and names the registrar.
    for other in fields:
        if (
            other.label == field.label
            and other.value == value
            and _starts_block(other, lines)
        ):
            name = _name_in_block(other, lines, fields)
            if name:
                return name
    return value


def _starts_block(field: Field, lines: Sequence[str]) -> bool:
    previous = lines[field.line - 1].strip() if field.line > 0 else ""
    return not previous or previous[0] in "%#;"


def _name_in_block(
    header: Field, lines: Sequence[str], fields: Sequence[Field]
) -> str | None:
    """Return the organisation or name in the lines right after `header`."""
    block = []
    for field in fields:
        if field.line <= header.line:
            continue
        if any(
            not lines[number].strip() for number in range(header.line + 1, field.line)
        ):
            break
        block.append(field)
    for key in _REGISTRAR_NAME_KEYS:
        for field in block:
            if field.label == key and field.value:
                return field.value
    return None


def _first_block_line(header: Field, lines: Sequence[str]) -> str | None:
    """Return the line after `header` when it is a bare name (Nominet, SIDN)."""
    if header.line + 1 >= len(lines):
        return None
    line = lines[header.line + 1].strip()
    if not line or ":" in line:
        return None
    return line


def _registrar_block_name(lines: Sequence[str], fields: Sequence[Field]) -> str | None:
    """Read a block whose header is a bare "Registrar" or "Domain Managers" line."""
    for number, line in enumerate(lines):
        if line.strip().lower().strip("[]") in _REGISTRAR_BLOCK_HEADERS:
            header = Field("registrar", "", len(line) - len(line.lstrip()), number)
            name = _name_in_block(header, lines, fields)
            if name:
                return name
    return None


def _clean_registrar(value: str, rules: RegistryRules, label: str) -> str | None:
    """Return the registrar's name without the registry's tags and handles.

    Nominet writes "Legal name t/a Trading name [Tag = TAG]"; the trading
    name is kept. Afilias-style registries append the registrar's handle
    ("(R22-LRCC)", " R45-ME"), and "Sponsoring Registrar" lines of that
    layout its IANA number ("(292)").
    """
    value = re.sub(r"\s+", " ", value).strip()
    if _NO_REGISTRAR.match(value):
        return None
    value = _NOMINET_TAG.sub("", value)
    trading = _NOMINET_TRADING_NAME.match(value)
    if trading:
        value = trading["trading"]
    if not rules.keeps_registrar_handle:
        value = _REGISTRAR_HANDLE.sub("", value)
    if label == "sponsoring registrar":
        value = _IANA_NUMBER.sub("", value)
    return value or None


def _registrar_from_library(entry: WhoisEntry | None) -> str | None:
    if entry is None:
        return None
    value = entry.get("registrar")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str) and value.strip() and not _NO_REGISTRAR.match(value):
        return re.sub(r"\s+", " ", value).strip()
    return None


# --- python-whois and statuses --------------------------------------------


class _LibraryEntry:
    """python-whois's reading of a record, made only when first needed.

    Some of its expressions take time quadratic in the text's length (those
    for .hk take about 1 s on a 4 KB answer), so it runs only for answers
    whose fields this module could not read, and never on long texts.
    """

    def __init__(self, domain: str, unicode_domain: str, record: str) -> None:
        self._domain = domain
        self._unicode_domain = unicode_domain
        self._record = record

    @functools.cached_property
    def entry(self) -> WhoisEntry | None:
        if len(self._record) > _MAX_LIBRARY_TEXT:
            return None
        # python-whois picks its parser by the domain's ending and has one for
        # .рф only under the Unicode name, so IDN TLDs are passed in Unicode.
        tld = self._domain.rsplit(".", 1)[-1]
        name = self._unicode_domain if tld.startswith("xn--") else self._domain
        try:
            return WhoisEntry.load(name, self._record)
        except (PywhoisError, ValueError, IndexError, KeyError, TypeError) as error:
            logger.debug(
                "python-whois could not parse the answer for %s: %s", name, error
            )
            return None


def _statuses(fields: Sequence[Field]) -> tuple[str, ...]:
    statuses = []
    for field in fields:
        if field.label in _STATUS_LABELS and field.value:
            status = field.value.split()[0]
            if status not in statuses:
                statuses.append(status)
    return tuple(statuses)
