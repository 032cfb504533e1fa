"""Politeness budgets per lookup server: at most N queries at once, R per second.

`LocalServerBudget` paces the threads of one process. `RedisServerBudget`
keeps the same state in Redis, so every worker process shares one budget
per server. Both implement the `ServerBudget` port.

Each budget spaces query starts `SPACING_MARGIN` times wider than 1/R, so
R + 1 starts span 1.05 s. A server that counts queries per second then
receives at most R in any second, unless the delay between a grant and its
connect varies by more than 50 ms. With 20 lookup threads in one busy
Python process that delay varied by more than 20 ms (a 2 % margin let
rate-limit answers through in benchmarks/check_throughput.py).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from redis import Redis

from tracker.domain.model import LookupErrorKind
from tracker.services.ports import LookupFailed, UnitOfWorkFactory
from tracker.services.settings import ServerLimit, limit_for, server_limits

logger = logging.getLogger(__name__)

SPACING_MARGIN = 1.05
# After a rate-limit answer the server gets no query for a pause that
# doubles with each answer in a row, from BACKOFF_BASE_SECONDS (or two
# query intervals, if longer) up to BACKOFF_MAX_SECONDS. A server that sends
# no rate-limit answer for BACKOFF_RESET_SECONDS starts again at the base.
BACKOFF_BASE_SECONDS = 5.0
BACKOFF_MAX_SECONDS = 300.0
BACKOFF_RESET_SECONDS = 600.0
# How often a budget re-reads the limits, so an admin's change applies
# without a restart.
LIMITS_REFRESH_SECONDS = 60.0

LimitsSource = Callable[[], Mapping[str, ServerLimit]]


def limits_from_settings(uow_factory: UnitOfWorkFactory) -> LimitsSource:
    """Return a source of the per-server limits stored in the admin settings."""
    return lambda: server_limits(uow_factory())


def query_interval(limit: ServerLimit) -> float:
    """Return the seconds between two query starts, margin included."""
    return SPACING_MARGIN / limit.per_second


def backoff_pause(limit: ServerLimit, strikes: int) -> float:
    """Return the pause in seconds after the `strikes`-th rate-limit answer in a row."""
    base = max(BACKOFF_BASE_SECONDS, 2 * query_interval(limit))
    return float(min(base * 2 ** min(strikes - 1, 16), BACKOFF_MAX_SECONDS))


class _CachedLimits:
    """The limits from a source, re-read at most every `refresh_seconds`.

    When re-reading fails (the database is down), the error is logged and
    the last limits stay in use. Before the first successful read, the
    built-in defaults apply.
    """

    def __init__(self, source: LimitsSource, refresh_seconds: float) -> None:
        self._source = source
        self._refresh_seconds = refresh_seconds
        self._limits: Mapping[str, ServerLimit] = {}
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def for_server(self, server: str) -> ServerLimit:
        with self._lock:
            now = time.monotonic()
            if self._read_at is None or now - self._read_at >= self._refresh_seconds:
                self._read_at = now
                try:
                    self._limits = dict(self._source())
                except Exception:
                    logger.exception(
                        "reading the server limits failed; keeping the last"
                    )
            return limit_for(self._limits, server)


def _no_slot(server: str, wait_seconds: float, reason: str) -> LookupFailed:
    return LookupFailed(
        LookupErrorKind.RATE_LIMITED,
        f"no query to {server} allowed within {wait_seconds:g} s: {reason}",
        server=server,
    )


@dataclass
class _ServerState:
    in_flight: int = 0
    next_start: float = 0.0
    strikes: int = 0
    last_strike: float = float("-inf")


class LocalServerBudget:
    """A `ServerBudget` for the threads of one process.

    `limits` is called at most every `refresh_seconds` for the per-server
    limits, keyed by host name with "*" for any other server.
    """

    def __init__(
        self,
        limits: LimitsSource,
        *,
        refresh_seconds: float = LIMITS_REFRESH_SECONDS,
    ) -> None:
        self._limits = _CachedLimits(limits, refresh_seconds)
        self._states: dict[str, _ServerState] = {}
        self._changed = threading.Condition()

    @contextmanager
    def slot(self, server: str, wait_seconds: float) -> Iterator[None]:
        """Wait for a concurrency slot and a start time, then hold the slot.

        Raises `LookupFailed` (RATE_LIMITED) when either is not available
        within `wait_seconds`; nothing is reserved then.
        """
        limit = self._limits.for_server(server)
        deadline = time.monotonic() + wait_seconds
        with self._changed:
            state = self._states.setdefault(server, _ServerState())
            while state.in_flight >= limit.max_concurrent:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _no_slot(server, wait_seconds, "all query slots are busy")
                self._changed.wait(left)
            now = time.monotonic()
            start = max(now, state.next_start)
            if start > deadline:
                raise _no_slot(server, wait_seconds, "its query rate is used up")
            state.next_start = start + query_interval(limit)
            state.in_flight += 1
        try:
            time.sleep(max(0.0, start - time.monotonic()))
            yield
        finally:
            with self._changed:
                state.in_flight -= 1
                self._changed.notify_all()

    def report_rate_limited(self, server: str) -> None:
        """Pause queries to `server`, longer with each rate-limit answer in a row."""
        limit = self._limits.for_server(server)
        with self._changed:
            state = self._states.setdefault(server, _ServerState())
            now = time.monotonic()
            if now - state.last_strike > BACKOFF_RESET_SECONDS:
                state.strikes = 0
            state.strikes += 1
            state.last_strike = now
            pause = backoff_pause(limit, state.strikes)
            state.next_start = max(state.next_start, now + pause)
        logger.warning("%s rate-limited a query; pausing it for %.0f s", server, pause)


# KEYS[1]: sorted set of slot tokens scored by lease end (ms); KEYS[2]: the
# next allowed start (ms). ARGV: token, max_concurrent, interval_ms,
# lease_ms, max_wait_ms. Returns the ms to wait before the query, -1 when
# all slots are busy, -2 when the next start is more than max_wait_ms away.
# Time comes from the Redis server, so processes on different hosts agree.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return -1
end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = math.max(now, next_start)
local wait = start - now
if wait > tonumber(ARGV[5]) then
  return -2
end
local interval = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
redis.call('SET', KEYS[2], start + interval, 'PX', wait + interval + 60000)
redis.call('ZADD', KEYS[1], start + lease, ARGV[1])
redis.call('PEXPIRE', KEYS[1], wait + lease + 1000)
return wait
"""

