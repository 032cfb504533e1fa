"""Sign-up and log-in."""

from __future__ import annotations

import enum
import re
import secrets
from weakref import WeakKeyDictionary

from tracker.domain.model import User
from tracker.services.common_passwords import COMMON_PASSWORDS
from tracker.services.ports import Clock, PasswordHasher, UnitOfWork

MIN_PASSWORD_LENGTH = 8
# A password with fewer different characters ("aaaa1111") is a pattern.
MIN_DISTINCT_CHARACTERS = 4
# A shorter local part ("jo@...") appears inside too many unrelated passwords.
MIN_LOCAL_PART_CHECKED = 4
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRAILING_NON_LETTERS = re.compile(r"[\W\d_]+$")


class AccountError(Exception):
    """Raised for sign-up or log-in input that cannot be accepted."""


class InvalidEmail(AccountError):
    """The email address is not of the form name@host.tld."""


class PasswordProblem(enum.StrEnum):
    """The rule a rejected password broke; the web layer words each one."""

    TOO_SHORT = "too short"
    TOO_COMMON = "too common"
    CONTAINS_EMAIL = "contains email"
    NO_LETTER = "no letter"
    ONLY_LETTERS = "only letters"
    TOO_FEW_DISTINCT = "too few distinct characters"


class WeakPassword(AccountError):
    """The password is too short or too easy to guess; `problem` names the rule."""

    def __init__(self, problem: PasswordProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


class DuplicateAccount(AccountError):
    """An account with this email address already exists."""


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.match(value):
        raise InvalidEmail(f"{email.strip()!r} is not a valid email address")
    return value


def check_password_strength(password: str, email: str | None = None) -> None:
    """Raise WeakPassword for a password too weak to store.

    A password needs MIN_PASSWORD_LENGTH characters, MIN_DISTINCT_CHARACTERS
    of them different, with a letter and a digit or symbol. It must not be
    on the common-password list, also after removing the digits and symbols
    at its end. It must not contain the local part of `email`.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            PasswordProblem.TOO_SHORT,
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
        )
    if _is_common(password):
        raise WeakPassword(
            PasswordProblem.TOO_COMMON,
            "the password is one of the most common passwords, or one with "
            "digits or symbols added; choose another",
        )
    if email is not None and _contains_local_part(password, email):
        raise WeakPassword(
            PasswordProblem.CONTAINS_EMAIL,
            "the password contains the name part of the email address",
        )
    if not any(character.isalpha() for character in password):
        raise WeakPassword(
            PasswordProblem.NO_LETTER, "the password has no letter; add one"
        )
    if password.isalpha():
        raise WeakPassword(
            PasswordProblem.ONLY_LETTERS,
            "the password has only letters; add a digit or a symbol",
        )
    if len(set(password)) < MIN_DISTINCT_CHARACTERS:
        raise WeakPassword(
            PasswordProblem.TOO_FEW_DISTINCT,
            f"the password must have at least {MIN_DISTINCT_CHARACTERS} "
            "different characters",
        )


def _is_common(password: str) -> bool:
    lowered = password.lower()
    stem = _TRAILING_NON_LETTERS.sub("", lowered)
    return lowered in COMMON_PASSWORDS or stem in COMMON_PASSWORDS


def _contains_local_part(password: str, email: str) -> bool:
    local_part = email.strip().lower().split("@", 1)[0]
    lowered = password.lower()
    if lowered == local_part:
        return True
    return len(local_part) >= MIN_LOCAL_PART_CHECKED and local_part in lowered


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
    check_password_strength(password, address)
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
    """Return the user id for valid credentials of an active account, else None.

    The password is verified against a stored hash in every case, a
    throwaway one for an unknown email, so the call takes about as long
    whether or not the email has an account.
    """
    address = email.strip().lower()
    with uow:
        user = uow.users.get_by_email(address)
        if user is None:
            hasher.verify(_throwaway_hash(hasher), password)
            return None
        if not hasher.verify(user.password_hash, password) or not user.is_active:
            return None
        user.last_login_at = clock.now()
        uow.commit()
        return user.id


_throwaway_hashes: WeakKeyDictionary[PasswordHasher, str] = WeakKeyDictionary()


def _throwaway_hash(hasher: PasswordHasher) -> str:
    """Return a hash of a random password, made once per hasher.

    It has the hasher's own cost parameters, so verifying against it takes
    as long as verifying against a stored hash.
    """
    found = _throwaway_hashes.get(hasher)
    if found is None:
        found = hasher.hash(secrets.token_urlsafe(16))
        _throwaway_hashes[hasher] = found
    return found


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
