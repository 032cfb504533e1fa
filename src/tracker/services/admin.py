"""Admin use cases: account changes, reminder retries and checks on request.

The functions that change something take the acting admin's user id (None
for the command line) and log each change with it at INFO level.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tracker.domain.model import ReminderStatus, User
from tracker.services import accounts, domains
from tracker.services.ports import Clock, JobQueue, PasswordHasher, UnitOfWork

logger = logging.getLogger(__name__)

Actor = int | None


class AdminError(Exception):
    """Raised for an admin request that cannot be carried out.

    The message gives the reason and, where there is one, the way out.
    """


class UserNotFound(AdminError):
    pass


class LastAdminError(AdminError):
    """The change would leave no active admin."""


def actor_label(actor: Actor) -> str:
    """Return "admin 7" for an admin's id, "command line" for None."""
    return "command line" if actor is None else f"admin {actor}"


def find_user_id(uow: UnitOfWork, email: str) -> int:
    """Return the id of the account with this email, or raise UserNotFound."""
    address = email.strip().lower()
    with uow:
        user = uow.users.get_by_email(address)
    if user is None or user.id is None:
        raise UserNotFound(f"no account has the email address {address}")
    return user.id


def create_admin(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    email: str,
    password: str,
) -> int:
    """Create an active admin account and return its id.

    Raises AccountError for an invalid email, a weak password or an email
    that already has an account.
    """
    try:
        user_id = accounts.register_user(
            uow, hasher, clock, email, password, is_admin=True
        )
    except accounts.DuplicateAccount as error:
        raise accounts.DuplicateAccount(
            f"{error}. To make it an admin, run: tracker users promote {email}"
        ) from None
    logger.info("created admin account %s (user %s)", email, user_id)
    return user_id


def activate_user(uow: UnitOfWork, actor: Actor, user_id: int) -> bool:
    """Let the user log in and receive reminders again.

    Returns False when the user was already active.
    """
    return _change_user(uow, actor, user_id, "activate", is_active=True)


def deactivate_user(uow: UnitOfWork, actor: Actor, user_id: int) -> bool:
    """Stop the user from logging in and from getting reminders.

    Returns False when the user was already inactive. Raises LastAdminError
    for the last active admin.
    """
    return _change_user(uow, actor, user_id, "deactivate", is_active=False)


def promote_user(uow: UnitOfWork, actor: Actor, user_id: int) -> bool:
    """Give the user the admin flag, or return False when they already had it."""
    return _change_user(uow, actor, user_id, "promote", is_admin=True)


def demote_user(uow: UnitOfWork, actor: Actor, user_id: int) -> bool:
    """Take the admin flag away.

    Returns False when the user was no admin. Raises LastAdminError for the
    last active admin.
    """
    return _change_user(uow, actor, user_id, "demote", is_admin=False)


def delete_user(uow: UnitOfWork, actor: Actor, user_id: int) -> str:
    """Delete the account with its domains, checks and reminders.

    Returns the account's email. Raises LastAdminError for the last active
    admin, and UserNotFound for a missing account.
    """
    with uow:
        uow.users.list_active_admins()  # lock first, as in _change_user
        user = _get_user(uow, user_id)
        email = user.email
        was_admin = _is_active_admin(user)
        uow.users.delete(user)
        if was_admin:
            _ensure_an_admin_remains(uow, email, "delete")
        uow.commit()
    logger.info("%s deleted user %s (%s)", actor_label(actor), user_id, email)
    return email


def delete_domain(uow: UnitOfWork, actor: Actor, domain_id: int) -> str:
    """Delete any user's domain with its checks and reminders, and return its name.

    Raises AdminError when the domain does not exist.
    """
    with uow:
        domain = uow.domains.get(domain_id)
        owner_id = None if domain is None else domain.user_id
    try:
        if owner_id is None:
            raise domains.DomainNotFound(f"domain {domain_id} not found")
        name = domains.delete_domain(uow, owner_id, domain_id)
    except domains.DomainNotFound as error:
        raise AdminError(str(error)) from None
    logger.info(
        "%s deleted domain %s (%s) of user %s",
        actor_label(actor),
        domain_id,
        name,
        owner_id,
    )
    return name


def _change_user(
    uow: UnitOfWork, actor: Actor, user_id: int, verb: str, **changes: bool
) -> bool:
    with uow:
        # Lock the admins first, so a concurrent change waits for this one.
        uow.users.list_active_admins()
        user = _get_user(uow, user_id)
        if all(getattr(user, name) == value for name, value in changes.items()):
            return False
        was_admin = _is_active_admin(user)
        for name, value in changes.items():
            setattr(user, name, value)
        if was_admin and not _is_active_admin(user):
            _ensure_an_admin_remains(uow, user.email, verb)
        uow.commit()
    logger.info("%s %sd user %s (%s)", actor_label(actor), verb, user_id, user.email)
    return True


def _get_user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise UserNotFound(f"user {user_id} not found")
    return user


def _is_active_admin(user: User) -> bool:
    return user.is_admin and user.is_active


def _ensure_an_admin_remains(uow: UnitOfWork, email: str, verb: str) -> None:
    # Read after the change, so the check counts what will be committed.
    if not uow.users.list_active_admins():
        raise LastAdminError(
            f"cannot {verb} {email} because it is the last active admin. "
            "Promote another user first."
        )


@dataclass(frozen=True)
class BatchResult:
    """How many of the requested rows an action changed, and which it skipped."""

    done: int
    skipped: tuple[int, ...] = ()


def retry_reminders(
    uow: UnitOfWork, clock: Clock, actor: Actor, reminder_ids: Iterable[int]
) -> BatchResult:
    """Put failed reminders back in the queue, due now, for the next sweep.

    Each one goes back to "pending" with `next_attempt_at` set to now; its
    attempt count, last claim time and last error stay for the record. The
    change is a conditional UPDATE on status "failed", so ids of missing
    reminders, or of ones a sweep changed meanwhile, come back as skipped.
    """
    now = clock.now()
    retried: list[int] = []
    skipped: list[int] = []
    with uow:
        for reminder_id in reminder_ids:
            updated = uow.reminders.update_if(
                reminder_id,
                ReminderStatus.FAILED,
                status=ReminderStatus.PENDING,
                next_attempt_at=now,
            )
            if updated:
                retried.append(reminder_id)
            else:
                skipped.append(reminder_id)
        uow.commit()
    for reminder_id in retried:
        logger.info("%s queued reminder %s again", actor_label(actor), reminder_id)
    return BatchResult(len(retried), tuple(skipped))


def queue_checks(
    uow: UnitOfWork,
    job_queue: JobQueue,
    check_job: Callable[[int], Any],
    actor: Actor,
    domain_ids: Iterable[int],
) -> BatchResult:
    """Queue `check_job(domain_id)` for each existing domain.

    Ids of missing domains come back as skipped.
    """
    found: list[int] = []
    skipped: list[int] = []
    with uow:
        for domain_id in domain_ids:
            if uow.domains.get(domain_id) is None:
                skipped.append(domain_id)
            else:
                found.append(domain_id)
    for domain_id in found:
        job_queue.enqueue(check_job, domain_id)
        logger.info("%s queued a check of domain %s", actor_label(actor), domain_id)
    return BatchResult(len(found), tuple(skipped))