# KEYS[1]: the next allowed start (ms); KEYS[2]: rate-limit answers in a
# row. ARGV: base_ms, max_ms, reset_ms. Returns the pause in ms.
_BACK_OFF = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local strikes = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local pause = math.min(tonumber(ARGV[1]) * 2 ^ math.min(strikes - 1, 16), tonumber(ARGV[2]))
local next_start = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now + pause)
redis.call('SET', KEYS[1], math.floor(next_start), 'PX', math.floor(next_start - now) + 60000)
return math.floor(pause)
"""


class RedisServerBudget:
    """A `ServerBudget` shared by every process that uses the same Redis keys.

    Per server, a sorted set holds the tokens of the slots in use, each
    with a lease end, and one key holds the next allowed query start. Both
    change only inside Lua scripts, so two processes never take the same
    slot or start. A slot whose process died frees itself when its lease
    (`lease_seconds`, longer than any lookup) ends.
    """

    def __init__(
        self,
        redis: Redis,
        limits: LimitsSource,
        *,
        key_prefix: str = "tracker:budget:",
        lease_seconds: float = 120.0,
        poll_seconds: float = 0.02,
        refresh_seconds: float = LIMITS_REFRESH_SECONDS,
    ) -> None:
        self._redis = redis
        self._limits = _CachedLimits(limits, refresh_seconds)
        self._prefix = key_prefix
        self._lease_ms = int(lease_seconds * 1000)
        self._poll_seconds = poll_seconds
        self._acquire = redis.register_script(_ACQUIRE)
        self._back_off = redis.register_script(_BACK_OFF)

    @contextmanager
    def slot(self, server: str, wait_seconds: float) -> Iterator[None]:
        """Wait for a concurrency slot and a start time, then hold the slot.

        Raises `LookupFailed` (RATE_LIMITED) when either is not available
        within `wait_seconds`; nothing is reserved then.
        """
        limit = self._limits.for_server(server)
        slots_key, next_key = self._key(server, "slots"), self._key(server, "next")
        token = uuid.uuid4().hex
        interval_ms = math.ceil(query_interval(limit) * 1000)
        deadline = time.monotonic() + wait_seconds
        while True:
            left_ms = int((deadline - time.monotonic()) * 1000)
            wait_ms = self._acquire(
                keys=[slots_key, next_key],
                args=[
                    token,
                    limit.max_concurrent,
                    interval_ms,
                    self._lease_ms,
                    left_ms,
                ],
            )
            if wait_ms >= 0:
                break
            if wait_ms == -2 or left_ms <= 0:
                reason = "its query rate is used up"
                if wait_ms == -1:
                    reason = "all query slots are busy"
                raise _no_slot(server, wait_seconds, reason)
            time.sleep(min(self._poll_seconds, max(left_ms, 1) / 1000))
        try:
            time.sleep(wait_ms / 1000)
            yield
        finally:
            self._redis.zrem(slots_key, token)

    def report_rate_limited(self, server: str) -> None:
        """Pause queries to `server` in every process, longer with each answer in a row."""
        limit = self._limits.for_server(server)
        base_ms = int(backoff_pause(limit, 1) * 1000)
        pause_ms = self._back_off(
            keys=[self._key(server, "next"), self._key(server, "strikes")],
            args=[
                base_ms,
                int(BACKOFF_MAX_SECONDS * 1000),
                int(BACKOFF_RESET_SECONDS * 1000),
            ],
        )
        logger.warning(
            "%s rate-limited a query; pausing it for %.0f s", server, pause_ms / 1000
        )

    def _key(self, server: str, name: str) -> str:
        return f"{self._prefix}{server.lower()}:{name}"
