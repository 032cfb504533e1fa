"""What differs between registries: date order, labels and expiry policy.

The rules are keyed by the last label of the domain (the TLD), because a
lookup through a WHOIS proxy or a test server does not know which registry
answered. Everything not listed here is read by the general rules in
`tracker.adapters.whois.parsing`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.adapters.whois.dates import DateOrder


@dataclass(frozen=True)
class RegistryRules:
    """How one registry writes its answers.

    `renewal_is_expiry` marks registries whose "renewal date" is the day the
    registration ends (Nominet, NASK, the .ie registry), unlike THNIC, where
    "Renew date" is the day of the last renewal. `publishes_expiry` is False
    for registries whose answers never carry an expiry date.
    """

    date_order: DateOrder | None = None
    renewal_is_expiry: bool = False
    publishes_expiry: bool = True
    registrar_labels: tuple[str, ...] = ()
    keeps_registrar_handle: bool = False


_DAY_FIRST = RegistryRules(date_order=DateOrder.DAY_FIRST)
_MONTH_FIRST = RegistryRules(date_order=DateOrder.MONTH_FIRST)
_NO_EXPIRY = RegistryRules(publishes_expiry=False)

# Registries that write all-numeric dates day first: AFNIC (.fr and the
# overseas TLDs it runs), .pt, .im, .bg, .lu, .sm, .hm, .il and .hk write
# dd/mm/yyyy or dd-mm-yyyy; .cz, .rs, .fi and others write dd.mm.yyyy, which
# is read day first everywhere anyway.
_DAY_FIRST_TLDS = {
    "fr", "re", "pm", "tf", "wf", "yt", "pt", "im", "bg", "sm", "hm", "hk",
    "rs", "cz", "fi", "ax", "cr", "ve", "tz", "sk", "vn", "pf", "es",
}  # fmt: skip

# Freenom (.tk, .ml, .ga, .cf, .gq) writes mm/dd/yyyy.
_MONTH_FIRST_TLDS = {"tk", "ml", "ga", "cf", "gq"}

# Registries whose answers for a registered name carry no expiry date.
_NO_EXPIRY_TLDS = {
    "de", "eu", "au", "nl", "at", "ch", "li", "be", "lu", "lv", "no", "ae",
    "qa", "aw", "gg", "je", "kz", "hu", "nz", "mo", "int", "arpa", "gov",
}  # fmt: skip

_RULES: dict[str, RegistryRules] = {
    **{tld: _DAY_FIRST for tld in _DAY_FIRST_TLDS},
    **{tld: _MONTH_FIRST for tld in _MONTH_FIRST_TLDS},
    **{tld: _NO_EXPIRY for tld in _NO_EXPIRY_TLDS},
    "lu": RegistryRules(date_order=DateOrder.DAY_FIRST, publishes_expiry=False),
    "il": RegistryRules(date_order=DateOrder.DAY_FIRST),
    "uk": RegistryRules(date_order=DateOrder.DAY_FIRST, renewal_is_expiry=True),
    "pl": RegistryRules(renewal_is_expiry=True),
    # The .ie registry names the registrar's account: "Account Name:".
    "ie": RegistryRules(
        date_order=DateOrder.DAY_FIRST,
        renewal_is_expiry=True,
        registrar_labels=("account name",),
    ),
    "kz": RegistryRules(publishes_expiry=False, registrar_labels=("current registar",)),
    "tw": RegistryRules(registrar_labels=("registration service provider",)),
    "no": RegistryRules(publishes_expiry=False, registrar_labels=("registrar handle",)),
    # PIR writes the registrar's handle as part of its name: "Tucows Inc.
    # (R11-LROR)".
    "org": RegistryRules(keeps_registrar_handle=True),
}

# An answer may state its own date layout, as AFNIC's header and .pt's labels
# do; that statement wins over the table above.
_DECLARED_DAY_FIRST = re.compile(r"\bdd[/.-]mm[/.-](?:yyyy|yy)\b", re.IGNORECASE)
_DECLARED_MONTH_FIRST = re.compile(r"\bmm[/.-]dd[/.-](?:yyyy|yy)\b", re.IGNORECASE)


def rules_for(domain: str) -> RegistryRules:
    """Return the rules for the registry of `domain` (lower-case ASCII)."""
    return _RULES.get(domain.rsplit(".", 1)[-1], RegistryRules())


def declared_date_order(text: str) -> DateOrder | None:
    """Return the day/month order an answer states for itself, or None."""
    day_first = _DECLARED_DAY_FIRST.search(text) is not None
    month_first = _DECLARED_MONTH_FIRST.search(text) is not None
    if day_first == month_first:
        return None
    return DateOrder.DAY_FIRST if day_first else DateOrder.MONTH_FIRST
