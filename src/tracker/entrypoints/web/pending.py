"""Lookups the user started and whose result the page is still waiting for.

A domain never checked is pending until its first lookup ends. After
"Check now" it is pending until `last_checked_at` moves past the value it
had when the job was queued. The session keeps that value, so a reload
keeps showing "checking…" while the job runs.
"""

from __future__ import annotations

from datetime import datetime

from flask import session

from tracker.services.domains import DomainRow

_SESSION_KEY = "pending_checks"
# Enough for any page of recent clicks; the oldest entries go first.
_MAX_ENTRIES = 50
_NEVER = "never"


def mark_pending(domain_id: int, last_checked_at: datetime | None) -> None:
    """Remember that a lookup of the domain was queued just now."""
    pending = dict(session.get(_SESSION_KEY, {}))
    pending.pop(str(domain_id), None)
    pending[str(domain_id)] = _stamp(last_checked_at)
    while len(pending) > _MAX_ENTRIES:
        pending.pop(next(iter(pending)))
    session[_SESSION_KEY] = pending


def is_pending(row: DomainRow) -> bool:
    """True while the row waits for a lookup result.

    Drops the session entry of a row whose lookup has ended.
    """
    if row.last_checked_at is None:
        return True
    pending: dict[str, str] = session.get(_SESSION_KEY, {})
    queued_at = pending.get(str(row.id))
    if queued_at is None:
        return False
    if queued_at == _stamp(row.last_checked_at):
        return True
    forget(row.id)
    return False


def forget(domain_id: int) -> None:
    pending = dict(session.get(_SESSION_KEY, {}))
    if pending.pop(str(domain_id), None) is not None:
        session[_SESSION_KEY] = pending


def _stamp(value: datetime | None) -> str:
    return value.isoformat() if value is not None else _NEVER
