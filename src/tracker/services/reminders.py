"""Reminders before expiry: planning them per domain, and the sweep that sends them.

Planning turns a domain's current state into notification rows. The state
is the expiry date, the owner's thresholds and channels, and the muted flag.
Per channel there is one row per threshold, one "expired" message for the day
after expiry, and one "renewed" message when the date moved later. Pending
rows no longer desired are cancelled. Sent and failed rows are history and
stay as they are.

The sweep sends the pending rows that are due. Each row is claimed with one
conditional UPDATE right before it is sent, so two sweeps, a retried job or a
crash after sending never send it twice. The unique key on
(domain, expiry date, kind, threshold, channel) keeps a row from being
planned twice. Rows of a channel that is not configured (no SMTP server, no
Telegram bot token) are left pending, without an attempt, until it is.

An error while planning or sending one domain's reminders is logged and
recorded, and the sweep goes on with the others.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from tracker.domain.expiry import (
    DEFAULT_THRESHOLDS,
    ExpiryPolicy,
    ImplausibleExpiry,
    check_plausible_expiry,
    parse_thresholds,
)
from tracker.domain.model import (
    Channel,
    Domain,
    Reminder,
    ReminderKind,
    ReminderStatus,
    User,
)
from tracker.services.messages import (
    LANGUAGES,
    ReminderFacts,
    compose_reminder,
    compose_test_message,
)
from tracker.services.ports import (
    Clock,
    Message,
    NotificationFailed,
    Notifier,
    UnitOfWork,
)
from tracker.services.settings import KEY_THRESHOLDS

logger = logging.getLogger(__name__)

# Transient failures are retried after 5, 10, 20, 40 and 80 minutes. The
# sixth failed attempt marks the reminder failed, 155 minutes after the first.
MAX_ATTEMPTS = 6
FIRST_RETRY_DELAY = timedelta(minutes=5)
MAX_RETRY_DELAY = timedelta(hours=6)

# A claim older than this belongs to a worker that stopped while sending. The
# SMTP and Telegram adapters time out after 30 s and 15 s without data.
CLAIM_TIMEOUT = timedelta(minutes=30)

# Planned reminders fall due at this time of day. Days left count in UTC
# dates, and 06:00 UTC is 09:00 in Moscow and 07:00 or 08:00 in Central
# Europe, so a Telegram message does not arrive at night there.
# NOTE: users have no time zone setting, so in the Americas this is night.
SEND_TIME = clock_time(6, 0, tzinfo=UTC)

SWEEP_BATCH_SIZE = 500
# Registrations run for a year or more, so a longer threshold would come due
# right after each renewal.
MAX_THRESHOLD_DAYS = 365
PLAN_BATCH_SIZE = 1000

_TELEGRAM_CHAT_ID = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$")
_ALREADY_SENT = (ReminderStatus.SENT, ReminderStatus.SENDING)

ReminderKey = tuple[ReminderKind, int, Channel]

_SETUP_HINTS = {
    Channel.EMAIL: "set SMTP_HOST, and MAIL_FROM or the mail sender setting",
    Channel.TELEGRAM: "set the Telegram bot token in the admin settings",
}


class ReminderSettingsError(ValueError):
    """Raised for reminder settings that cannot be stored, naming the problem."""


@dataclass
class SweepResult:
    """Counts of what one sweep did, for the log and `tracker remind --due`.

    `waiting` counts the due reminders left pending because their channel is
    not configured. `planning_errors` counts the domains whose planning raised.
    """

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    interrupted: int = 0
    waiting: int = 0
    planned_domains: int = 0
    planning_errors: int = 0

    def summary(self) -> str:
        return (
            f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}, "
            f"skipped {self.skipped}, interrupted {self.interrupted}, "
            f"waiting {self.waiting}, planned {self.planned_domains} domains, "
            f"planning errors {self.planning_errors}"
        )


# Planning --------------------------------------------------------------------


def plan_reminders(uow: UnitOfWork, clock: Clock, domain_id: int) -> None:
    """Bring the domain's reminder rows in line with its current state.

    Call it whenever the expiry date, the muted flag or the owner's reminder
    settings change; calling it again without a change does nothing.

    A missed call only delays planning to the next sweep. The sweep plans up
    to PLAN_BATCH_SIZE domains without a live row for their current date (a
    new date, an unmuted domain, a reactivated account). It also re-plans
    each domain right before sending its reminder. A change to the default
    thresholds needs `plan_all_reminders`.
    """
    with uow:
        _plan_domain(uow, clock.now(), domain_id)
        uow.commit()


def plan_user_reminders(uow: UnitOfWork, clock: Clock, user_id: int) -> int:
    """Plan every domain of one user and return the number planned without error."""
    with uow:
        domain_ids = [d.id for d in uow.domains.list_for_user(user_id) if d.id]
    errors = _plan_each(uow, clock, domain_ids)
    return len(domain_ids) - errors


def plan_all_reminders(uow: UnitOfWork, clock: Clock) -> int:
    """Plan every domain, as after a change of default thresholds.

    Returns the number of domains planned without error.
    """
    with uow:
        domain_ids = [d.id for d in uow.domains.list_all() if d.id]
    errors = _plan_each(uow, clock, domain_ids)
    return len(domain_ids) - errors


def _plan_each(uow: UnitOfWork, clock: Clock, domain_ids: Sequence[int]) -> int:
    """Plan the domains one by one and return how many raised an error.

    Each error is logged with the domain id, and the next domain is planned.
    """
    errors = 0
    for domain_id in domain_ids:
        try:
            plan_reminders(uow, clock, domain_id)
        except Exception:
            logger.exception("planning reminders of domain %s failed", domain_id)
            errors += 1
    if errors:
        logger.warning("planning failed for %d of %d domains", errors, len(domain_ids))
    return errors


def effective_thresholds(user: User, default: Sequence[int]) -> tuple[int, ...]:
    """Return the user's own thresholds, or `default` when they set none."""
    if not user.reminder_thresholds:
        return tuple(default)
    try:
        return parse_thresholds(user.reminder_thresholds)
    except ValueError:
        logger.warning(
            "user %s has invalid reminder thresholds %r; using the default",
            user.id,
            user.reminder_thresholds,
        )
        return tuple(default)


