"""Rules that differ between registries: date order, labels and expiry policy.

The rules are keyed by the last label of the domain (the TLD), because a
response read through a WHOIS proxy or a test server does not say which
registry wrote it. Registries not listed here are read by the general rules
in `tracker.adapters.whois.expiry` and `tracker.adapters.whois.registrar`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace

from tracker.adapters.whois.dates import DateOrder


class ExpiryPolicy(enum.Enum):
    """Publication of expiry dates in a registry's records of registered names."""

    ALWAYS = "always"
    NEVER = "never"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class RegistryRules:
    """The layout rules of one registry's responses.

    `renewal_is_expiry` marks registries whose "renewal date" is the day the
    registration ends (Nominet, NASK, the .ie registry), unlike THNIC, where
    "Renew date" is the day of the last renewal. `registrar_labels` are
    tried before the usual "Registrar" labels.
    """

    date_order: DateOrder | None = None
    expiry: ExpiryPolicy = ExpiryPolicy.UNKNOWN
    renewal_is_expiry: bool = False
    registrar_labels: tuple[str, ...] = ()
    keeps_registrar_handle: bool = False


# Registries that write all-numeric dates day first: AFNIC (.fr and the
# overseas TLDs it runs), .pt, .im, .bg, .lu, .sm, .hm, .il, .hk and .uk
# write dd/mm/yyyy or dd-mm-yyyy. Dotted dates (.cz, .rs, .fi) are read day
# first everywhere, so they need no entry.
_DAY_FIRST_TLDS = {
    "fr", "re", "pm", "tf", "wf", "yt", "pt", "im", "bg", "lu", "sm", "hm",
    "il", "hk", "uk", "ie",
}  # fmt: skip
# Freenom (.tk, .ml, .ga, .cf, .gq) writes mm/dd/yyyy.
# NOTE: an all-numeric date with slashes or dashes from a registry in
# neither set is rejected (UNPARSABLE) unless the response states its layout.
_MONTH_FIRST_TLDS = {"tk", "ml", "ga", "cf", "gq"}

# Registries whose responses for registered names never carry an expiry date.
_NEVER_EXPIRY_TLDS = {
    "de", "eu", "au", "nl", "at", "ch", "li", "be", "lu", "lv", "no", "ae",
    "qa", "aw", "gg", "je", "kz", "hu", "nz", "mo", "int", "arpa", "gov",
}  # fmt: skip
# Registries whose responses always carry one: a response without it is one
# this module cannot read, or a thin response that a referral completes.
_ALWAYS_EXPIRY_TLDS = {"com", "net", "org", "info", "biz", "ru", "su", "xn--p1ai", "io"}

_SPECIAL_RULES: dict[str, RegistryRules] = {
    "uk": RegistryRules(renewal_is_expiry=True),
    "pl": RegistryRules(renewal_is_expiry=True),
    # The .ie registry names the registrar's account: "Account Name:".
    "ie": RegistryRules(renewal_is_expiry=True, registrar_labels=("account name",)),
    # KazNIC spells it "Current Registar"; the registrar that created the
    # name is "Registar created".
    "kz": RegistryRules(registrar_labels=("current registar",)),
    "tw": RegistryRules(registrar_labels=("registration service provider",)),
    "no": RegistryRules(registrar_labels=("registrar handle",)),
    # PIR writes the registrar's handle as part of its name: "Tucows Inc.
    # (R11-LROR)".
    "org": RegistryRules(keeps_registrar_handle=True),
}

# A response may state its own date layout, as AFNIC's header and .pt's labels
# do; that statement wins over the tables above.
_DECLARED_DAY_FIRST = re.compile(r"\bdd[/.-]mm[/.-](?:yyyy|yy)\b", re.IGNORECASE)
_DECLARED_MONTH_FIRST = re.compile(r"\bmm[/.-]dd[/.-](?:yyyy|yy)\b", re.IGNORECASE)


def rules_for(domain: str) -> RegistryRules:
    """Return the rules for the registry of `domain` (lower-case ASCII)."""
    tld = domain.rsplit(".", 1)[-1]
    rules = _SPECIAL_RULES.get(tld, RegistryRules())
    if tld in _DAY_FIRST_TLDS:
        rules = replace(rules, date_order=DateOrder.DAY_FIRST)
    elif tld in _MONTH_FIRST_TLDS:
        rules = replace(rules, date_order=DateOrder.MONTH_FIRST)
    if tld in _NEVER_EXPIRY_TLDS:
        rules = replace(rules, expiry=ExpiryPolicy.NEVER)
    elif tld in _ALWAYS_EXPIRY_TLDS and domain.count(".") == 1:
        # Only names the registry itself holds: a third-level name such as
        # csa.za.org belongs to another registry with other habits.
        rules = replace(rules, expiry=ExpiryPolicy.ALWAYS)
    return rules


def declared_date_order(text: str) -> DateOrder | None:
    """Return the day/month order a response states for itself, or None."""
    day_first = _DECLARED_DAY_FIRST.search(text) is not None
    month_first = _DECLARED_MONTH_FIRST.search(text) is not None
    if day_first == month_first:
        return None
    return DateOrder.DAY_FIRST if day_first else DateOrder.MONTH_FIRST
