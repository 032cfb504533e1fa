"""Finding the next WHOIS server named in a response."""

from __future__ import annotations

import ipaddress
import re

import idna

from tracker.adapters.whois.fields import read_fields, select_record
from tracker.adapters.whois.text import normalise_text

_REFERRAL_LABELS = ("registrar whois server", "whois server", "referralserver")
_HOST_NAME = re.compile(
    r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def registrar_referral(text: str, domain: str) -> str | None:
    """Return the host of the registrar WHOIS server that `text` refers to.

    Only the record of `domain` is searched, so the servers of look-alike
    names in an older Verisign response are ignored. Returns None when there is
    no referral or it is not a plain host name on the WHOIS port: a referral
    never sends a query to an IP address or another port.
    """
    record = select_record(normalise_text(text), domain, _unicode(domain))
    for field in read_fields(record):
        if field.label in _REFERRAL_LABELS:
            host = _host(field.value)
            if host is not None:
                return host
    return None


def iana_referral(text: str) -> str | None:
    """Return the server in the `refer:` line of an IANA response, or None."""
    for field in read_fields(normalise_text(text)):
        if field.label in ("refer", "whois"):
            host = _host(field.value)
            if host is not None:
                return host
    return None


def _host(value: str) -> str | None:
    value = value.strip().lower()
    if "://" in value:
        scheme, _, value = value.partition("://")
        if scheme != "whois":
            return None
    value = value.rstrip("/")
    if ":" in value:
        value, _, port = value.partition(":")
        if port != "43":
            return None
    try:
        ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        return None
    return value if _HOST_NAME.match(value) else None


def _unicode(domain: str) -> str:
    try:
        return str(idna.decode(domain))
    except idna.IDNAError:
        return domain
