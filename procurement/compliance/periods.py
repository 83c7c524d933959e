"""Reporting periods of a directive: every N days after issue. Plain rules, no database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """Period `number` runs from the day after the previous report was due to its own due day."""

    number: int
    start: datetime.date
    end: datetime.date  # the due day


def period_number(issued_on: datetime.date, interval_days: int, day: datetime.date) -> int:
    """The period `day` falls in (1 on the issue day and the first `interval_days` days)."""
    elapsed = max((day - issued_on).days, 0)
    return max((elapsed - 1) // interval_days + 1, 1) if elapsed else 1


def period(issued_on: datetime.date, interval_days: int, number: int) -> Period:
    if number < 1:
        raise ValueError("Periods are numbered from 1.")
    end = issued_on + datetime.timedelta(days=number * interval_days)
    start = issued_on if number == 1 else end - datetime.timedelta(days=interval_days - 1)
    return Period(number, start, end)


def period_of(issued_on: datetime.date, interval_days: int, day: datetime.date) -> Period:
    return period(issued_on, interval_days, period_number(issued_on, interval_days, day))


def due_dates(issued_on: datetime.date, interval_days: int, until: datetime.date) -> list[datetime.date]:
    """Every report due day from the first to the first on or after `until`."""
    days, number = [], 1
    while True:
        due = issued_on + datetime.timedelta(days=number * interval_days)
        days.append(due)
        if due >= until:
            return days
        number += 1
