"""`RdapRegistrationLookup`: the `RegistrationLookup` port over RDAP (RFC 7480-7484)."""

from __future__ import annotations

import logging
import math
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import idna

from tracker.adapters.rdap.bootstrap import Bootstrap
from tracker.adapters.rdap.response import error_summary, parse_registration
from tracker.adapters.rdap.transport import Deadline, Response, fetch, host_of
from tracker.domain.model import LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import LookupFailed, ServerBudget

logger = logging.getLogger(__name__)

RDAP_MEDIA_TYPE = "application/rdap+json"
ANY_TLD = "*"


class RdapRegistrationLookup:
    """Look domains up on the RDAP server the bootstrap names for their TLD.

    `base_overrides` maps a TLD in ASCII ("com", "xn--p1ai") to a base URL
    used in place of the bootstrap's. The key "*" applies to every TLD
    without an override of its own. `timeout` (seconds) bounds the whole
    lookup, redirects and waiting for a `budget` slot included, and
    `max_response_bytes` bounds each response body. `tls_context` verifies
    https servers, by default against the system's trusted certificates.
    """

    def __init__(
        self,
        *,
        bootstrap: Bootstrap,
        base_overrides: Mapping[str, str] = {},
        timeout: float = 15.0,
        max_response_bytes: int = 2_000_000,
        max_redirects: int = 3,
        budget: ServerBudget | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout!r}")
        self._bootstrap = bootstrap
        self._overrides = {
            _override_key(tld): _checked_base_url(url)
            for tld, url in base_overrides.items()
        }
        self._timeout = timeout
        self._max_response_bytes = max_response_bytes
        self._max_redirects = max_redirects
        self._budget = budget
        self._tls_context = tls_context

    def supports(self, name: DomainName) -> bool:
        """Return True when a base URL is known for the TLD of `name`."""
        return self.base_url(name) is not None

    def server_for(self, name: DomainName) -> str | None:
        """Return the host whose budget a lookup of `name` uses, or None."""
        url = self.base_url(name)
        return host_of(url) if url else None

    def base_url(self, name: DomainName) -> str | None:
        """Return the RDAP base URL for `name`: an override, else the bootstrap's."""
        labels = name.ascii.split(".")
        for start in range(1, len(labels)):
            override = self._overrides.get(".".join(labels[start:]))
            if override:
                return override
        return self._overrides.get(ANY_TLD) or self._bootstrap.base_url(name)

    def lookup(self, name: DomainName) -> Registration:
        """Return the registration of `name`, or raise `LookupFailed`.

        Kinds raised: NO_SERVER (no base URL for the TLD), NOT_FOUND (HTTP
        404), RATE_LIMITED (HTTP 429, or no budget slot in time), TIMEOUT,
        NETWORK (connection errors, other HTTP errors, redirect problems),
        RESPONSE_TOO_LARGE and UNPARSABLE.
        """
        base = self.base_url(name)
        if base is None:
            raise LookupFailed(
                LookupErrorKind.NO_SERVER,
                f"no RDAP server is known for .{name.tld}; "
                "refresh the RDAP bootstrap or look the domain up over WHOIS",
            )
        url = f"{base}domain/{name.ascii}"
        logger.debug("RDAP query %s", url)
        try:
            response = fetch(
                url,
                deadline=Deadline(self._timeout),
                accept=RDAP_MEDIA_TYPE,
                max_bytes=self._max_response_bytes,
                max_redirects=self._max_redirects,
                budget=self._budget,
                tls_context=self._tls_context,
            )
        except LookupFailed as error:
            raise LookupFailed(error.kind, error.message, server=base) from None
        return self._registration(response, name, base)

    def _registration(
        self, response: Response, name: DomainName, base: str
    ) -> Registration:
        if 200 <= response.status < 300:
            return parse_registration(
                response.body, name=name, server=host_of(base), base_url=base
            )
        detail = error_summary(response.body)
        suffix = f": {detail}" if detail else ""
        if response.status == 404:
            raise LookupFailed(
                LookupErrorKind.NOT_FOUND,
                f"RDAP server {response.host} has no registration for "
                f"{name.ascii} (HTTP 404){suffix}",
                server=base,
            )
        if response.status == 429:
            if self._budget is not None:
                self._budget.report_rate_limited(response.host)
            raise LookupFailed(
                LookupErrorKind.RATE_LIMITED,
                f"RDAP server {response.host} rate-limited the lookup of "
                f"{name.ascii} (HTTP 429){_retry_after_text(response)}",
                server=base,
            )
        raise LookupFailed(
            LookupErrorKind.NETWORK,
            f"RDAP server {response.host} returned HTTP {response.status} for "
            f"{name.ascii}{suffix}",
            server=base,
        )


def retry_after_seconds(value: str | None, now: datetime | None = None) -> int | None:
    """Parse a Retry-After header (delay seconds or HTTP-date) into seconds.

    Returns None when the header is missing or invalid, and 0 for a date in
    the past.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0, math.ceil(seconds))


def _retry_after_text(response: Response) -> str:
    header = response.headers.get("retry-after")
    seconds = retry_after_seconds(header)
    if seconds is not None:
        return f"; retry after {seconds} s"
    if header:
        return f"; invalid Retry-After header {header[:60]!r}"
    return ""


def _override_key(tld: str) -> str:
    key = tld.strip().strip(".").lower()
    if key == ANY_TLD or key.isascii():
        return key
    return idna.encode(key, uts46=True).decode("ascii")


def _checked_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http or https RDAP base URL")
    base = url.strip()
    return base if base.endswith("/") else base + "/"
