"""The admin home page: figures over all users, failing lookups, failed reminders.

It also names each reminder channel that is not configured, with the number
of due reminders waiting for it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_admin import AdminIndexView, expose
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from tracker.adapters import orm
from tracker.domain.expiry import ExpiryPolicy
from tracker.domain.model import ReminderStatus
from tracker.domain.names import DomainName
from tracker.entrypoints.admin.access import AdminAccess, container
from tracker.entrypoints.admin.views import TrackerModelView
from tracker.services.reminders import waiting_reminders

FAILED_REMINDERS_DAYS = 7
RECENT_FAILURES_SHOWN = 10


@dataclass(frozen=True)
class DomainFigures:
    """The user dashboard's figures, counted over every user's domains."""

    total: int
    # 0 to warning_days and 0 to critical_days days left, as the policy's
    # yellow and red bands count them.
    expiring_within_warning_days: int
    expiring_within_critical_days: int
    expired: int
    unknown_expiry: int
    failing: int


@dataclass
class TldFailures:
    """Domains under one TLD whose latest lookup failed."""

    tld: str
    count: int = 0
    oldest: datetime | None = None
    kinds: Counter[str] = field(default_factory=Counter)


def domain_figures(
    session: Session, today: date, policy: ExpiryPolicy
) -> DomainFigures:
    """Count all domains by days left, in one query."""
    expiry = orm.domains.c.expiration_date
    warning_end = today + timedelta(days=policy.warning_days)
    critical_end = today + timedelta(days=policy.critical_days)

    def count_where(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(
        select(
            func.count(),
            count_where(and_(expiry >= today, expiry <= warning_end)),
            count_where(and_(expiry >= today, expiry <= critical_end)),
            count_where(expiry < today),
            count_where(expiry.is_(None)),
            count_where(orm.domains.c.failing_since.isnot(None)),
        ).select_from(orm.domains)
    ).one()
    return DomainFigures(*(int(value) for value in row))


def user_figures(session: Session) -> dict[str, int]:
    columns = orm.users.c
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((columns.is_active, 1), else_=0)), 0),
            func.coalesce(
                func.sum(case((and_(columns.is_admin, columns.is_active), 1), else_=0)),
                0,
            ),
        ).select_from(orm.users)
    ).one()
    return {"total": int(row[0]), "active": int(row[1]), "admins": int(row[2])}


def failures_per_tld(session: Session) -> list[TldFailures]:
    """Group the domains whose latest lookup failed by TLD, most first."""
    columns = orm.domains.c
    rows = session.execute(
        select(columns.name, columns.failing_since, columns.last_error_kind).where(
            columns.failing_since.isnot(None)
        )
    )
    groups: dict[str, TldFailures] = {}
    for name, since, kind in rows:
        tld = DomainName(name).tld
        group = groups.setdefault(tld, TldFailures(tld))
        group.count += 1
        group.kinds[kind or "unknown"] += 1
        if group.oldest is None or since < group.oldest:
            group.oldest = since
    return sorted(groups.values(), key=lambda g: (-g.count, g.tld))


def failed_reminders(session: Session, now: datetime) -> tuple[int, list[Any]]:
    """Count the reminders that failed in the last 7 days; list the newest.

    A failed reminder's time is its `claimed_at`: the sweep sets it when it
    claims a reminder, and when preparing a message fails before the claim.
    Rows that were never claimed fall back to their scheduled time.
    """
    columns = orm.notifications.c
    attempted = func.coalesce(columns.claimed_at, columns.scheduled_for)
    recent = and_(
        columns.status == ReminderStatus.FAILED.value,
        attempted >= now - timedelta(days=FAILED_REMINDERS_DAYS),
    )
    count = session.execute(select(func.count()).where(recent)).scalar_one()
    newest = session.execute(
        select(
            columns.id,
            orm.domains.c.unicode_name,
            columns.notification_type,
            attempted.label("attempted_at"),
            columns.attempts,
            columns.last_error,
        )
        .join(orm.domains, orm.domains.c.id == columns.domain_id)
        .where(recent)
        .order_by(attempted.desc(), columns.id.desc())
        .limit(RECENT_FAILURES_SHOWN)
    ).all()
    return int(count), list(newest)


class AdminHome(AdminAccess, AdminIndexView):
    def __init__(self, db: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.db = db
        self.domains_view: TrackerModelView | None = None
        self.reminders_view: TrackerModelView | None = None

    def _links(self) -> dict[str, str]:
        """Return the filtered lists the figures link to."""
        assert self.domains_view is not None and self.reminders_view is not None
        domains = self.domains_view
        return {
            "expired": domains.filter_url("Urgency", "expired"),
            "unknown": domains.filter_url("Urgency", "unknown"),
            "failing": domains.filter_url("Failing lookups", "1"),
            "failed_reminders": self.reminders_view.filter_url("Status", "failed"),
        }

    @expose("/")
    def index(self) -> Any:
        session = self.db.session
        clock = container().clock()
        policy: ExpiryPolicy = container().policy()
        failed_count, failed = failed_reminders(session, clock.now())
        waiting = waiting_reminders(container().uow(), clock, container().notifiers())
        return self.render(
            "tracker_admin/home.html",
            today=clock.today(),
            domains=domain_figures(session, clock.today(), policy),
            policy=policy,
            users=user_figures(session),
            tld_failures=failures_per_tld(session),
            failed_count=failed_count,
            waiting=waiting,
            failed=failed,
            failed_days=FAILED_REMINDERS_DAYS,
            links=self._links(),
        )
