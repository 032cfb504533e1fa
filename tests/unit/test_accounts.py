"""Password rules, log-in timing parity and the log-in throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.unit.fakes import FakeHasher, FakeUnitOfWork
from tracker.adapters.clock import FixedClock
from tracker.services import accounts
from tracker.services.accounts import PasswordProblem
from tracker.services.common_passwords import COMMON_PASSWORDS
from tracker.services.login_throttle import (
    FAILURE_WINDOW,
    LOCKOUT,
    LockoutScope,
    LoginThrottle,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", PasswordProblem.TOO_SHORT),
        ("password", PasswordProblem.TOO_COMMON),
        ("admin123", PasswordProblem.TOO_COMMON),
        ("Admin2024!", PasswordProblem.TOO_COMMON),
        ("P@ssw0rd", PasswordProblem.TOO_COMMON),
        ("1q2w3e4r", PasswordProblem.TOO_COMMON),
        ("12345678", PasswordProblem.TOO_COMMON),
        ("98765432109", PasswordProblem.NO_LETTER),
        ("--++--++", PasswordProblem.NO_LETTER),
        ("correcthorse", PasswordProblem.ONLY_LETTERS),
        ("aaaa1111", PasswordProblem.TOO_FEW_DISTINCT),
        ("ab1ab1ab1", PasswordProblem.TOO_FEW_DISTINCT),
    ],
)
def test_weak_password_names_its_problem(
    password: str, problem: PasswordProblem
) -> None:
    with pytest.raises(accounts.WeakPassword) as raised:
        accounts.check_password_strength(password)

    assert raised.value.problem is problem


@pytest.mark.parametrize(
    "password", ["correct-horse-42", "s3cret-pass", "Good-pass-1", "tr1cky.Otter"]
)
def test_strong_password_passes(password: str) -> None:
    accounts.check_password_strength(password, "owner@example.org")


@pytest.mark.parametrize(
    ("password", "email"),
    [
        ("jsmith-2026", "jsmith@example.org"),
        ("My-JSmith-9", "JSmith@Example.org"),
        ("winterfell7", "winterfell7@example.org"),
    ],
)
def test_password_with_email_name_is_rejected(password: str, email: str) -> None:
    with pytest.raises(accounts.WeakPassword) as raised:
        accounts.check_password_strength(password, email)

    assert raised.value.problem is PasswordProblem.CONTAINS_EMAIL


def test_short_local_part_is_not_searched() -> None:
    accounts.check_password_strength("joker-river-8", "jo@example.org")


def test_weak_password_message_says_why() -> None:
    with pytest.raises(accounts.WeakPassword, match="only letters"):
        accounts.check_password_strength("correcthorse")
    with pytest.raises(accounts.WeakPassword, match="most common passwords"):
        accounts.check_password_strength("admin123")


def test_common_password_list_is_lower_case_and_short() -> None:
    assert all(entry == entry.lower() for entry in COMMON_PASSWORDS)
    assert 80 <= len(COMMON_PASSWORDS) <= 150


def test_register_rejects_password_with_email_name(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()

    with pytest.raises(accounts.WeakPassword):
        accounts.register_user(
            uow, FakeHasher(), clock, "Winter@example.org", "winter-is-9"
        )
    assert uow.users.list() == []


class CountingHasher(FakeHasher):
    """A FakeHasher that records which hashes `verify` was given."""

    def __init__(self) -> None:
        self.hashed = 0
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        self.hashed += 1
        return super().hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return super().verify(password_hash, password)


def test_unknown_email_still_verifies_a_hash(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    hasher = CountingHasher()

    first = accounts.authenticate(uow, hasher, clock, "nobody@example.org", "x")
    second = accounts.authenticate(uow, hasher, clock, "other@example.org", "y")

    assert first is None
    assert second is None
    assert len(hasher.verified) == 2
    assert hasher.verified[0] == hasher.verified[1]
    assert hasher.hashed == 1


def test_inactive_user_still_verifies_a_hash(clock: FixedClock) -> None:
    uow = FakeUnitOfWork()
    hasher = CountingHasher()
    user_id = accounts.register_user(
        uow, hasher, clock, "gone@example.org", "s3cret-pass"
    )
    user = uow.users.get(user_id)
    assert user is not None
    user.is_active = False

    result = accounts.authenticate(
        uow, hasher, clock, "gone@example.org", "s3cret-pass"
    )

    assert result is None
    assert hasher.verified == [user.password_hash]


# The log-in throttle


def fail(
    throttle: LoginThrottle, times: int, email: str, address: str, at: datetime
) -> list[object]:
    started: list[object] = []
    for _ in range(times):
        started.extend(throttle.record_failure(email, address, at))
    return started


def test_fifth_failure_locks_the_email() -> None:
    throttle = LoginThrottle()

    assert fail(throttle, 4, "a@example.org", "10.0.0.1", NOW) == []
    assert throttle.lockout("a@example.org", "10.0.0.1", NOW) is None
    started = throttle.record_failure("A@example.org ", "10.0.0.2", NOW)

    assert len(started) == 1
    assert started[0].scope is LockoutScope.EMAIL
    lockout = throttle.lockout("a@example.org", "10.0.0.9", NOW)
    assert lockout is not None
    assert lockout.until == NOW + LOCKOUT
    assert lockout.minutes_left(NOW) == 15
    assert throttle.lockout("b@example.org", "10.0.0.9", NOW) is None


def test_lockout_ends_after_its_time() -> None:
    throttle = LoginThrottle()
    fail(throttle, 5, "a@example.org", "10.0.0.1", NOW)

    assert throttle.lockout("a@example.org", "x", NOW + LOCKOUT) is None
    assert throttle.record_failure("a@example.org", "x", NOW + LOCKOUT) == []


def test_failures_older_than_window_do_not_count() -> None:
    throttle = LoginThrottle()
    fail(throttle, 4, "a@example.org", "10.0.0.1", NOW)

    later = NOW + FAILURE_WINDOW + timedelta(seconds=1)
    started = fail(throttle, 4, "a@example.org", "10.0.0.1", later)

    assert started == []
    assert throttle.lockout("a@example.org", "10.0.0.1", later) is None


def test_success_clears_email_failures() -> None:
    throttle = LoginThrottle()
    fail(throttle, 4, "a@example.org", "10.0.0.1", NOW)

    throttle.record_success("a@example.org")

    assert fail(throttle, 4, "a@example.org", "10.0.0.1", NOW) == []


def test_many_emails_from_one_address_lock_the_address() -> None:
    throttle = LoginThrottle(max_failures_per_address=6)
    for number in range(5):
        assert throttle.record_failure(f"u{number}@example.org", "10.0.0.1", NOW) == []

    started = throttle.record_failure("u5@example.org", "10.0.0.1", NOW)

    assert [lockout.scope for lockout in started] == [LockoutScope.ADDRESS]
    lockout = throttle.lockout("new@example.org", "10.0.0.1", NOW)
    assert lockout is not None
    assert lockout.scope is LockoutScope.ADDRESS
    assert throttle.lockout("new@example.org", "10.0.0.2", NOW) is None


def test_minutes_left_rounds_up() -> None:
    throttle = LoginThrottle()
    fail(throttle, 5, "a@example.org", "10.0.0.1", NOW)

    lockout = throttle.lockout(
        "a@example.org", "x", NOW + timedelta(minutes=14, seconds=1)
    )

    assert lockout is not None
    assert lockout.minutes_left(NOW + timedelta(minutes=14, seconds=1)) == 1


def test_tracked_keys_are_capped() -> None:
    throttle = LoginThrottle(max_keys=3, max_failures_per_email=2)
    throttle.record_failure("first@example.org", "10.0.0.1", NOW)
    for number in range(3):
        throttle.record_failure(f"u{number}@example.org", f"10.0.1.{number}", NOW)

    # The oldest email was dropped, so its one failure no longer counts.
    assert throttle.record_failure("first@example.org", "10.0.0.1", NOW) == []