def enabled_channels(user: User) -> list[Channel]:
    channels = []
    if user.notify_email:
        channels.append(Channel.EMAIL)
    if user.notify_telegram and user.telegram_chat_id:
        channels.append(Channel.TELEGRAM)
    return channels


def _stored_default_thresholds(uow: UnitOfWork) -> tuple[int, ...]:
    stored = uow.settings.get(KEY_THRESHOLDS)
    if not stored:
        return DEFAULT_THRESHOLDS
    try:
        return parse_thresholds(stored)
    except ValueError:
        logger.warning(
            "stored default thresholds %r are invalid; using the built-in default",
            stored,
        )
        return DEFAULT_THRESHOLDS


def _plan_domain(uow: UnitOfWork, now: datetime, domain_id: int) -> None:
    """Cancel pending rows no longer desired, then add or restore desired ones."""
    domain = uow.domains.get(domain_id)
    if domain is None:
        return
    user = uow.users.get(domain.user_id)
    existing = list(uow.reminders.list_for_domain(domain_id))
    thresholds: tuple[int, ...] = ()
    if user is not None:
        thresholds = effective_thresholds(user, _stored_default_thresholds(uow))
    desired = _desired_reminders(domain, user, thresholds, existing, now)

    by_key: dict[ReminderKey, Reminder] = {}
    for row in existing:
        if row.expiration_date == domain.expiration_date:
            by_key[_key(row)] = row
        if row.status != ReminderStatus.PENDING or row.id is None:
            continue
        if row.expiration_date == domain.expiration_date and _key(row) in desired:
            continue
        reason = _cancel_reason(row, domain, user, thresholds, now.date())
        uow.reminders.update_if(
            row.id,
            ReminderStatus.PENDING,
            status=ReminderStatus.CANCELLED,
            last_error=reason,
        )

    for key, scheduled_for in desired.items():
        stored = by_key.get(key)
        if stored is None:
            uow.reminders.add_if_absent(_new_reminder(domain, key, scheduled_for, now))
        elif stored.status == ReminderStatus.CANCELLED and stored.id is not None:
            uow.reminders.update_if(
                stored.id,
                ReminderStatus.CANCELLED,
                status=ReminderStatus.PENDING,
                next_attempt_at=scheduled_for,
                last_error=None,
            )


