"""`ChainedRegistrationLookup`: RDAP where the registry runs it, WHOIS elsewhere."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Protocol

import idna

from tracker.domain.model import LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import LookupFailed, RegistrationLookup

logger = logging.getLogger(__name__)

AUTO, RDAP_ONLY, WHOIS_ONLY = "auto", "rdap", "whois"
TLD_MODES = (AUTO, RDAP_ONLY, WHOIS_ONLY)


class SupportingLookup(RegistrationLookup, Protocol):
    def supports(self, name: DomainName) -> bool:
        """Return True when this lookup has a server for the TLD of `name`."""
        ...


class ChainedRegistrationLookup:
    """Try RDAP first where it is available, and WHOIS where it is not or fails.

    For each name, with the TLD's mode "auto" (the default):

    1. When `rdap.supports(name)` is False, ask WHOIS only.
    2. Ask RDAP. A "not found" from RDAP is final, because it comes from the
       registry itself. Any other RDAP failure falls back to WHOIS.
    3. When RDAP answers without an expiry date, ask WHOIS too and return
       its registration if it has a date, else RDAP's.
    4. When both fail, raise WHOIS's error with RDAP's in its message,
       unless WHOIS knows no server for the TLD: then raise RDAP's.

    `tld_modes` maps a TLD ("com", "xn--p1ai" or "рф") to "rdap" or "whois"
    to use that source alone, or to "auto".
    """

    def __init__(
        self,
        rdap: SupportingLookup,
        whois: RegistrationLookup,
        *,
        tld_modes: Mapping[str, str] = {},
    ) -> None:
        self._rdap = rdap
        self._whois = whois
        self._modes = {
            _tld_key(tld): _checked_mode(tld, mode) for tld, mode in tld_modes.items()
        }

    def server_for(self, name: DomainName) -> str | None:
        """Return the server a lookup of `name` asks first, or None if unknown.

        The check pass groups domains by this name, so each server's
        concurrency limit applies to the protocol that serves its domains.
        """
        mode = self._modes.get(name.tld, AUTO)
        if mode == WHOIS_ONLY or (mode == AUTO and not self._rdap.supports(name)):
            return _server_of(self._whois, name)
        return _server_of(self._rdap, name)

    def lookup(self, name: DomainName) -> Registration:
        """Return the registration of `name`, or raise `LookupFailed`."""
        mode = self._modes.get(name.tld, AUTO)
        if mode == RDAP_ONLY:
            return self._rdap.lookup(name)
        if mode == WHOIS_ONLY or not self._rdap.supports(name):
            return self._whois.lookup(name)

        try:
            registration = self._rdap.lookup(name)
        except LookupFailed as rdap_error:
            if rdap_error.kind is LookupErrorKind.NOT_FOUND:
                raise
            logger.info(
                "RDAP lookup of %s failed (%s), trying WHOIS", name, rdap_error.message
            )
            return self._whois_after_rdap_failure(name, rdap_error)

        if registration.expiration_date is not None:
            return registration
        return self._whois_for_expiry(name, registration)

    def _whois_after_rdap_failure(
        self, name: DomainName, rdap_error: LookupFailed
    ) -> Registration:
        try:
            return self._whois.lookup(name)
        except LookupFailed as whois_error:
            raise _combined_error(rdap_error, whois_error) from None

    def _whois_for_expiry(
        self, name: DomainName, rdap_registration: Registration
    ) -> Registration:
        try:
            whois_registration = self._whois.lookup(name)
        except LookupFailed as error:
            logger.info(
                "RDAP published no expiry for %s and WHOIS failed: %s",
                name,
                error.message,
            )
            return rdap_registration
        if whois_registration.expiration_date is None:
            return rdap_registration
        return dataclasses.replace(
            whois_registration,
            registrar=whois_registration.registrar or rdap_registration.registrar,
            statuses=whois_registration.statuses or rdap_registration.statuses,
        )


def _combined_error(
    rdap_error: LookupFailed, whois_error: LookupFailed
) -> LookupFailed:
    if whois_error.kind is LookupErrorKind.NO_SERVER:
        return LookupFailed(
            rdap_error.kind,
            f"{rdap_error.message}; the WHOIS fallback failed too: "
            f"{whois_error.message}",
            server=rdap_error.server,
        )
    return LookupFailed(
        whois_error.kind,
        f"{whois_error.message}; RDAP had failed before it: {rdap_error.message}",
        server=whois_error.server,
    )


def _tld_key(tld: str) -> str:
    key = tld.strip().strip(".").lower()
    return key if key.isascii() else idna.encode(key, uts46=True).decode("ascii")


def _checked_mode(tld: str, mode: str) -> str:
    value = mode.strip().lower()
    if value not in TLD_MODES:
        choices = ", ".join(TLD_MODES)
        raise ValueError(f"the lookup mode {mode!r} of .{tld} is not one of {choices}")
    return value


def _server_of(lookup: object, name: DomainName) -> str | None:
    locate = getattr(lookup, "server_for", None)
    return locate(name) if locate is not None else None
