"""When reminders are owed: plain date and time-zone rules, no database.

The sweep (services.reminders_sweep) turns these into date ranges on `Milestone.due_on`
so that one SQL statement per group creates every owed row. All instants are UTC; a
local time exists only here, computed with zoneinfo, never by beat's crontab (which
misfires across daylight-saving changes).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DEFAULT_OFFSETS = (14, 7, 1, 0)
DEFAULT_OVERDUE_REPEAT_DAYS = 3
DEFAULT_LEAD_ESCALATION_DAYS = 3
DEFAULT_AGENCY_ESCALATION_DAYS = 10
DEFAULT_DIGEST_HOUR = 9


@dataclass(frozen=True)
class Policy:
    """A directive's reminder rules: offsets before the due date, overdue repeats, escalations."""

    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    overdue_repeat_days: int = DEFAULT_OVERDUE_REPEAT_DAYS
    lead_escalation_after_days: int = DEFAULT_LEAD_ESCALATION_DAYS
    agency_escalation_after_days: int = DEFAULT_AGENCY_ESCALATION_DAYS
    oversight_email: str = ""


@dataclass(frozen=True)
class DueSoonWindow:
    """Milestones due between `first` and `last` days after the notice date owe the `offset` notice."""

    offset: int
    first: int
    last: int


def parse_offsets(text: str) -> tuple[int, ...]:
    """'14, 7, 1, 0' → (14, 7, 1, 0); raises ValueError naming the bad item."""
    offsets = set()
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if not item.isdigit() or int(item) > 365:
            raise ValueError(f"{item!r} is not a whole number of days from 0 to 365")
        offsets.add(int(item))
    if not offsets:
        raise ValueError("give at least one offset, e.g. 14, 7, 1, 0")
    return tuple(sorted(offsets, reverse=True))


def due_soon_windows(offsets: tuple[int, ...]) -> list[DueSoonWindow]:
    """For each offset, the days-until-due for which it is the latest notice reached.

    With 14, 7, 1, 0: due in 8–14 days → the 14-day notice, 2–7 → 7, 1 → 1, 0 → 0. A sweep
    that missed days (Redis down, server off) therefore sends the latest notice once,
    not every notice it missed.
    """
    windows, first = [], 0
    for offset in sorted(set(offsets)):
        windows.append(DueSoonWindow(offset=offset, first=first, last=offset))
        first = offset + 1
    return windows


def notice_date(now: datetime.datetime, zone: str, digest_hour: int) -> datetime.date:
    """The latest local date whose digest hour has come, in `zone`, at the UTC instant `now`.

    Wall-clock hours: on the spring-forward day 09:00 comes an hour sooner in UTC, on the
    fall-back day an hour later, and a digest hour that does not exist that day (02:00
    in the spring) is reached at the first wall time after it.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(ZoneInfo(zone))
    if local.hour >= digest_hour:
        return local.date()
    return local.date() - datetime.timedelta(days=1)


@dataclass(frozen=True)
class HourRange:
    """Digest hours `first` to `last` (inclusive) whose notice date, in one zone at one instant, is `notice_on`."""

    notice_on: datetime.date
    first: int
    last: int


def hour_ranges(now: datetime.datetime, zone: str) -> list[HourRange]:
    """The 24 digest hours grouped by the notice date `notice_date` gives each in `zone` at `now`.

    Hours already reached today share today's date, the rest yesterday's: so one sweep
    statement per notice date covers every hour, instead of one per hour.
    """
    ranges: list[HourRange] = []
    for hour in range(24):
        day = notice_date(now, zone, hour)
        if ranges and ranges[-1].notice_on == day:
            ranges[-1] = HourRange(day, ranges[-1].first, hour)
        else:
            ranges.append(HourRange(day, hour, hour))
    return ranges


def send_instant(day: datetime.date, zone: str, digest_hour: int) -> datetime.datetime:
    """The UTC instant `notice_date` first gives `day`: `digest_hour`:00 there, wall clock.

    fold=0 takes the first of a repeated hour (fall back) and, for an hour the clock skips
    (spring forward), the offset before the change, which is the instant of the jump.
    """
    local = datetime.datetime.combine(day, datetime.time(digest_hour), tzinfo=ZoneInfo(zone))
    return local.astimezone(datetime.UTC)


def backoff_seconds(attempts: int) -> int:
    """Wait before retry `attempts` + 1 after a temporary SMTP failure: 1, 5, 15, 60 minutes."""
    steps = (60, 300, 900, 3600)
    return steps[min(max(attempts, 1), len(steps)) - 1]