def _desired_reminders(
    domain: Domain,
    user: User | None,
    thresholds: Sequence[int],
    existing: Sequence[Reminder],
    now: datetime,
) -> dict[ReminderKey, datetime]:
    """Return the reminders the domain should have, with when each is due.

    Per enabled channel, these are:
    - every threshold still ahead;
    - the threshold due today, unless a reminder at least as recent went out
      (so a domain added with 10 days left gets the 14-day one only);
    - the "expired" message for the day after expiry;
    - a "renewed" message when rows for an earlier date exist on that channel.
    """
    expiry = _plannable_expiry(domain)
    if expiry is None or domain.muted or user is None or not user.is_active:
        return {}
    days = (expiry - now.date()).days
    policy = ExpiryPolicy()
    desired: dict[ReminderKey, datetime] = {}
    for channel in enabled_channels(user):
        same_date = [
            r for r in existing if r.channel == channel and r.expiration_date == expiry
        ]
        sent = [
            r.threshold_days
            for r in same_date
            if r.kind == ReminderKind.THRESHOLD and r.status in _ALREADY_SENT
        ]
        due = policy.due_threshold(days, sent, thresholds)
        for threshold in thresholds:
            if days > threshold or threshold == due:
                key = (ReminderKind.THRESHOLD, threshold, channel)
                desired[key] = _on_day(expiry - timedelta(days=threshold))
        desired[(ReminderKind.EXPIRED, 0, channel)] = _on_day(
            expiry + timedelta(days=1)
        )
        if any(r.channel == channel and r.expiration_date < expiry for r in existing):
            desired[(ReminderKind.RENEWED, 0, channel)] = now
    return desired


def _plannable_expiry(domain: Domain) -> date | None:
    """Return the domain's expiry date, or None when no reminder can be planned.

    A date outside the plausible range was stored before the entry points
    rejected such dates. It gets a warning at each planning and no reminders,
    because dates near 9999-12-31 overflow the date arithmetic here.
    """
    if domain.expiration_date is None:
        return None
    try:
        return check_plausible_expiry(domain.expiration_date)
    except ImplausibleExpiry as error:
        logger.warning("domain %s gets no reminders: %s", domain.id, error)
        return None


def _cancel_reason(
    row: Reminder,
    domain: Domain,
    user: User | None,
    thresholds: Sequence[int],
    today: date,
) -> str:
    if row.expiration_date != domain.expiration_date:
        return f"the expiry date changed to {domain.expiration_date or 'unknown'}"
    if domain.muted:
        return "the domain is muted"
    if user is None or not user.is_active:
        return "the account is deactivated"
    if row.channel not in enabled_channels(user):
        return f"{row.channel.value} reminders are switched off"
    if row.kind == ReminderKind.THRESHOLD and row.threshold_days not in thresholds:
        return f"{row.threshold_days} days is no longer a reminder threshold"
    if row.kind == ReminderKind.THRESHOLD and row.expiration_date < today:
        return "the domain expired before this reminder went out"
    if row.kind == ReminderKind.THRESHOLD:
        return "a reminder for a later threshold replaced it"
    return "no longer needed"


def _new_reminder(
    domain: Domain, key: ReminderKey, scheduled_for: datetime, now: datetime
) -> Reminder:
    kind, threshold, channel = key
    assert domain.id is not None and domain.expiration_date is not None
    return Reminder(
        domain_id=domain.id,
        channel=channel,
        kind=kind,
        threshold_days=threshold,
        expiration_date=domain.expiration_date,
        scheduled_for=scheduled_for,
        created_at=now,
        next_attempt_at=scheduled_for,
    )


