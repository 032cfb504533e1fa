"""Looking a domain up and storing the outcome."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from tracker.domain.model import CheckLog, Domain, LookupErrorKind, Registration
from tracker.services.ports import Clock, LookupFailed, RegistrationLookup, UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckOutcome:
    """The result of one check as the caller needs it."""

    domain_id: int
    success: bool
    renewed: bool = False
    changed: bool = False
    error_kind: LookupErrorKind | None = None
    error_message: str | None = None

    @property
    def needs_manual_entry(self) -> bool:
        return self.error_kind is not None and not self.renewed


def check_domain(
    uow: UnitOfWork, lookup: RegistrationLookup, clock: Clock, domain_id: int
) -> CheckOutcome | None:
    """Look a domain up, write a CheckLog row, and update the domain on success.

    A failed lookup, or one whose registry publishes no expiry, keeps the
    stored date and registrar. Returns None when the domain no longer exists.
    """
    with uow:
        domain = uow.domains.get(domain_id)
        if domain is None:
            return None
        name = domain.domain_name
    started = time.monotonic()
    try:
        registration = lookup.lookup(name)
    except LookupFailed as error:
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return _record_failure(uow, clock, domain_id, error, elapsed_ms)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    return _record_success(uow, clock, domain_id, registration, elapsed_ms)


def _record_success(
    uow: UnitOfWork,
    clock: Clock,
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
        if no_expiry:
            message = _no_expiry_message(domain)
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
                error_kind=LookupErrorKind.NO_EXPIRY_PUBLISHED.value if no_expiry else None,
                error_message=domain.last_error if no_expiry else None,
                renewal=renewed,
                duration_ms=elapsed_ms,
            )
        )
        changed = before != (domain.expiration_date, domain.registrar, domain.source)
        uow.commit()
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


def _no_expiry_message(domain: Domain) -> str:
    return (
        f"the registry of .{domain.domain_name.public_suffix} publishes no expiry date "
        f"for {domain.unicode_name}; enter it by hand"
    )


def _record_failure(
    uow: UnitOfWork,
    clock: Clock,
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
        uow.commit()
    logger.warning("check of %s failed: %s (%s)", name, error.message, error.kind.value)
    return CheckOutcome(
        domain_id, success=False, error_kind=error.kind, error_message=error.message
    )
