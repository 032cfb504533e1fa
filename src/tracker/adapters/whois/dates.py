"""Reading the value of a WHOIS expiry field as a calendar date.

Registries write dates in dozens of layouts. The rules here:

- A value with a UTC offset or a known zone abbreviation is converted to UTC
  before the date is taken, so `2019-12-04 00:00:00+02` is 2019-12-03.
- A value without a zone is taken as written.
- The day/month order of an all-numeric value such as `09/12/2024` is never
  inferred from the numbers. It comes from the registry (`DateOrder`), and
  with no known order such a value is rejected. Dotted values (`01.08.2022`)
  are the exception: registries write those day first only.
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from dateutil import parser as dateutil_parser  # type: ignore[import-untyped]
from whois.time_zones import tz_data  # type: ignore[import-untyped]

# python-whois maps zone abbreviations to offsets in seconds. Its one-letter
# military zones (A to Y) are left out, because a stray letter in a value is
# more likely noise than a zone. Z stays: it is how ISO 8601 writes UTC.
_ZONE_OFFSETS: dict[str, int] = {
    name: offset for name, offset in tz_data.items() if len(name) > 1 or name == "Z"
}
_ZONE_OFFSETS["UT"] = 0

_SPANISH_MONTHS = {"ene": "jan", "abr": "apr", "ago": "aug", "dic": "dec"}
_KNOWN_WORDS = re.compile(
    r"(?i)(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    r"|(mon|tue|wed|thu|fri|sat|sun)[a-z]*|t|z|at|of|am|pm"
)

_DAY_MONTH_YEAR = re.compile(
    r"^(?P<first>\d{1,2})(?P<sep>[./-])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4})"
    r"(?!\d)"
)
_YEAR_MONTH_DAY = re.compile(
    r"^(?P<year>\d{4})(?P<sep>-|/|\.|\. )(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"(?!\d)"
)
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")
_TIME_AND_ZONE = re.compile(
    r"^[T ]?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<zone>.*)$"
)
_OFFSET = re.compile(
    r"(?:UTC|GMT)?\s*(?P<sign>[+-])(?P<hours>\d{1,2}):?(?P<minutes>\d{2})?"
)
_NAMED_OFFSET = re.compile(r"\b(?:UTC|GMT)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b")
_ORDINAL_SUFFIX = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)
_HINT = re.compile(r"\s*\((?:[ymd]{2,4}[-/.]?){3}\)\s*$", re.IGNORECASE)


class DateOrder(enum.Enum):
    """The order of day and month in a registry's all-numeric dates."""

    DAY_FIRST = "day first"
    MONTH_FIRST = "month first"


class InvalidDateValue(ValueError):
    """Raised when an expiry value is not a date that can be read safely."""


def is_placeholder(value: str) -> bool:
    """Return True for a value without digits, such as `null`, `N/A` or a URL."""
    return not any(character.isdigit() for character in value)


def parse_date_value(value: str, order: DateOrder | None) -> date:
    """Return the UTC calendar date written in an expiry value.

    `order` is the registry's day/month order for all-numeric dates, or None
    when it is unknown. Raises `InvalidDateValue` when the value is not a
    complete date, names an unknown zone, or is an all-numeric date with
    slashes or dashes and `order` is None.
    """
    cleaned = _clean(value)
    if not cleaned:
        raise InvalidDateValue(f"empty date value {value!r}")

    compact = _COMPACT.match(cleaned)
    if compact:
        return _make_date(compact["year"], compact["month"], compact["day"], value)
    year_first = _YEAR_MONTH_DAY.match(cleaned)
    if year_first:
        day = _make_date(
            year_first["year"], year_first["month"], year_first["day"], value
        )
        return _apply_time(day, cleaned[year_first.end() :], value)
    day_first = _DAY_MONTH_YEAR.match(cleaned)
    if day_first:
        day = _numeric_day_month(day_first, order, value)
        return _apply_time(day, cleaned[day_first.end() :], value)
    return _parse_words(cleaned, value)