def _key(row: Reminder) -> ReminderKey:
    return (row.kind, row.threshold_days, row.channel)


def _on_day(day: date) -> datetime:
    return datetime.combine(day, SEND_TIME)


# The sweep -------------------------------------------------------------------


@dataclass(frozen=True)
class _Delivery:
    """A claimed reminder with everything needed to send it."""

    reminder_id: int
    channel: Channel
    recipient: str
    message: Message
    label: str


def send_due_reminders(
    uow: UnitOfWork,
    clock: Clock,
    notifiers: Mapping[str, Notifier],
    base_url: str,
    *,
    batch_size: int = SWEEP_BATCH_SIZE,
) -> SweepResult:
    """Run one sweep and return what it did.

    1. Mark reminders whose claim outlived CLAIM_TIMEOUT as failed.
    2. Plan domains without a live row for their current expiry date.
    3. Count the due reminders of each channel that is not configured, and
       log the count, as a warning when it is not zero. These reminders stay
       pending, unclaimed, with no attempt counted.
    4. Until nothing is due on the configured channels: re-plan the domain of
       each due reminder (which cancels what muting, a renewal or a later
       threshold made obsolete), claim it, send it and store the outcome.
    """
    result = SweepResult()
    result.interrupted = _fail_interrupted(uow, clock)
    result.planned_domains, result.planning_errors = _plan_unplanned(uow, clock)
    waiting = waiting_reminders(uow, clock, notifiers)
    _log_waiting(waiting)
    result.waiting = sum(waiting.values())
    ready = [channel for channel in Channel if channel not in waiting]
    if ready:
        _send_due(uow, clock, notifiers, base_url, batch_size, ready, result)
    logger.info("reminder sweep: %s", result.summary())
    return result


def _send_due(
    uow: UnitOfWork,
    clock: Clock,
    notifiers: Mapping[str, Notifier],
    base_url: str,
    batch_size: int,
    channels: Sequence[Channel],
    result: SweepResult,
) -> None:
    """Send the due reminders of `channels` until none is left."""
    planned: set[int] = set()
    seen: set[int] = set()
    while True:
        with uow:
            due_ids = uow.reminders.due_ids(clock.now(), batch_size, channels=channels)
            due = [i for i in due_ids if i not in seen]
        if not due:
            break
        for reminder_id in due:
            seen.add(reminder_id)
            _process(uow, clock, notifiers, base_url, reminder_id, planned, result)


def _fail_interrupted(uow: UnitOfWork, clock: Clock) -> int:
    # NOTE: a worker that stopped while sending may or may not have delivered
    # the message. Sending it again could duplicate it, so the reminder is
    # marked failed instead. The next threshold still goes out.
    now = clock.now()
    count = 0
    with uow:
        for reminder_id in uow.reminders.claimed_before(now - CLAIM_TIMEOUT):
            updated = uow.reminders.update_if(
                reminder_id,
                ReminderStatus.SENDING,
                status=ReminderStatus.FAILED,
                last_error="the worker stopped while sending; delivery is unknown",
            )
            if updated:
                logger.warning("reminder %s was interrupted while sending", reminder_id)
                count += 1
        uow.commit()
    return count


def _plan_unplanned(uow: UnitOfWork, clock: Clock) -> tuple[int, int]:
    """Plan the domains without a plan for their current date.

    Returns the number planned without error and the number that failed.
    """
    # NOTE: a domain whose planning always raises is found, and logged, again
    # at every sweep, and takes one of the PLAN_BATCH_SIZE places each time.
    with uow:
        domain_ids = list(uow.reminders.unplanned_domain_ids(PLAN_BATCH_SIZE))
    errors = _plan_each(uow, clock, domain_ids)
    return len(domain_ids) - errors, errors


def unconfigured_channels(notifiers: Mapping[str, Notifier]) -> list[Channel]:
    """Return the channels whose notifier is missing or not configured."""
    return [
        channel
        for channel in Channel
        if channel not in notifiers or not notifiers[channel].is_configured()
    ]


