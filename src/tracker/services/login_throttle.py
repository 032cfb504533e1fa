"""Lock-outs after repeated failed log-ins, per email address and per client address."""

from __future__ import annotations

import enum
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# Five wrong passwords for one account within 15 minutes lock it for 15
# minutes. A client address gets more tries, because several people behind
# one NAT or proxy share it.
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
# The oldest entries are dropped beyond this many, so a flood of made-up
# emails cannot grow the memory without bound.
MAX_TRACKED_KEYS = 10_000


class LockoutScope(enum.StrEnum):
    EMAIL = "email"
    ADDRESS = "address"


@dataclass(frozen=True)
class Lockout:
    """A lock-out of one email address or one client address until `until`."""

    scope: LockoutScope
    key: str
    until: datetime
    failures: int

    def minutes_left(self, now: datetime) -> int:
        """Return the whole minutes until the lock-out ends, at least 1."""
        seconds = (self.until - now).total_seconds()
        return max(1, math.ceil(seconds / 60))


@dataclass
class _Record:
    failures: list[datetime] = field(default_factory=list)
    locked_until: datetime | None = None


class _Counter:
    """Failed attempts per key within FAILURE_WINDOW, and lock-outs they caused."""

    def __init__(self, scope: LockoutScope, limit: int, max_keys: int) -> None:
        self.scope = scope
        self.limit = limit
        self.max_keys = max_keys
        self.records: OrderedDict[str, _Record] = OrderedDict()

    def lockout(self, key: str, now: datetime) -> Lockout | None:
        record = self.records.get(key)
        if record is None or record.locked_until is None:
            return None
        if now >= record.locked_until:
            record.locked_until = None
            return None
        return Lockout(self.scope, key, record.locked_until, self.limit)

    def add_failure(self, key: str, now: datetime) -> Lockout | None:
        """Count one failure; return the lock-out it starts, or None."""
        record = self.records.pop(key, None) or _Record()
        self.records[key] = record
        while len(self.records) > self.max_keys:
            self.records.popitem(last=False)
        start = now - FAILURE_WINDOW
        record.failures = [at for at in record.failures if at > start]
        record.failures.append(now)
        if len(record.failures) < self.limit:
            return None
        record.failures.clear()
        record.locked_until = now + LOCKOUT
        return Lockout(self.scope, key, record.locked_until, self.limit)

    def clear(self, key: str) -> None:
        self.records.pop(key, None)


class LoginThrottle:
    """Count failed log-ins and lock out an email or a client address.

    The counts live in this object, in the memory of one process. Each
    process of a multi-process server counts on its own, and a restart
    clears every count. Safe to share between threads.
    """

    def __init__(
        self,
        *,
        max_failures_per_email: int = MAX_FAILURES_PER_EMAIL,
        max_failures_per_address: int = MAX_FAILURES_PER_ADDRESS,
        max_keys: int = MAX_TRACKED_KEYS,
    ) -> None:
        self._lock = threading.Lock()
        self._emails = _Counter(LockoutScope.EMAIL, max_failures_per_email, max_keys)
        self._addresses = _Counter(
            LockoutScope.ADDRESS, max_failures_per_address, max_keys
        )

    def lockout(self, email: str, address: str, now: datetime) -> Lockout | None:
        """Return the lock-out in force for this email or address, or None."""
        with self._lock:
            return self._emails.lockout(_email_key(email), now) or (
                self._addresses.lockout(address, now)
            )

    def record_failure(self, email: str, address: str, now: datetime) -> list[Lockout]:
        """Count a failed log-in; return the lock-outs it starts (often none)."""
        with self._lock:
            started = [
                self._emails.add_failure(_email_key(email), now),
                self._addresses.add_failure(address, now),
            ]
        return [lockout for lockout in started if lockout is not None]

    def record_success(self, email: str) -> None:
        """Forget the failures of this email; the address keeps its count."""
        with self._lock:
            self._emails.clear(_email_key(email))


def _email_key(email: str) -> str:
    return email.strip().lower()
