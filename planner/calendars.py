"""Calendar days <-> the engine's work-day units, and back. No database.

Unit 0 is the first work day on or after the plan's start; unit n is the n-th work day
after it. Work days are weekdays that are not closed (US federal holidays, observed).
An item running over units [start, finish) works on `date_of(start)` ..
`date_of(finish - 1)`, both work days. Freeze windows are not holes in the units (every
team's units must line up in one problem): they become periods an item may not overlap
(`blocked_units`), so no step of the frozen agency runs on a freeze day.
"""

from __future__ import annotations

import bisect
import datetime
import functools
from collections.abc import Container
from dataclasses import dataclass, field

import holidays

WEEKEND = frozenset({5, 6})  # Saturday, Sunday
# Work days are listed this far ahead at a time; a schedule rarely spans more.
CHUNK_DAYS = 366


@functools.cache
def federal_holidays() -> Container[datetime.date]:
    """US federal holidays as observed (a Saturday holiday is taken on the Friday before).

    One shared table: it adds each year's holidays the first time a date in it is asked about."""
    return holidays.country_holidays("US", observed=True)


@dataclass
class WorkCalendar:
    """Maps dates to units and units to dates for one plan start."""

    start: datetime.date
    closed: Container[datetime.date] = field(default_factory=federal_holidays)
    _days: list[datetime.date] = field(default_factory=list, init=False, repr=False)
    _listed_until: datetime.date = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._listed_until = self.start - datetime.timedelta(days=1)

    def is_work_day(self, day: datetime.date) -> bool:
        return day.weekday() not in WEEKEND and day not in self.closed

    def date_of(self, unit: int) -> datetime.date:
        """The work day of `unit` (unit >= 0)."""
        if unit < 0:
            raise ValueError(f"unit {unit} is before the plan's start")
        while len(self._days) <= unit:
            self._list_more()
        return self._days[unit]

    def units_before(self, day: datetime.date) -> int:
        """How many work days lie in [start, day): the unit of `day` if it is a work day,
        else the unit of the next work day. Days before the start give 0."""
        if day <= self.start:
            return 0
        self._list_through(day)
        return bisect.bisect_left(self._days, day)

    def units_through(self, day: datetime.date) -> int:
        """How many work days lie in [start, day]: an item finishing at this unit (exclusive)
        has its last work day on or before `day`. A deadline becomes this unit."""
        return self.units_before(day + datetime.timedelta(days=1))

    def unit_of(self, day: datetime.date) -> int:
        """The unit of a work day on or after the start; refuses any other day."""
        if day < self.start or not self.is_work_day(day):
            raise ValueError(f"{day} is not a work day of this calendar")
        return self.units_before(day)

    def blocked_units(self, first_day: datetime.date, last_day: datetime.date) -> tuple[int, int] | None:
        """The half-open units [begin, end) whose work days fall within [first_day, last_day]."""
        begin, end = self.units_before(first_day), self.units_through(last_day)
        return (begin, end) if begin < end else None

    def span(self, start_unit: int, finish_unit: int) -> tuple[datetime.date, datetime.date]:
        """First and last work day of an item over [start_unit, finish_unit); a zero-length
        item is on its start day."""
        return self.date_of(start_unit), self.date_of(max(start_unit, finish_unit - 1))

    def _list_through(self, day: datetime.date) -> None:
        while self._listed_until < day:
            self._list_more()

    def _list_more(self) -> None:
        day = self._listed_until
        for _ in range(CHUNK_DAYS):
            day += datetime.timedelta(days=1)
            if self.is_work_day(day):
                self._days.append(day)
        self._listed_until = day