def waiting_reminders(
    uow: UnitOfWork, clock: Clock, notifiers: Mapping[str, Notifier]
) -> dict[Channel, int]:
    """Return, per channel that cannot send, the number of due reminders waiting.

    The dict is empty when every channel is configured. A channel that is not
    configured is in it even when no reminder waits. The count is of stored
    rows: when a domain has several due thresholds waiting, the sweep sends
    only the latest and cancels the others.
    """
    unconfigured = unconfigured_channels(notifiers)
    if not unconfigured:
        return {}
    with uow:
        counts = uow.reminders.due_counts(clock.now())
    return {channel: counts.get(channel, 0) for channel in unconfigured}


def _log_waiting(waiting: Mapping[Channel, int]) -> None:
    for channel, count in waiting.items():
        if count:
            logger.warning(
                "%s is not configured and %d due reminders are waiting. "
                "To send them, %s",
                channel.value,
                count,
                _SETUP_HINTS[channel],
            )
        else:
            logger.info(
                "%s is not configured, and no reminder is waiting", channel.value
            )


def _process(
    uow: UnitOfWork,
    clock: Clock,
    notifiers: Mapping[str, Notifier],
    base_url: str,
    reminder_id: int,
    planned: set[int],
    result: SweepResult,
) -> None:
    try:
        delivery = _claim(uow, clock, base_url, reminder_id, planned)
    except Exception as error:
        # Nothing was sent. Marking the reminder failed keeps it from
        # stopping every later sweep at the same point.
        message = f"preparing the message failed: {error!r}"
        domain_id = _fail_unsent(uow, clock, reminder_id, message)
        logger.exception(
            "preparing reminder %s of domain %s failed", reminder_id, domain_id
        )
        result.failed += 1
        return
    if delivery is None:
        result.skipped += 1
        return
    started = time.monotonic()
    try:
        # The due selection holds only channels with a configured notifier.
        notifiers[delivery.channel].send(delivery.recipient, delivery.message)
    except NotificationFailed as error:
        status = _record_failure(uow, clock, delivery, error)
    except Exception as error:
        # The outcome is unknown, so the reminder is not sent again.
        logger.exception("sending %s failed unexpectedly", delivery.label)
        status = _record_failure(
            uow, clock, delivery, NotificationFailed(repr(error), permanent=True)
        )
    else:
        status = _record_sent(uow, clock, delivery)
    seconds = time.monotonic() - started
    logger.info("%s: %s in %.2f s", delivery.label, status.value, seconds)
    if status == ReminderStatus.SENT:
        result.sent += 1
    elif status == ReminderStatus.PENDING:
        result.retrying += 1
    else:
        result.failed += 1


def _claim(
    uow: UnitOfWork, clock: Clock, base_url: str, reminder_id: int, planned: set[int]
) -> _Delivery | None:
    """Re-plan the reminder's domain, claim the reminder and compose its message.

    Returns None when the reminder is gone, was cancelled by planning, or
    another worker claimed it first. An error rolls the claim back and is
    raised.
    """
    now = clock.now()
    with uow:
        reminder = uow.reminders.get(reminder_id)
        if reminder is None:
            return None
        if reminder.domain_id not in planned:
            _plan_domain(uow, now, reminder.domain_id)
            planned.add(reminder.domain_id)
        if not uow.reminders.claim(reminder_id, now):
            uow.commit()
            return None
        delivery = _compose(uow, clock.today(), base_url, reminder)
        if delivery is None:
            uow.reminders.update_if(
                reminder_id,
                ReminderStatus.SENDING,
                status=ReminderStatus.CANCELLED,
                last_error="no recipient for this channel",
            )
        uow.commit()
    return delivery


