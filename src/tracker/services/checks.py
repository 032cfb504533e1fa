"""Looking one domain up and storing the outcome."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from tracker.domain.expiry import ImplausibleExpiry, check_plausible_expiry
from tracker.domain.model import CheckLog, Domain, LookupErrorKind, Registration
from tracker.domain.names import DomainName
from tracker.services.ports import Clock, LookupFailed, RegistrationLookup, UnitOfWork
from tracker.services.reminders import plan_reminders
from tracker.services.scheduling import next_check_at, stale_claims_before
from tracker.services.settings import CheckIntervals, check_intervals

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check as the caller needs it.

    `skipped` is True when another check of the domain was running, so this
    one did not look it up.
    """

    domain_id: int
    success: bool
    renewed: bool = False
    changed: bool = False
    error_kind: LookupErrorKind | None = None
    error_message: str | None = None
    skipped: bool = False

    @property
    def needs_manual_entry(self) -> bool:
        return self.error_kind is not None and not self.renewed

    @property
    def rate_limited(self) -> bool:
        return self.error_kind is LookupErrorKind.RATE_LIMITED


def check_domain(
    uow: UnitOfWork,
    lookup: RegistrationLookup,
    clock: Clock,
    domain_id: int,
    *,
    intervals: CheckIntervals | None = None,
) -> CheckOutcome | None:
    """Look a domain up, write a CheckLog row, and update the domain on success.

    1. Claim the domain, so that no other check looks it up at the same
       time. When another check has claimed it, return a skipped outcome.
    2. Look it up without holding a database transaction.
    3. Store the outcome, release the claim and set `next_check_at`.

    A failed lookup, or one whose registry publishes no expiry, keeps the
    stored date and registrar. Returns None when the domain no longer exists.
    `intervals` defaults to the admin's stored setting.
    """
    if intervals is None:
        intervals = check_intervals(uow)
    name = _claim(uow, clock, domain_id)
    if name is None:
        return None
    if isinstance(name, CheckOutcome):
        return name
    started = time.monotonic()
    try:
        result: Registration | LookupFailed = lookup.lookup(name)
    except LookupFailed as error:
        result = error
    except BaseException:
        release_claim(uow, domain_id)
        raise
    elapsed_ms = int((time.monotonic() - started) * 1000)
    return store_result(uow, clock, intervals, domain_id, result, elapsed_ms)


def _claim(
    uow: UnitOfWork, clock: Clock, domain_id: int
) -> DomainName | CheckOutcome | None:
    """Return the name to look up, a skipped outcome, or None if the domain is gone."""
    now = clock.now()
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is None:
            return None
        name = domain.domain_name
        if not uow.domains.claim_for_check(domain_id, now, stale_claims_before(now)):
            logger.info("check of %s skipped: another check is running", name)
            return CheckOutcome(domain_id, success=False, skipped=True)
        uow.commit()
    return name


def release_claim(uow: UnitOfWork, domain_id: int) -> None:
    """Clear the domain's check claim without storing an outcome."""
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is not None:
            domain.check_started_at = None
            uow.commit()


def store_result(
    uow: UnitOfWork,
    clock: Clock,
    intervals: CheckIntervals,
    domain_id: int,
    result: Registration | LookupFailed,
    elapsed_ms: int,
) -> CheckOutcome | None:
    """Store a claimed domain's lookup result and release the claim.

    Writes the CheckLog row, updates the domain on success, keeps its last
    good data on failure, and sets `next_check_at`. Returns None when the
    domain no longer exists.
    """
    if isinstance(result, Registration):
        result = _implausible_as_failure(result)
    if isinstance(result, LookupFailed):
        return _record_failure(uow, clock, intervals, domain_id, result, elapsed_ms)
    return _record_success(uow, clock, intervals, domain_id, result, elapsed_ms)


def _implausible_as_failure(
    registration: Registration,
) -> Registration | LookupFailed:
    """Turn a placeholder date such as 9999-12-31 into an unparsable response.

    Storing it would show a domain as safe for centuries and keep its
    reminders from ever being planned.
    """
    if registration.expiration_date is None:
        return registration
    try:
        check_plausible_expiry(registration.expiration_date)
    except ImplausibleExpiry as error:
        server = registration.server or registration.source.value
        return LookupFailed(
            LookupErrorKind.UNPARSABLE,
            f"{server} returned an unusable {error} for {registration.domain}",
            server=registration.server,
        )
    return registration


def _record_success(
    uow: UnitOfWork,
    clock: Clock,
    intervals: CheckIntervals,
    domain_id: int,
    registration: Registration,
    elapsed_ms: int,
) -> CheckOutcome | None:
    now = clock.now()
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is None:
            return None
        before = (domain.expiration_date, domain.registrar, domain.source)
        renewed = domain.apply_registration(registration, now)
        no_expiry = registration.expiration_date is None
        message = _no_expiry_message(domain)
        if no_expiry and domain.expiration_date is None:
            # Only ask for a date while none is known; a date entered by hand
            # stays valid when the registry still publishes none.
            domain.last_error = message
            domain.last_error_kind = LookupErrorKind.NO_EXPIRY_PUBLISHED.value
        uow.check_logs.add(
            CheckLog(
                domain_id=domain_id,
                checked_at=now,
                success=not no_expiry,
                expiration_date=registration.expiration_date,
                registrar=registration.registrar,
                source=registration.source.value,
                server=registration.server,
                error_kind=LookupErrorKind.NO_EXPIRY_PUBLISHED.value
                if no_expiry
                else None,
                error_message=message if no_expiry else None,
                renewal=renewed,
                duration_ms=elapsed_ms,
            )
        )
        changed = before != (domain.expiration_date, domain.registrar, domain.source)
        _finish(domain, now, intervals)
        uow.commit()
    if changed:
        plan_reminders(uow, clock, domain_id)
    logger.info(
        "checked %s: expires %s via %s in %d ms%s",
        registration.domain,
        registration.expiration_date,
        registration.source.value,
        elapsed_ms,
        " (renewed)" if renewed else "",
    )
    if no_expiry:
        return CheckOutcome(
            domain_id,
            success=False,
            changed=changed,
            error_kind=LookupErrorKind.NO_EXPIRY_PUBLISHED,
            error_message=message,
        )
    return CheckOutcome(domain_id, success=True, renewed=renewed, changed=changed)


def _finish(domain: Domain, now: datetime, intervals: CheckIntervals) -> None:
    domain.check_started_at = None
    domain.next_check_at = next_check_at(domain, now, intervals)


def _no_expiry_message(domain: Domain) -> str:
    return (
        f"the registry of .{domain.domain_name.public_suffix} publishes no expiry date "
        f"for {domain.unicode_name}; enter it by hand"
    )


def _record_failure(
    uow: UnitOfWork,
    clock: Clock,
    intervals: CheckIntervals,
    domain_id: int,
    error: LookupFailed,
    elapsed_ms: int,
) -> CheckOutcome | None:
    now = clock.now()
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is None:
            return None
        domain.record_failure(error.kind, error.message, now)
        uow.check_logs.add(
            CheckLog(
                domain_id=domain_id,
                checked_at=now,
                success=False,
                server=error.server,
                error_kind=error.kind.value,
                error_message=error.message,
                duration_ms=elapsed_ms,
            )
        )
        name = domain.name
        _finish(domain, now, intervals)
        uow.commit()
    logger.warning("check of %s failed: %s (%s)", name, error.message, error.kind.value)
    return CheckOutcome(
        domain_id, success=False, error_kind=error.kind, error_message=error.message
    )
