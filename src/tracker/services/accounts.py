"""Sign-up and log-in."""

from __future__ import annotations

import re

from tracker.domain.model import User
from tracker.services.ports import Clock, PasswordHasher, UnitOfWork

MIN_PASSWORD_LENGTH = 8
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(Exception):
    """Raised for sign-up or log-in input that cannot be accepted."""


class InvalidEmail(AccountError):
    """The email address is not of the form name@host.tld."""


class WeakPassword(AccountError):
    """The password is too short or too easy to guess."""


class DuplicateAccount(AccountError):
    """An account with this email address already exists."""


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.match(value):
        raise InvalidEmail(f"{email.strip()!r} is not a valid email address")
    return value


def check_password_strength(password: str) -> None:
    """Raise AccountError for a password too weak to store."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
        )
    if password.isdigit() or len(set(password)) < 4:
        raise WeakPassword("the password is too easy to guess; mix letters and digits")


def register_user(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    clock: Clock,
    email: str,
    password: str,
    *,
    language: str = "en",
    is_admin: bool = False,
) -> int:
    """Create an account and return its id; raise AccountError on bad input."""
    address = normalise_email(email)
    check_password_strength(password)
    with uow:
        if uow.users.get_by_email(address) is not None:
            raise DuplicateAccount(
                f"an account for {address} already exists; log in instead"
            )
        user = User(
            address,
            hasher.hash(password),
            is_admin=is_admin,
            language=language,
            created_at=clock.now(),
        )
        uow.users.add(user)
        uow.commit()
        assert user.id is not None
        return user.id


def authenticate(
    uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, email: str, password: str
) -> int | None:
    """Return the user id for valid credentials of an active account, else None."""
    address = email.strip().lower()
    with uow:
        user = uow.users.get_by_email(address)
        if user is None or not user.is_active:
            return None
        if not hasher.verify(user.password_hash, password):
            return None
        user.last_login_at = clock.now()
        uow.commit()
        return user.id


def get_active_user(uow: UnitOfWork, user_id: int) -> User | None:
    """Return the user, or None when the account is missing or deactivated."""
    with uow:
        user = uow.users.get(user_id)
    if user is None or not user.is_active:
        return None
    return user


def set_language(uow: UnitOfWork, user_id: int, language: str) -> None:
    """Store the user's interface language, a code such as "en" or "ru"."""
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise AccountError(f"user {user_id} not found")
        user.language = language
        uow.commit()