def _compose(
    uow: UnitOfWork, today: date, base_url: str, reminder: Reminder
) -> _Delivery | None:
    domain = uow.domains.get(reminder.domain_id)
    user = None if domain is None else uow.users.get(domain.user_id)
    if domain is None or user is None:
        return None
    recipient = (
        user.email if reminder.channel == Channel.EMAIL else user.telegram_chat_id
    )
    if not recipient:
        return None
    facts = ReminderFacts(
        kind=reminder.kind,
        ascii_name=domain.name,
        unicode_name=domain.unicode_name,
        expiration_date=reminder.expiration_date,
        days_left=(reminder.expiration_date - today).days,
        registrar=domain.registrar,
        source=domain.source,
        previous_expiration_date=_previous_date(uow, reminder),
    )
    assert reminder.id is not None
    label = (
        f"{reminder.kind.value} reminder {reminder.id} "
        f"({reminder.threshold_days} days) for {domain.name} "
        f"(domain {domain.id}) by {reminder.channel.value}"
    )
    return _Delivery(
        reminder_id=reminder.id,
        channel=reminder.channel,
        recipient=recipient,
        message=compose_reminder(facts, user.language, base_url),
        label=label,
    )


def _previous_date(uow: UnitOfWork, reminder: Reminder) -> date | None:
    if reminder.kind != ReminderKind.RENEWED:
        return None
    earlier = [
        r.expiration_date
        for r in uow.reminders.list_for_domain(reminder.domain_id)
        if r.expiration_date < reminder.expiration_date
    ]
    return max(earlier, default=None)


def _fail_unsent(
    uow: UnitOfWork, clock: Clock, reminder_id: int, message: str
) -> int | None:
    """Mark a pending reminder failed and return its domain id, None if it is gone."""
    # The claim was rolled back, so `claimed_at` is set here. The admin home
    # dates a failure by it, and an earlier attempt's time would be wrong.
    with uow:
        reminder = uow.reminders.get(reminder_id)
        uow.reminders.update_if(
            reminder_id,
            ReminderStatus.PENDING,
            status=ReminderStatus.FAILED,
            last_error=message,
            claimed_at=clock.now(),
        )
        uow.commit()
    return None if reminder is None else reminder.domain_id


def _record_sent(uow: UnitOfWork, clock: Clock, delivery: _Delivery) -> ReminderStatus:
    with uow:
        updated = uow.reminders.update_if(
            delivery.reminder_id,
            ReminderStatus.SENDING,
            status=ReminderStatus.SENT,
            sent_at=clock.now(),
            last_error=None,
        )
        uow.commit()
    if not updated:
        logger.warning("%s was sent, but its claim had been released", delivery.label)
    return ReminderStatus.SENT


def _record_failure(
    uow: UnitOfWork, clock: Clock, delivery: _Delivery, error: NotificationFailed
) -> ReminderStatus:
    now = clock.now()
    with uow:
        reminder = uow.reminders.get(delivery.reminder_id)
        attempts = reminder.attempts if reminder is not None else MAX_ATTEMPTS
        if error.permanent or attempts >= MAX_ATTEMPTS:
            status = ReminderStatus.FAILED
            changes: dict[str, object] = {"status": status}
        else:
            status = ReminderStatus.PENDING
            changes = {"status": status, "next_attempt_at": now + retry_delay(attempts)}
        uow.reminders.update_if(
            delivery.reminder_id,
            ReminderStatus.SENDING,
            last_error=error.message,
            **changes,
        )
        uow.commit()
    logger.warning(
        "%s failed (attempt %d): %s", delivery.label, attempts, error.message
    )
    return status


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after failed attempt number `attempts`.

    5 minutes after the first, doubling each time, at most MAX_RETRY_DELAY.
    """
    delay: timedelta = FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0)
    return min(delay, MAX_RETRY_DELAY)


# Per-user settings -----------------------------------------------------------


@dataclass(frozen=True)
class ReminderPreferences:
    """A user's reminder settings as the settings page shows them.

    `thresholds` is None when the user follows the admin's default list.
    """

    thresholds: tuple[int, ...] | None
    default_thresholds: tuple[int, ...]
    notify_email: bool
    notify_telegram: bool
    telegram_chat_id: str | None
    language: str

    @property
    def effective_thresholds(self) -> tuple[int, ...]:
        return self.thresholds or self.default_thresholds


def get_preferences(uow: UnitOfWork, user_id: int) -> ReminderPreferences:
    """Return the user's reminder settings; raise LookupError for an unknown user."""
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise LookupError(f"user {user_id} not found")
        default = _stored_default_thresholds(uow)
        own = None
        if user.reminder_thresholds:
            own = effective_thresholds(user, default)
        return ReminderPreferences(
            thresholds=own,
            default_thresholds=default,
            notify_email=user.notify_email,
            notify_telegram=user.notify_telegram,
            telegram_chat_id=user.telegram_chat_id,
            language=user.language,
        )


