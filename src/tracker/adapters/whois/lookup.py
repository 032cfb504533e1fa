"""`WhoisRegistrationLookup`: the `RegistrationLookup` port over WHOIS."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Mapping

from tracker.adapters.whois.notices import rate_limit_notice
from tracker.adapters.whois.parsing import parse_whois_text
from tracker.adapters.whois.referrals import iana_referral, registrar_referral
from tracker.adapters.whois.servers import (
    IANA_SERVER,
    WHOIS_PORT,
    encoding_for,
    query_for,
    server_for,
)
from tracker.adapters.whois.text import decode_response
from tracker.adapters.whois.transport import query_server
from tracker.domain.model import LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import LookupFailed, ServerBudget, UnlimitedBudget

logger = logging.getLogger(__name__)


class WhoisRegistrationLookup:
    """A `RegistrationLookup` that queries the registries' WHOIS servers.

    The server comes from the table in `tracker.adapters.whois.servers`,
    else from IANA. When the registry's response lacks the expiry date or the
    registrar and names a registrar WHOIS server, up to `max_referrals`
    further servers are queried. The registry's values win over a
    registrar's, and a failed referral leaves the registry's response as the
    result.

    `server` (host, port) receives every query instead, for tests, demos and
    WHOIS proxies. Such a server responds by name only, so no referral is
    followed, because it would return the same text again.

    `host_addresses` maps WHOIS host names to the (host, port) to connect to
    instead of resolving them. With it, a host missing from the mapping is
    never contacted. Tests use it to run referrals against loopback servers.

    `timeout` (seconds) bounds each query as a whole, and
    `max_response_bytes` caps each response.
    """

    def __init__(
        self,
        *,
        server: tuple[str, int] | None = None,
        timeout: float = 15.0,
        max_response_bytes: int = 1_000_000,
        max_referrals: int = 2,
        budget: ServerBudget | None = None,
        host_addresses: Mapping[str, tuple[str, int]] | None = None,
    ) -> None:
        self._server = server
        self._timeout = timeout
        self._max_response_bytes = max_response_bytes
        self._max_referrals = max_referrals
        self._budget: ServerBudget = budget or UnlimitedBudget()
        self._host_addresses = (
            dict(host_addresses) if host_addresses is not None else None
        )
        self._discovered: dict[str, str] = {}
        self._discovered_lock = threading.Lock()

    def server_for(self, name: DomainName) -> str | None:
        """Return the budget key a lookup of `name` uses, or None if not yet known.

        This is the override's "host:port" when one is set, else the
        registry's WHOIS host.
        """
        if self._server is not None:
            return f"{self._server[0]}:{self._server[1]}"
        with self._discovered_lock:
            discovered = self._discovered.get(name.tld)
        return server_for(name.tld) or discovered

    def lookup(self, name: DomainName) -> Registration:
        """Return the registration of `name`, or raise `LookupFailed`."""
        domain = name.ascii
        if self._server is not None:
            host = server_for(name.tld) or IANA_SERVER
            label = f"{self._server[0]}:{self._server[1]}"
            text = self._ask(host, domain, budget_key=label)
            return self._parse(domain, text, label)

        host = server_for(name.tld) or self._discover(name.tld, domain)
        text = self._ask(host, domain, budget_key=host)
        return self._read_with_referrals(domain, host, text)

    def _discover(self, tld: str, domain: str) -> str:
        """Return the WHOIS server IANA names for `tld`; raise NO_SERVER if none."""
        with self._discovered_lock:
            known = self._discovered.get(tld)
        if known is not None:
            return known
        text = self._ask(IANA_SERVER, domain, budget_key=IANA_SERVER)
        notice = rate_limit_notice(text)
        if notice is not None:
            self._budget.report_rate_limited(IANA_SERVER)
            message = f"{IANA_SERVER} rate-limited the query for {domain}: {notice}"
            raise LookupFailed(
                LookupErrorKind.RATE_LIMITED, message, server=IANA_SERVER
            )
        host = iana_referral(text)
        if host is None:
            raise LookupFailed(
                LookupErrorKind.NO_SERVER,
                f"IANA names no WHOIS server for .{tld}",
                server=IANA_SERVER,
            )
        with self._discovered_lock:
            self._discovered[tld] = host
        return host

    def _read_with_referrals(self, domain: str, host: str, text: str) -> Registration:
        """Parse the registry's response and fill its gaps from registrar servers.

        1. Parse the registry's response. RATE_LIMITED and NOT_FOUND end the
           lookup. UNPARSABLE is kept in case a registrar's response is
           readable.
        2. While the result lacks an expiry date or a registrar, the last
           response names a server not queried yet, and fewer than
           `max_referrals` referrals were made, query that server and fill
           the gaps from its response.
        3. A referral that fails ends the chain with what was read so far.
        """
        registration: Registration | None = None
        registry_error: LookupFailed | None = None
        try:
            registration = self._parse(domain, text, host)
        except LookupFailed as error:
            if error.kind is not LookupErrorKind.UNPARSABLE:
                raise
            registry_error = error

        asked = {host}
        for _ in range(self._max_referrals):
            if registration is not None and _is_complete(registration):
                break
            referral = registrar_referral(text, domain)
            if referral is None or referral in asked:
                break
            asked.add(referral)
            try:
                text = self._ask(referral, domain, budget_key=referral)
                referred = self._parse(domain, text, referral)
            except LookupFailed as error:
                logger.warning(
                    "WHOIS referral for %s to %s failed (%s): %s",
                    domain,
                    referral,
                    error.kind.value,
                    error.message,
                )
                break
            registration = _merge(registration, referred)

        if registration is not None:
            return registration
        raise registry_error or LookupFailed(
            LookupErrorKind.UNPARSABLE,
            f"no readable response for {domain}",
            server=host,
        )

    def _ask(self, host: str, domain: str, *, budget_key: str) -> str:
        """Send the query for `domain` in `host`'s format and decode the response."""
        address = self._address(host)
        query = query_for(host, domain)
        logger.debug("WHOIS query %r to %s (%s:%s)", query, host, *address)
        with self._budget.slot(budget_key, self._timeout):
            raw = query_server(
                address[0],
                address[1],
                query,
                timeout=self._timeout,
                max_bytes=self._max_response_bytes,
            )
        return decode_response(raw, encoding_for(host))

    def _address(self, host: str) -> tuple[str, int]:
        if self._server is not None:
            return self._server
        if self._host_addresses is None:
            return host, WHOIS_PORT
        address = self._host_addresses.get(host)
        if address is None:
            raise LookupFailed(
                LookupErrorKind.NETWORK,
                f"no address is configured for the WHOIS server {host}",
                server=host,
            )
        return address

    def _parse(self, domain: str, text: str, server: str) -> Registration:
        try:
            return parse_whois_text(domain, text, server)
        except LookupFailed as error:
            if error.kind is LookupErrorKind.RATE_LIMITED:
                self._budget.report_rate_limited(server)
            raise


def _is_complete(registration: Registration) -> bool:
    return (
        registration.expiration_date is not None and registration.registrar is not None
    )


def _merge(registry: Registration | None, registrar: Registration) -> Registration:
    """Fill what the registry's response lacks from a registrar's response."""
    if registry is None:
        return registrar
    return dataclasses.replace(
        registry,
        expiration_date=registry.expiration_date or registrar.expiration_date,
        registrar=registry.registrar or registrar.registrar,
        statuses=registry.statuses or registrar.statuses,
        raw_size=registry.raw_size + registrar.raw_size,
    )