def to_utc_date(moment: datetime) -> date:
    """Return the UTC date of an aware datetime, or the date of a naive one."""
    if moment.utcoffset() is None:
        return moment.date()
    return moment.astimezone(UTC).date()


def _clean(value: str) -> str:
    cleaned = value.strip().strip("\"'").strip()
    cleaned = _HINT.sub("", cleaned)
    return cleaned.rstrip(".").strip()


def _numeric_day_month(
    match: re.Match[str], order: DateOrder | None, value: str
) -> date:
    if order is None and match["sep"] == ".":
        order = DateOrder.DAY_FIRST
    if order is None:
        raise InvalidDateValue(
            f"{value!r} is ambiguous because the registry's day/month order is unknown"
        )
    first, second = match["first"], match["second"]
    if order is DateOrder.DAY_FIRST:
        return _make_date(match["year"], second, first, value)
    return _make_date(match["year"], first, second, value)


def _apply_time(day: date, rest: str, value: str) -> date:
    """Shift `day` to UTC using the time and zone that follow it, if any."""
    rest = rest.strip().rstrip(".").strip()
    if not rest:
        return day
    match = _TIME_AND_ZONE.match(rest)
    if match is None:
        # A date with a zone but no time, such as "2026-01-31 UTC", is taken
        # as written once the zone is known to be a zone.
        _zone(rest, value)
        return day
    try:
        clock = time(
            int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
        )
    except ValueError:
        raise InvalidDateValue(f"invalid time in date value {value!r}") from None
    zone = _zone(match["zone"].strip(), value)
    return to_utc_date(datetime.combine(day, clock, tzinfo=zone))


def _zone(text: str, value: str) -> timezone | None:
    text = text.strip("() ")
    if not text:
        return None
    if text.upper() in _ZONE_OFFSETS:
        return timezone(timedelta(seconds=_ZONE_OFFSETS[text.upper()]))
    offset = _OFFSET.fullmatch(text)
    if offset is None:
        raise InvalidDateValue(f"unknown time zone {text!r} in date value {value!r}")
    sign = -1 if offset["sign"] == "-" else 1
    delta = timedelta(hours=int(offset["hours"]), minutes=int(offset["minutes"] or 0))
    return timezone(sign * delta)


def _make_date(year: str, month: str, day: str, value: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidDateValue(f"{value!r} is not a valid date") from None


def _iso_offset(match: re.Match[str]) -> str:
    return f"{match[1]}{int(match[2]):02d}:{match[3] or '00'}"


def _parse_words(cleaned: str, value: str) -> date:
    """Read a date with a month name, such as `14-sep-2011` or `Tue Apr 25 2028`."""
    text = _ORDINAL_SUFFIX.sub("", cleaned)
    # dateutil reads "GMT+3" the POSIX way, as three hours behind UTC;
    # registries mean three hours ahead, as in "+03:00".
    text = _NAMED_OFFSET.sub(_iso_offset, text)
    text = re.sub(
        r"(?i)\b(ene|abr|ago|dic)\b",
        lambda match: _SPANISH_MONTHS[match[1].lower()],
        text,
    )
    for word in re.findall(r"[A-Za-z]+", text):
        if word.upper() not in _ZONE_OFFSETS and not _KNOWN_WORDS.fullmatch(word):
            raise InvalidDateValue(f"unexpected word {word!r} in date value {value!r}")
    if not re.search(r"(?i)[a-z]{3}", text):
        raise InvalidDateValue(f"unreadable date value {value!r}")

    # dateutil fills missing parts from a default date, so "Aug-1996" would
    # silently become a full date. Parsing with two different defaults
    # exposes any part that came from the default.
    results = []
    for default in (datetime(2000, 1, 1), datetime(2001, 2, 2)):
        try:
            results.append(
                dateutil_parser.parse(text, default=default, tzinfos=_ZONE_OFFSETS)
            )
        except (ValueError, OverflowError):
            raise InvalidDateValue(f"unreadable date value {value!r}") from None
    if results[0] != results[1]:
        raise InvalidDateValue(f"{value!r} is not a complete date")
    return to_utc_date(results[0])