def update_preferences(
    uow: UnitOfWork,
    clock: Clock,
    user_id: int,
    *,
    thresholds_text: str,
    notify_email: bool,
    notify_telegram: bool,
    telegram_chat_id: str,
    language: str,
) -> None:
    """Validate and store the user's reminder settings, then re-plan their domains.

    An empty `thresholds_text` means the admin's default list. Raises
    ReminderSettingsError for invalid input and LookupError for an unknown user.
    """
    thresholds = _parse_user_thresholds(thresholds_text)
    chat_id = normalise_chat_id(telegram_chat_id)
    if notify_telegram and chat_id is None:
        raise ReminderSettingsError(
            "enter your Telegram chat id to receive reminders by Telegram"
        )
    if language not in LANGUAGES:
        raise ReminderSettingsError(f"language {language!r} is not supported")
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise LookupError(f"user {user_id} not found")
        user.reminder_thresholds = thresholds
        user.notify_email = notify_email
        user.notify_telegram = notify_telegram
        user.telegram_chat_id = chat_id
        user.language = language
        uow.commit()
    plan_user_reminders(uow, clock, user_id)


def _parse_user_thresholds(text: str) -> str | None:
    if not text.strip():
        return None
    try:
        thresholds = parse_thresholds(text)
    except ValueError as error:
        raise ReminderSettingsError(str(error)) from None
    if thresholds[0] > MAX_THRESHOLD_DAYS:
        raise ReminderSettingsError(
            f"reminder thresholds must be at most {MAX_THRESHOLD_DAYS} days"
        )
    return ", ".join(str(t) for t in thresholds)


def normalise_chat_id(text: str) -> str | None:
    """Return a Telegram chat id ("123", "-100123" or "@channel"), or None if empty.

    Raises ReminderSettingsError for anything else.
    """
    value = text.strip()
    if not value:
        return None
    if not _TELEGRAM_CHAT_ID.match(value):
        raise ReminderSettingsError(
            f"{value!r} is not a Telegram chat id; enter a number such as 123456789 "
            "or a channel name such as @mychannel"
        )
    return value


def set_muted(
    uow: UnitOfWork, clock: Clock, user_id: int, domain_id: int, muted: bool
) -> None:
    """Mute or unmute reminders for one of the user's domains, then re-plan it.

    Muting cancels the pending reminders; unmuting plans them again. Raises
    LookupError when the domain does not exist or belongs to another user.
    """
    with uow:
        domain = uow.domains.get_for_user(user_id, domain_id)
        if domain is None:
            raise LookupError(f"domain {domain_id} not found")
        domain.muted = muted
        domain.updated_at = clock.now()
        uow.commit()
    plan_reminders(uow, clock, domain_id)


def send_test_message(
    uow: UnitOfWork, notifier: Notifier, base_url: str, user_id: int
) -> str:
    """Send a test message to the user's Telegram chat and return the chat id.

    Raises ReminderSettingsError when no chat id is stored, NotificationFailed
    when Telegram did not accept the message.
    """
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise LookupError(f"user {user_id} not found")
        chat_id, language = user.telegram_chat_id, user.language
    if not chat_id:
        raise ReminderSettingsError("save a Telegram chat id first")
    notifier.send(chat_id, compose_test_message(language, base_url))
    return chat_id
