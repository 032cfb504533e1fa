"""Reading a registration out of the text of one WHOIS response.

python-whois 0.9.6 (`whois.parser.WhoisEntry.load`) has parsers for the
layouts of many registries, but it returns dates in mixed forms, guesses the day/month
order, takes the last line that ends in "Registrar:" and reports rate-limit
responses as an all-empty record. So the steps here are:

1. Recognise rate-limit and not-found responses by their wording.
2. Keep only the record of the queried name (`fields.select_record`).
3. Read the expiry date and the registrar from labelled fields with the
   registry's rules (`expiry`, `registrar`, `registries`).
4. Ask python-whois only for what step 3 found no field for.
5. Without an expiry date, decide between "no expiry published" and an
   unreadable response.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence

import idna
from whois.exceptions import PywhoisError  # type: ignore[import-untyped]
from whois.parser import WhoisEntry  # type: ignore[import-untyped]

from tracker.adapters.whois.expiry import (
    UnreadableExpiry,
    expiry_from_fields,
    expiry_from_library,
    is_expiry_field,
    missing_expiry_problem,
)
from tracker.adapters.whois.fields import Field, read_fields, select_record
from tracker.adapters.whois.notices import not_found_notice, rate_limit_notice
from tracker.adapters.whois.registrar import (
    registrar_from_fields,
    registrar_from_library,
)
from tracker.adapters.whois.registries import (
    RegistryRules,
    declared_date_order,
    rules_for,
)
from tracker.adapters.whois.text import normalise_text
from tracker.domain.model import DataSource, LookupErrorKind, Registration
from tracker.services.ports import LookupFailed

logger = logging.getLogger(__name__)

# The .hk expressions of python-whois take time quadratic in the text's
# length (1.2 s for a 3.6 KB response in the test corpus), so it never reads
# .hk responses. The others took under 0.6 s on 100 KB, and longer texts are
# skipped.
_LIBRARY_SKIPPED_TLDS = {"hk"}
_MAX_LIBRARY_TEXT = 64_000

_DOMAIN_LABELS = {"domain name", "domain", "domainname"}

_STATUS_LABELS = {
    "status",
    "domain status",
    "state",
    "registration status",
    "estatus del dominio",
}


def parse_whois_text(
    domain_ascii: str, text: str, server: str | None = None
) -> Registration:
    """Read the registration of `domain_ascii` from one WHOIS response.

    `server` names the host that sent `text`; it is copied to the result and
    to errors. Returns a `Registration` whose `expiration_date` is None when
    the response is a record that publishes no expiry date. Raises
    `LookupFailed` with kind RATE_LIMITED or NOT_FOUND for those responses,
    and UNPARSABLE for an expiry date that cannot be read safely or an
    response that is no record.
    """
    domain = domain_ascii.lower().rstrip(".")
    unicode_domain = _unicode_name(domain)
    text = normalise_text(text)
    _raise_for_responses_without_record(text, domain, server)

    rules = rules_for(domain)
    record = select_record(text, domain, unicode_domain)
    fields = read_fields(record)
    _raise_for_other_domain(fields, (domain, unicode_domain), server)
    library = _LibraryEntry(domain, unicode_domain, record)
    order = declared_date_order(text) or rules.date_order

    try:
        expiry = expiry_from_fields(fields, rules, order)
    except UnreadableExpiry as error:
        message = f"cannot read the expiry date of {domain}: {error}"
        raise _unparsable(message, server) from None
    if expiry is None and not _has_expiry_field(fields, rules):
        expiry = expiry_from_library(library.entry, order, record)
    if expiry is None:
        problem = missing_expiry_problem(
            fields, record, rules, (domain, unicode_domain)
        )
        if problem is not None:
            raise _unparsable(
                f"the response for {domain} is unreadable: {problem}", server
            )

    registrar = registrar_from_fields(fields, record, rules)
    if registrar is None:
        registrar = registrar_from_library(library.entry)
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


def _raise_for_responses_without_record(
    text: str, domain: str, server: str | None
) -> None:
    where = server or "the WHOIS server"
    notice = rate_limit_notice(text)
    if notice is not None:
        raise LookupFailed(
            LookupErrorKind.RATE_LIMITED,
            f"{where} rate-limited the query for {domain}: {notice[:200]}",
            server=server,
        )
    notice = not_found_notice(text)
    if notice is not None:
        raise LookupFailed(
            LookupErrorKind.NOT_FOUND,
            f"{where} has no registration for {domain}: {notice[:200]}",
            server=server,
        )


def _raise_for_other_domain(
    fields: Sequence[Field], names: tuple[str, str], server: str | None
) -> None:
    """Raise UNPARSABLE when the record names a domain, but not the one queried.

    A misrouted query or a proxy mix-up must not give one domain another's date.
    """
    values = [
        field.value.split()[0].lower().rstrip(".")
        for field in fields
        if field.label in _DOMAIN_LABELS and field.value.strip()
    ]
    # Some registries write the name without its TLD (EURid's "Domain: eurid"),
    # so only full names are compared.
    named = [value for value in values if "." in value]
    if named and not any(name in names for name in named):
        where = server or "the WHOIS server"
        raise _unparsable(
            f"{where} returned a record for {named[0]}, not for {names[0]}", server
        )


def _unparsable(message: str, server: str | None) -> LookupFailed:
    return LookupFailed(LookupErrorKind.UNPARSABLE, message, server=server)


def _has_expiry_field(fields: Sequence[Field], rules: RegistryRules) -> bool:
    return any(is_expiry_field(field, rules) for field in fields)


def _statuses(fields: Sequence[Field]) -> tuple[str, ...]:
    statuses: list[str] = []
    for field in fields:
        if field.label in _STATUS_LABELS and field.value:
            status = field.value.split()[0]
            if status not in statuses:
                statuses.append(status)
    return tuple(statuses)


class _LibraryEntry:
    """python-whois's reading of a record, made only when first needed."""

    def __init__(self, domain: str, unicode_domain: str, record: str) -> None:
        self._domain = domain
        self._unicode_domain = unicode_domain
        self._record = record

    @functools.cached_property
    def entry(self) -> WhoisEntry | None:
        tld = self._domain.rsplit(".", 1)[-1]
        if tld in _LIBRARY_SKIPPED_TLDS or len(self._record) > _MAX_LIBRARY_TEXT:
            return None
        # python-whois picks its parser by the domain's ending and has one for
        # .рф only under the Unicode name, so IDN TLDs are passed in Unicode.
        name = self._unicode_domain if tld.startswith("xn--") else self._domain
        try:
            return WhoisEntry.load(name, self._record)
        except (PywhoisError, ValueError, IndexError, KeyError, TypeError) as error:
            logger.debug(
                "python-whois could not parse the response for %s: %s", name, error
            )
            return None
